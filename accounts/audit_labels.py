"""Indonesian names of audit actions: the log shows "Registrasi diverifikasi", with the code in grey after it.

Every action the code records has a label here (``tests/accounts/test_audit_labels.py`` reads the
sources and fails on a new action without one); an unknown action still shows, as its code.
"""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    # Accounts and security
    "accounts.login": _("Masuk"),
    "accounts.login_failed": _("Gagal masuk"),
    "accounts.logout": _("Keluar"),
    "accounts.session_expired": _("Sesi berakhir"),
    "accounts.password_change": _("Kata sandi diganti"),
    "accounts.password_reset.request": _("Atur ulang kata sandi diminta"),
    "accounts.password_reset.complete": _("Kata sandi diatur ulang"),
    "accounts.password_reset.admin_link": _("Tautan atur ulang kata sandi dibuat administrator"),
    "accounts.mfa.enable": _("Verifikasi dua langkah diaktifkan"),
    "accounts.mfa.disable": _("Verifikasi dua langkah dimatikan"),
    "accounts.mfa.verified": _("Kode verifikasi dua langkah diterima"),
    "accounts.mfa.backup_codes": _("Kode cadangan dibuat"),
    "accounts.api_token.issue": _("Token API dibuat"),
    "accounts.api_token.revoke": _("Token API dicabut"),
    "accounts.office.update": _("Data kantor diubah"),
    "accounts.signatory.save": _("Penanda tangan disimpan"),
    "accounts.audit.export": _("Log audit diunduh"),
    "accounts.audit_prune": _("Log audit lama dipangkas"),
    "system.worker_ping": _("Pemeriksaan pekerja latar"),
    # Regions and villages
    "villages.regions_import": _("Kode wilayah diimpor"),
    "villages.profile_update": _("Profil program desa diubah"),
    "villages.pillar_update": _("Pilar sosial diubah"),
    "villages.pensosmas_assign": _("Pensosmas ditugaskan ke desa"),
    "villages.pensosmas_unassign": _("Pensosmas dilepas dari desa"),
    "villages.cohort_save": _("Angkatan disimpan"),
    "villages.cohort_village_add": _("Desa masuk angkatan"),
    "villages.cohort_village_remove": _("Desa dikeluarkan dari angkatan"),
    # PPKS
    "ppks.person.create": _("Orang didaftarkan"),
    "ppks.person.update": _("Data orang dikoreksi"),
    "ppks.person.nik_reveal": _("NIK lengkap dibuka"),
    "ppks.person.merge": _("Data orang digabung"),
    "ppks.person.unmerge": _("Penggabungan data orang dibatalkan"),
    "ppks.person.case_sheet": _("Lembar kasus orang diunduh"),
    "ppks.person.data_export": _("Data pribadi diekspor"),
    "ppks.person.anonymise": _("Data orang dianonimkan"),
    "ppks.person.retention_anonymise": _("Data orang dianonimkan (masa simpan habis)"),
    "ppks.registration.create": _("Registrasi dibuat"),
    "ppks.registration.update": _("Registrasi diubah"),
    "ppks.registration.delete": _("Draf registrasi dihapus"),
    "ppks.registration.submit": _("Registrasi diajukan"),
    "ppks.registration.verify": _("Registrasi diverifikasi"),
    "ppks.registration.reject": _("Registrasi ditolak"),
    "ppks.registration.reopen": _("Registrasi dikembalikan ke draf"),
    "ppks.registration.bulk_request": _("Tindakan massal registrasi diminta"),
    "ppks.registration.bulk": _("Tindakan massal registrasi dijalankan"),
    "ppks.registration.export": _("Daftar registrasi diunduh"),
    "ppks.registration.import_upload": _("Berkas impor PPKS diunggah"),
    "ppks.registration.import": _("Impor PPKS dijalankan"),
    "ppks.import_watchdog_requeue": _("Impor PPKS dijalankan ulang otomatis"),
    "ppks.duplicate.dismiss": _("Calon duplikat ditandai bukan duplikat"),
    "ppks.referral.send": _("Rujukan dikirim"),
    "ppks.referral.sent": _("Rujukan dikirim"),
    "ppks.referral.accepted": _("Rujukan diterima unit"),
    "ppks.referral.declined": _("Rujukan ditolak unit"),
    "ppks.referral.forwarded": _("Rujukan diteruskan"),
    "ppks.referral.service": _("Layanan rujukan dicatat"),
    "ppks.referral.closed": _("Rujukan ditutup"),
    "ppks.unit.officers": _("Petugas unit layanan diatur"),
    # Assessments
    "dimensions.assessment.create": _("Asesmen dibuat"),
    "dimensions.assessment.submit": _("Asesmen diajukan"),
    "dimensions.assessment.validate": _("Asesmen divalidasi"),
    "dimensions.assessment.return": _("Asesmen dikembalikan"),
    "dimensions.answers.replace": _("Jawaban asesmen disimpan"),
    "dimensions.mapping.export": _("Pemetaan asesmen diunduh"),
    # Action plans and the programme
    "actionplans.plan.create": _("Rencana aksi dibuat"),
    "actionplans.plan.submit": _("Rencana aksi diajukan"),
    "actionplans.plan.approve": _("Rencana aksi diputuskan"),
    "actionplans.activity.save": _("Kegiatan disimpan"),
    "actionplans.activity.progress": _("Kemajuan kegiatan dicatat"),
    "actionplans.evidence.add": _("Bukti kegiatan ditambahkan"),
    "actionplans.spending.record": _("Belanja dicatat"),
    "actionplans.evaluation.save": _("Evaluasi disimpan"),
    "actionplans.stage.update": _("Tahap program diubah"),
    "actionplans.stage.change_request": _("Perubahan jadwal diajukan"),
    "actionplans.stage.change_approve": _("Perubahan jadwal diputuskan"),
    "actionplans.stimulus.planned": _("Tahap stimulan direncanakan"),
    "actionplans.stimulus.received": _("Penerimaan stimulan dicatat"),
    "actionplans.stimulus.corrected": _("Tahap stimulan dikoreksi"),
    "actionplans.stimulus.voided": _("Tahap stimulan dibatalkan"),
    "actionplans.phase.override": _("Koreksi tahap DBS dicatat"),
    "actionplans.phase.override_clear": _("Koreksi tahap DBS dicabut"),
    "actionplans.pokja.save": _("Data SK Pokja disimpan"),
    "actionplans.pokja.member": _("Anggota Pokja disimpan"),
    "actionplans.monitoring.record": _("Kunjungan monitoring dicatat"),
    "actionplans.asset.save": _("Aset desa disimpan"),
    # Reports and maps
    "reports.request": _("Laporan diminta"),
    "reports.generated": _("Laporan selesai dibuat"),
    "reports.retry": _("Laporan dijadwalkan ulang"),
    "reports.watchdog_requeue": _("Laporan dijalankan ulang otomatis"),
    "reports.download": _("Laporan diunduh"),
    "reports.masked_copy": _("Salinan laporan dengan NIK disamarkan dibuat"),
    "reports.verify": _("Keaslian surat diperiksa"),
    "maps.export": _("Data peta diunduh"),
    "maps.population_import": _("Data penduduk diimpor"),
}


ACTION_GROUPS = {
    "accounts": _("Akun dan keamanan"),
    "villages": _("Wilayah dan desa"),
    "ppks": _("PPKS"),
    "dimensions": _("Asesmen"),
    "actionplans": _("Rencana aksi dan program"),
    "reports": _("Laporan"),
    "maps": _("Peta"),
    "system": _("Sistem"),
}


def action_choices(current: str = "") -> list:
    """Choices of the audit log's action filter, by name: per area "Semua tindakan <area>" (the prefix) and
    each action; ``current`` (a code typed into the address) is kept as a choice so the page shows it."""
    choices: list = [("", _("Semua"))]
    known = {""}
    for prefix, group in ACTION_GROUPS.items():
        actions = sorted((code for code in ACTION_LABELS if code.split(".", 1)[0] == prefix),
                         key=lambda code: str(ACTION_LABELS[code]))
        options = [(prefix, _("Semua tindakan: {area}").format(area=group))]
        options += [(code, ACTION_LABELS[code]) for code in actions]
        known.update(code for code, _label in options)
        choices.append((group, options))
    if current and current not in known:
        choices.append((current, current))
    return choices


def action_label(action: str) -> str:
    """The Indonesian name of ``action``; an action without one is shown as its code."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
