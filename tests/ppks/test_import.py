"""Bulk import of PPKS registrations: validation by line and field, all-or-nothing, idempotency, XLSX safety."""

import csv
import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from ppks import imports, services
from ppks.models import DuplicateCandidate, ImportJob, Person, Registration, RegistrationEvent
from ppks.tasks import registrations_import_task
from tests.ppks.factories import register
from villages.models import Village

pytestmark = pytest.mark.django_db

KEYS = imports.COLUMN_KEYS


def row(**overrides) -> dict:
    """A valid row for Sucolor (35.11.01.2001): Siti Aminah, born 12-03-1985, NIK matching."""
    data = {
        "nama": "Siti Aminah", "nik": "3511015203850003", "alasan_tanpa_nik": "", "no_kk": "3511010101200001",
        "jenis_kelamin": "P", "tempat_lahir": "Bondowoso", "tanggal_lahir": "1985-03-12",
        "kode_desa": "35.11.01.2001", "dusun": "Krajan", "rt": "1", "rw": "2", "alamat": "Jl. Melati 5",
        "telepon": "081234567890", "disabilitas": "", "desil_dtsen": "1", "desil_per_tanggal": "2026-01-01",
        "kategori": "FM", "kebutuhan": "Bantuan pangan", "tanggal_asesmen": "2026-11-01",
    }
    data.update(overrides)
    return data


def person_row(index: int, **overrides) -> dict:
    """Distinct valid people: men born 1 January 1990 with serials 0001, 0002, …"""
    data = {"nama": "Warga {}".format(index), "nik": "351101010190{:04d}".format(index), "jenis_kelamin": "L",
            "tanggal_lahir": "1990-01-01", "no_kk": ""}
    return row(**(data | overrides))


def csv_file(rows, *, name="data.csv", delimiter=",", header=KEYS) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    for data in rows:
        writer.writerow([data.get(key, "") for key in header])
    return SimpleUploadedFile(name, ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv")


def run_import(user, rows, **options) -> ImportJob:
    return services.registration_import_create(actor=user, upload=csv_file(rows), **options)


def messages_of(job: ImportJob) -> list[tuple[int, str, str]]:
    return [(error["line"], error["field"], error["message"]) for error in job.errors]


def test_valid_file_creates_people_registrations_history_and_one_audit_event(users):
    # given / when
    job = run_import(users["regency"], [row(), person_row(1, kode_desa="35.11.02.2001", kategori="LUT")])
    # then
    assert (job.state, job.total_rows, job.created_persons, job.created_registrations, job.error_count) == (
        "done", 2, 2, 2, 0)
    siti = Person.objects.get(nik="3511015203850003")
    assert (siti.name_key, siti.rt, siti.rw, siti.village_id, siti.created_by) == (
        "sitiaminah", "001", "002", "35.11.01.2001", users["regency"])
    registration = Registration.objects.get(person=siti)
    assert (registration.status, registration.category.code, registration.directorate.code,
            registration.assessed_on) == ("draft", "FM", "dayasos", datetime.date(2026, 11, 1))
    assert list(registration.events.values_list("from_status", "to_status")) == [("", "draft")]
    audit = AuditEvent.objects.get(action="ppks.registration.import")
    assert audit.detail["created_registrations"] == 2
    assert audit.object_id == str(job.pk)


def test_submit_rows_files_registrations_as_submitted_with_history(users):
    job = run_import(users["pensosmas"], [row()], submit_rows=True)
    registration = Registration.objects.get()
    assert job.state == "done"
    assert registration.status == "submitted"
    assert registration.submitted_at is not None
    assert list(RegistrationEvent.objects.values_list("from_status", "to_status")) == [
        ("", "draft"), ("draft", "submitted")]


@pytest.mark.parametrize(
    ("_case", "overrides", "field", "message"),
    [
        ("nik_short", {"nik": "351101520385000"}, "nik", "NIK harus 16 digit angka (sekarang 15 karakter)."),
        ("nik_date", {"nik": "3511019903850003"}, "nik",
         "Digit 7–12 NIK (990385) bukan tanggal lahir yang sah (tanggal 01–31, perempuan 41–71; bulan 01–12)."),
        ("nik_missing", {"nik": ""}, "alasan_tanpa_nik",
         "NIK kosong: isi alasan_tanpa_nik dengan belum_punya, dalam_proses, tidak_diketahui."),
        ("kk", {"no_kk": "12345"}, "no_kk", "No. KK harus 16 digit angka (sekarang 5 karakter)."),
        ("name", {"nama": "  "}, "nama", "Nama wajib diisi."),
        ("sex", {"jenis_kelamin": "X"}, "jenis_kelamin", "Isi L atau P (sekarang 'X')."),
        ("birth", {"tanggal_lahir": "31/02/1985"}, "tanggal_lahir",
         "Tanggal '31/02/1985' tidak dikenali; gunakan YYYY-MM-DD atau DD/MM/YYYY."),
        ("future", {"tanggal_asesmen": "2999-01-01"}, "tanggal_asesmen", "Tanggal 2999-01-01 ada di masa depan."),
        ("village", {"kode_desa": "35.11.09.2999"}, "kode_desa",
         "Kode desa 35.11.09.2999 tidak ada di daftar wilayah (contoh format: 35.11.01.2001)."),
        ("village_missing", {"kode_desa": ""}, "kode_desa", "Kode desa wajib diisi."),
        ("category", {"kategori": "XX"}, "kategori", "Kode kategori 'XX' tidak dikenal; lihat lembar Petunjuk."),
        ("rt", {"rt": "1a"}, "rt", "RT harus angka, paling banyak 3 digit (sekarang '1a')."),
        ("rw", {"rw": "1234"}, "rw", "RW harus angka, paling banyak 3 digit (sekarang '1234')."),
        ("decile", {"desil_dtsen": "11"}, "desil_dtsen", "Desil DTSEN harus 1 sampai 10."),
        ("disability", {"disabilitas": "buta"}, "disabilitas",
         "Kode disabilitas tidak dikenal; gunakan fisik, netra, rungu_wicara, intelektual, mental, ganda."),
        ("phone", {"telepon": "0" * 21}, "telepon", "Paling banyak 20 karakter (sekarang 21)."),
    ],
)
def test_each_rule_reports_line_and_field(users, _case, overrides, field, message):
    # given: a good first row and the faulty row on line 3
    rows = [person_row(1), row(**overrides)]
    # when
    job = run_import(users["regency"], rows)
    # then
    assert messages_of(job) == [(3, field, message)]
    assert imports.format_error(job.errors[0]) == "Baris 3, kolom {}: {}".format(field, message)
    assert job.state == "failed"
    assert not Person.objects.exists()


def test_all_or_nothing_writes_nothing_and_lists_every_error(users):
    rows = [person_row(1), person_row(2, rt="x"), person_row(3), person_row(4, kategori="ZZ", jenis_kelamin="")]
    job = run_import(users["regency"], rows)
    assert job.state == "failed"
    assert [(line, field) for line, field, _message in messages_of(job)] == [
        (3, "rt"), (5, "jenis_kelamin"), (5, "kategori")]
    assert job.message == ("Tidak ada data yang disimpan karena ada 3 kesalahan pada 2 baris. Perbaiki lalu unggah "
                           "ulang.")
    assert (Person.objects.count(), Registration.objects.count(), job.created_registrations) == (0, 0, 0)
    assert AuditEvent.objects.get(action="ppks.registration.import").detail["errors"] == 3


def test_partial_mode_writes_the_valid_rows_only(users):
    rows = [person_row(1), person_row(2, rt="x"), person_row(3)]
    job = run_import(users["regency"], rows, all_or_nothing=False)
    assert job.state == "done"
    assert (job.created_persons, job.created_registrations, job.error_count, job.valid_rows) == (2, 2, 1, 2)
    assert set(Person.objects.values_list("name", flat=True)) == {"Warga 1", "Warga 3"}
    assert job.message == "Impor selesai sebagian: 1 baris dengan kesalahan dilewati."


def test_reimporting_the_same_file_creates_nothing(users):
    rows = [
        row(),
        person_row(1),
        person_row(1, kategori="LUT", nik="3511010101900002", nama="Warga 2"),
        row(nama="Tuti", nik="", alasan_tanpa_nik="belum_punya", tanggal_lahir="2001-05-06", jenis_kelamin="P",
            no_kk=""),
        row(nama="Tuti", nik="", alasan_tanpa_nik="belum_punya", tanggal_lahir="2001-05-06", jenis_kelamin="P",
            no_kk="", kategori="AT"),
    ]
    first = run_import(users["regency"], rows)
    assert (first.created_persons, first.created_registrations, first.skipped_existing) == (4, 5, 0)
    second = run_import(users["regency"], rows)
    assert (second.state, second.created_persons, second.created_registrations, second.skipped_existing) == (
        "done", 0, 0, 5)
    assert (Person.objects.count(), Registration.objects.count()) == (4, 5)
    assert first.sha256 == second.sha256


def test_existing_person_gets_a_new_category_without_a_second_person(users):
    existing = register(users["pensosmas"], category="FM")
    job = run_import(users["pensosmas"], [row(), row(kategori="LUT")][1:])
    assert (job.created_persons, job.created_registrations) == (0, 1)
    assert set(existing.person.registrations.values_list("category__code", flat=True)) == {"FM", "LUT"}


def test_duplicate_nik_inside_the_file_names_the_first_line(users):
    job = run_import(users["regency"], [row(), person_row(1), row(kategori="LUT")])
    assert messages_of(job) == [(4, "nik", "NIK sama dengan baris 2 di berkas ini.")]


def test_village_outside_the_scope_is_refused(users):
    job = run_import(users["pensosmas"], [row(kode_desa="35.11.02.2001")])
    assert messages_of(job) == [(2, "kode_desa", "Desa 35.11.02.2001 di luar wilayah kerja Anda.")]
    assert not Person.objects.exists()


def test_nik_of_a_person_outside_the_scope_is_not_confirmed_but_queued(users, settings):
    """Issue 15 item 3: the uploader learns only that the NIK needs a check; the pair goes to the queue."""
    holder = register(users["other_regency"], nik="3512010101150002", name="Budi", sex="L",
                      birth_date=datetime.date(2015, 1, 1), village=Village.objects.get(code="35.12.01.2001")).person
    job = run_import(users["regency"], [row(nik="3512010101150002", nama="Budi", jenis_kelamin="L",
                                            tanggal_lahir="2015-01-01")])
    assert job.state == "done"
    assert job.error_count == 0
    text = " ".join(warning["message"] for warning in job.warnings)
    assert "perlu diperiksa Dinas Sosial" in text
    assert "terdaftar" not in text
    assert "luar wilayah" not in text
    new_person = Person.objects.exclude(pk=holder.pk).get()
    assert (new_person.nik, new_person.nik_status) == (None, "tidak_diketahui")
    pair = DuplicateCandidate.objects.get(reason="nik")
    assert {pair.person_id, pair.other_id} == {holder.pk, new_person.pk}
    # Same name and birth date too: one pair (the stronger reason), counted once.
    assert DuplicateCandidate.objects.count() == 1
    assert job.duplicate_candidates == 1


def test_reimporting_an_out_of_scope_nik_row_finds_the_person_its_first_import_saved(users):
    """A re-imported file creates nothing new, also for a row saved without the NIK another region holds."""
    register(users["other_regency"], nik="3512010101150002", name="Budi", sex="L",
             birth_date=datetime.date(2015, 1, 1), village=Village.objects.get(code="35.12.01.2001"))
    rows = [row(nik="3512010101150002", nama="Budi", jenis_kelamin="L", tanggal_lahir="2015-01-01")]
    first = run_import(users["regency"], rows)
    again = run_import(users["regency"], rows)
    assert (first.created_persons, first.created_registrations) == (1, 1)
    assert (again.state, again.created_persons, again.created_registrations) == ("done", 0, 0)
    assert Person.objects.count() == 2
    assert DuplicateCandidate.objects.count() == 1


def test_out_of_scope_nik_matches_count_against_the_nik_lookup_limit(users, settings):
    settings.SIDBS_RATE_LIMITS = {**settings.SIDBS_RATE_LIMITS, "nik_search": "1/hour"}
    for nik, name in (("3512010101150002", "Budi"), ("3512010101150003", "Bayu")):
        register(users["other_regency"], nik=nik, name=name, sex="L", birth_date=datetime.date(2015, 1, 1),
                 village=Village.objects.get(code="35.12.01.2001"))
    job = run_import(users["regency"], [
        row(nik="3512010101150002", nama="Budi", jenis_kelamin="L", tanggal_lahir="2015-01-01"),
        row(nik="3512010101150003", nama="Bayu", jenis_kelamin="L", tanggal_lahir="2015-01-01"),
    ])
    assert job.state == "failed"
    assert "Terlalu banyak NIK" in job.message
    assert job.warnings == []
    assert job.created_persons == 0


def test_warnings_are_kept_but_do_not_block(users):
    job = run_import(users["regency"], [row(tanggal_lahir="1985-03-13")])
    assert job.state == "done"
    assert job.created_registrations == 1
    assert job.warnings == [{"line": 2, "field": "nik", "message":
                             "Tanggal lahir di NIK (12-03-85) berbeda dengan yang diisi (13-03-1985)."}]


def test_likely_duplicates_in_other_villages_are_queued_in_bulk(users):
    other = register(users["regency"], nik=None, nik_status="belum_punya", name="Tuti",
                     birth_date=datetime.date(2001, 5, 6), village=Village.objects.get(code="35.11.02.2001"))
    job = run_import(users["regency"], [row(nama="TUTI", nik="", alasan_tanpa_nik="belum_punya",
                                            tanggal_lahir="06/05/2001", jenis_kelamin="P", no_kk="")])
    new_person = Person.objects.exclude(pk=other.person.pk).get()
    candidate = DuplicateCandidate.objects.get()
    assert {candidate.person_id, candidate.other_id} == {other.person.pk, new_person.pk}
    assert job.duplicate_candidates == 1


def test_semicolon_csv_and_alternative_date_formats(users):
    upload = csv_file([row(tanggal_lahir="12-03-1985", tanggal_asesmen="01/11/2026")], delimiter=";")
    job = services.registration_import_create(actor=users["regency"], upload=upload)
    assert job.state == "done"
    person = Person.objects.get()
    assert person.birth_date == datetime.date(1985, 3, 12)


def test_missing_required_column_fails_the_file(users):
    header = tuple(key for key in KEYS if key != "kategori")
    job = services.registration_import_create(actor=users["regency"], upload=csv_file([row()], header=header))
    assert job.state == "failed"
    assert job.message == "Kolom wajib tidak ada di baris judul: kategori. Gunakan templat impor."


def test_analyst_cannot_import(client, users):
    client.force_login(users["analyst"])
    assert client.get(reverse("ppks:import")).status_code == 403
    assert client.get(reverse("ppks:import-template")).status_code == 403


def test_upload_page_redirects_to_the_job_page_with_errors(client, users):
    client.force_login(users["regency"])
    response = client.post(reverse("ppks:import"), {"file": csv_file([row(nik="123")]), "mode": "all"})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == job.get_absolute_url()
    page = client.get(response.url).content.decode()
    assert "NIK harus 16 digit angka (sekarang 3 karakter)." in page
    assert "Unduh daftar kesalahan" in page
    errors = client.get(reverse("ppks:import-errors", args=[job.pk]))
    content = b"".join(errors.streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(content))) == [
        ["baris", "kolom", "pesan"], ["2", "nik", "NIK harus 16 digit angka (sekarang 3 karakter)."]]


def test_jobs_are_private_to_their_requester_and_admins(client, users):
    job = run_import(users["regency"], [row()])
    client.force_login(users["province"])
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("ppks:import-status", args=[job.pk])).status_code == 404
    client.force_login(users["admin"])
    assert client.get(job.get_absolute_url()).status_code == 200


def test_status_endpoint_reports_progress_as_json(client, users):
    job = run_import(users["regency"], [row(), person_row(1)])
    client.force_login(users["regency"])
    status = client.get(reverse("ppks:import-status", args=[job.pk])).json()
    assert status == {
        "id": job.pk, "state": "done", "state_label": "Selesai", "finished": True, "progress": 100,
        "total_rows": 2, "created_persons": 2, "created_registrations": 2, "skipped_existing": 0,
        "error_count": 0, "message": "Impor selesai.",
    }


def test_queued_job_shows_progress_from_the_cache(client, users):
    from django.core.cache import cache

    job = ImportJob.objects.create(original_name="x.csv", sha256="0" * 64, size=1, format="csv",
                                   requested_by=users["regency"], file="imports/x.csv")
    cache.set(imports.progress_key(job.pk), 42)
    client.force_login(users["regency"])
    assert client.get(reverse("ppks:import-status", args=[job.pk])).json()["progress"] == 42
    page = client.get(job.get_absolute_url()).content.decode()
    assert "job-progress.js" in page
    assert 'style="width: 42%"' in page


def test_large_file_runs_as_a_celery_task_after_commit(client, users, monkeypatch,
                                                       django_capture_on_commit_callbacks):
    # given: files above two rows count as large
    monkeypatch.setattr(imports, "SYNC_ROW_LIMIT", 2)
    client.force_login(users["regency"])
    rows = [person_row(index) for index in range(1, 6)]
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("ppks:import"), {"file": csv_file(rows), "mode": "all"})
    job = ImportJob.objects.get()
    # then: queued until the request commits, then the (eager) task imports it
    assert response.url == job.get_absolute_url()
    assert job.state == "queued"
    assert len(callbacks) == 1
    callbacks[0]()
    job.refresh_from_db()
    assert (job.state, job.created_registrations, job.progress) == ("done", 5, 100)
    # a redelivered task for a finished job does nothing
    assert registrations_import_task(job.pk) == "done"
    assert Registration.objects.count() == 5


def test_task_ignores_missing_jobs():
    assert registrations_import_task(999999) == "missing"


# --- XLSX -------------------------------------------------------------------------------------


def test_xlsx_round_trip_with_the_downloaded_template(client, users):
    from openpyxl import load_workbook

    client.force_login(users["pensosmas"])
    template = client.get(reverse("ppks:import-template") + "?format=xlsx")
    assert template["Content-Disposition"] == 'attachment; filename="templat-impor-ppks.xlsx"'
    workbook = load_workbook(io.BytesIO(template.content))
    assert workbook.sheetnames == ["Data", "Petunjuk"]
    guide = [cell for line in workbook["Petunjuk"].iter_rows(values_only=True) for cell in line if cell]
    assert "FM" in guide
    assert "belum_punya" in guide
    sheet = workbook["Data"]
    sheet.append(["Ahmad Fauzi", "3511011505900001", "", "", "L", "", "15/05/1990", "35.11.01.2001", "", "3", "",
                  "", "", "", "", "", "LUT", "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("isi.xlsx", buffer.getvalue())
    response = client.post(reverse("ppks:import"), {"file": upload, "mode": "all"})
    job = ImportJob.objects.get()
    assert response.url == job.get_absolute_url()
    assert (job.format, job.state, job.created_registrations, job.errors) == ("xlsx", "done", 2, [])
    assert set(Person.objects.values_list("name", flat=True)) == {"Siti Aminah", "Ahmad Fauzi"}


def test_csv_template_has_the_header_and_an_example(client, users):
    client.force_login(users["regency"])
    response = client.get(reverse("ppks:import-template") + "?format=csv")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert tuple(lines[0]) == KEYS
    assert lines[1][KEYS.index("kode_desa")] == "35.11.01.2001"


def test_xlsx_nik_typed_as_a_number_is_refused(users):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(list(KEYS))
    values = row()
    values["nik"] = 3511015203850003
    workbook.active.append([values[key] for key in KEYS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = services.registration_import_create(actor=users["regency"],
                                              upload=SimpleUploadedFile("angka.xlsx", buffer.getvalue()))
    assert [(line, field) for line, field, _message in messages_of(job)] == [(2, "nik")]


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def upload_errors(client, user, upload) -> list[str]:
    client.force_login(user)
    response = client.post(reverse("ppks:import"), {"file": upload, "mode": "all"})
    assert response.status_code == 200
    return response.context["form"].errors["file"]


def test_zip_bomb_is_rejected_before_parsing(client, users):
    bomb = zip_bytes({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"\0" * (50 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024
    errors = upload_errors(client, users["regency"], SimpleUploadedFile("bom.xlsx", bomb))
    assert errors == ["Bagian xl/worksheets/sheet1.xml pada berkas Excel terkompresi tidak wajar (rasio lebih dari "
                      "100:1). Berkas ditolak demi keamanan."]
    assert not ImportJob.objects.exists()


def test_total_uncompressed_size_is_limited(client, users, monkeypatch):
    monkeypatch.setattr(imports, "MAX_UNCOMPRESSED_BYTES", 1000)
    archive = zip_bytes({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"<a/>" * 500})
    errors = upload_errors(client, users["regency"], SimpleUploadedFile("besar.xlsx", archive))
    assert errors[0].startswith("Isi berkas Excel terlalu besar setelah dibuka")


def test_zip_without_a_workbook_is_not_an_excel_file(client, users):
    archive = zip_bytes({"word/document.xml": b"<doc/>"})
    assert upload_errors(client, users["regency"], SimpleUploadedFile("a.xlsx", archive)) == [
        "Berkas .xlsx ini bukan buku kerja Excel (xl/workbook.xml tidak ada)."]


def test_upload_size_limit(client, users, monkeypatch):
    monkeypatch.setattr(imports, "MAX_UPLOAD_BYTES", 1024 * 1024)
    upload = SimpleUploadedFile("besar.csv", b"nama\n" + b"x" * (2 * 1024 * 1024))
    assert upload_errors(client, users["regency"], upload) == [
        "Berkas terlalu besar (2 MB); batas unggahan 1 MB. Pecah menjadi beberapa berkas."]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("data.txt", b"nama\n", "Format berkas tidak didukung. Unggah berkas .csv atau .xlsx."),
        ("data.csv", zip_bytes({"xl/workbook.xml": b""}),
         "Berkas .csv ini bukan teks CSV (mungkin berkas Excel yang diganti namanya)."),
        ("data.xlsx", b"nama,nik\n", "Berkas .xlsx ini bukan berkas Excel yang sah."),
    ],
)
def test_other_files_are_refused(client, users, name, content, message):
    assert upload_errors(client, users["regency"], SimpleUploadedFile(name, content)) == [message]


@pytest.mark.celery_worker
def test_large_file_is_imported_by_a_real_worker(celery_worker_process, users, monkeypatch):
    import time

    # given: a file above the synchronous limit, uploaded outside any request transaction
    monkeypatch.setattr(imports, "SYNC_ROW_LIMIT", 2)
    job = run_import(users["regency"], [person_row(index) for index in range(1, 6)])
    assert job.state == "queued"
    # when: the worker process picks the task up
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.2)
    # then
    assert (job.state, job.created_registrations, job.progress) == ("done", 5, 100)
    assert Registration.objects.count() == 5


def test_a_nul_byte_deep_in_a_csv_is_a_line_error_not_a_stuck_job(client, users):
    """Issue 15, item 10: a NUL after the first 8 KB gave a 500 (small file) or "running 32%" forever (large)."""
    rows = [person_row(index, alamat="Jl. Kenanga {} ".format(index) + "x" * 60) for index in range(1, 120)]
    rows.append(person_row(120, nama="Warga\x00Seratus Dua Puluh"))
    upload = csv_file(rows)
    assert b"\x00" in upload.read()[8192:]
    upload.seek(0)
    client.force_login(users["regency"])
    response = client.post(reverse("ppks:import"), {"file": upload, "mode": "partial"})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.state == "done"
    assert messages_of(job) == [(121, "nama", "Berisi karakter kendali (mis. NUL) yang tidak terlihat; hapus "
                                            "karakter itu lalu unggah ulang.")]
    assert Registration.objects.count() == 119


def test_an_escape_character_in_a_cell_is_refused_with_its_line(users):
    job = run_import(users["regency"], [row(alamat="Jl. Melati\x1b[31m 5")])
    assert [(line, field) for line, field, _message in messages_of(job)] == [(2, "alamat")]
    assert job.state == "failed"


def test_a_database_error_while_writing_fails_the_job_with_a_message(users, monkeypatch):
    from django.db import DataError

    def refused(*args, **kwargs):
        raise DataError("A string literal cannot contain NUL (0x00) characters.")

    monkeypatch.setattr(imports, "write_plan", refused)
    job = run_import(users["regency"], [row()])
    assert job.state == "failed"
    assert job.message.startswith("Impor gagal karena kesalahan basis data; tidak ada data yang disimpan.")
    assert not Registration.objects.exists()


@pytest.mark.parametrize(("birth_date", "message"), [
    ("0001-01-01", "Tanggal lahir terlalu lampau; periksa tahunnya."),
    ("1899-12-31", "Tanggal lahir terlalu lampau; periksa tahunnya."),
])
def test_birth_dates_follow_the_same_rule_as_the_form_and_the_api(users, birth_date, message):
    """Issue 15, item 12: the import stored a birth date in year 1 that the form and the API refuse."""
    job = run_import(users["regency"], [row(tanggal_lahir=birth_date, nik="", alasan_tanpa_nik="belum_punya")])
    assert ("tanggal_lahir", message) in [(field, text) for _line, field, text in messages_of(job)]
    assert not Registration.objects.exists()


# Set-based writing (issue 21, item 2) -------------------------------------------------------------------------------


def test_imported_rows_get_one_masked_history_row_each_with_the_importer(users):
    """Rows written without model instances (COPY / executemany) are still recorded, NIK and No. KK masked."""
    from ppks.models import PersonHistory

    job = run_import(users["regency"], [row(), person_row(1), person_row(2, nik="", alasan_tanpa_nik="belum_punya")])
    assert (job.state, job.created_persons, job.created_registrations) == ("done", 3, 3)
    inserted = PersonHistory.objects.filter(action="insert")
    assert inserted.filter(table_name="ppks_person").count() == 3
    assert inserted.filter(table_name="ppks_registration").count() == 3
    assert set(inserted.values_list("actor_id", flat=True)) == {users["regency"].pk}
    assert set(inserted.values_list("reason", flat=True)) == {"Impor #{}".format(job.pk)}
    siti = PersonHistory.objects.get(table_name="ppks_person", person__nik="3511015203850003")
    assert siti.changes["nik"] == {"old": None, "new": "3511********0003"}
    assert siti.changes["kk_number"] == {"old": None, "new": "3511********0001"}
    assert siti.changes["name"] == {"old": None, "new": "Siti Aminah"}


def test_imported_ids_never_reuse_those_of_deleted_rows(users):
    """Ids are reserved before the rows are written; a deleted person's id is never handed out again."""
    first = run_import(users["regency"], [person_row(1)])
    deleted = Person.objects.get(created_by=users["regency"])
    Registration.objects.filter(person=deleted).delete()
    deleted_pk = deleted.pk
    deleted.delete()
    job = run_import(users["regency"], [person_row(2), person_row(3)])
    assert (first.state, job.state) == ("done", "done")
    new_pks = sorted(Person.objects.values_list("pk", flat=True))
    assert len(new_pks) == 2
    assert min(new_pks) > deleted_pk
    registrations = Registration.objects.order_by("pk")
    assert [registration.person_id for registration in registrations] == new_pks
    assert all(registration.events.count() == 1 for registration in registrations)


def test_validation_reads_rows_shorter_than_the_header_and_files_without_optional_columns(users):
    header = [key for key in KEYS if key not in ("telepon", "kebutuhan")]
    upload = csv_file([row()], header=header)
    job = services.registration_import_create(actor=users["regency"], upload=upload)
    assert (job.state, job.created_registrations) == ("done", 1), job.errors
    short = io.StringIO()
    writer = csv.writer(short)
    writer.writerow(KEYS)
    writer.writerow([row()[key] for key in KEYS][:-1])  # no trailing tanggal_asesmen cell
    job = services.registration_import_create(actor=users["regency"], upload=SimpleUploadedFile(
        "short.csv", short.getvalue().encode("utf-8"), content_type="text/csv"))
    assert job.state == "done", job.errors


def test_a_database_error_during_copy_is_django_s_own(users):
    """COPY (PostgreSQL) is outside Django's error wrapping unless bulk_rows adds it: a unique clash must reach
    the import's handlers as django.db.IntegrityError (SQLite's executemany is wrapped anyway)."""
    from django.db import IntegrityError, transaction

    from ppks import bulk_rows

    holder = register(users["regency"]).person
    values = {"nik": holder.nik, "nik_status": "ada", "name": "Kembar", "name_key": "kembar", "sex": "P",
              "village_id": "35.11.01.2001", "created_at": holder.created_at, "updated_at": holder.updated_at}
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_rows.insert(Person, [values])


def test_rows_inserted_with_new_ids_point_onwards_and_keep_their_own_dates(users):
    """``bulk_rows.insert_new`` sets each row's reserved id on the row (rows written next point at it) and stores
    the values the row names, an auto_now_add ``created_at`` included, on SQLite as on PostgreSQL."""
    from django.db import transaction

    from ppks import bulk_rows

    long_ago = datetime.datetime(2024, 5, 6, 7, 8, tzinfo=datetime.UTC)
    rows = [{"nik_status": "belum_punya", "name": name, "name_key": name.lower(), "sex": "P",
             "village_id": "35.11.01.2001", "created_at": long_ago, "updated_at": long_ago,
             "created_by_id": users["regency"].pk} for name in ("Satu", "Dua")]
    with transaction.atomic():
        ids = bulk_rows.insert_new(Person, rows)
    assert [values["id"] for values in rows] == ids == sorted(set(ids))
    assert list(Person.objects.filter(pk__in=ids).order_by("pk").values_list("name", "created_at", "updated_at")) == [
        ("Satu", long_ago, long_ago), ("Dua", long_ago, long_ago)]


def test_a_row_with_the_nik_a_merged_person_kept_joins_the_person_it_was_merged_into(users):
    """After a merge where the kept record kept its own NIK, the merged record keeps the other one (for undo):
    a row with that NIK is registered on the kept person instead of failing the job as 'data changed'."""
    kept = register(users["regency"], nik="3511015203850003", name="Siti Aminah").person
    merged = register(users["regency"], nik="3511015203850004", name="Siti Aminah", category="LUT").person
    services.persons_merge(kept=kept, merged=merged, actor=users["regency"], choices={"nik": "kept"})
    merged.refresh_from_db()
    assert (merged.nik, merged.merged_into_id) == ("3511015203850004", kept.pk)
    job = run_import(users["regency"], [row(nik="3511015203850004", kategori="PD", tanggal_lahir="1985-03-12")])
    assert (job.state, job.created_persons, job.created_registrations) == ("done", 0, 1)
    assert Registration.objects.filter(person=kept, category__code="PD").exists()
