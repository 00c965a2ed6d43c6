"""``regions_import``: inserts, renames, deactivation, bad lines and idempotency, on small CSVs."""

import hashlib

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditEvent
from villages.models import District, Province, Regency, RegionImport, Village
from villages.services import regions_import, regions_import_file

pytestmark = pytest.mark.django_db

BASE = [
    "code,name",
    "35,JAWA TIMUR",
    "35.11,KAB. BONDOWOSO",
    "35.11.01,Maesan",
    "35.11.01.2001,Sucolor",
    "35.11.01.2002,Pujer Baru",
    "35.71,KOTA KEDIRI",
    "35.71.01,Mojoroto",
    "35.71.01.1001,Pojok",
]


def test_first_import_inserts_every_level():
    result = regions_import(lines=BASE)
    assert (result.created, result.renamed, result.deactivated, result.unchanged) == (8, 0, 0, 0)
    assert result.errors == []
    assert Province.objects.get(code="35").name == "JAWA TIMUR"
    assert Regency.objects.get(code="35.11").province_id == "35"
    assert District.objects.get(code="35.11.01").regency_id == "35.11"
    village = Village.objects.get(code="35.11.01.2001")
    assert (village.district_id, village.kind) == ("35.11.01", "desa")
    assert Village.objects.get(code="35.71.01.1001").kind == "kelurahan"
    assert Regency.objects.get(code="35.71").kind == "kota"


def test_second_import_of_same_file_changes_nothing_and_says_so():
    regions_import(lines=BASE)
    result = regions_import(lines=BASE)
    assert not result.changed
    assert result.unchanged == 8
    assert result.summary() == "Tidak ada perubahan: 8 kode sudah sesuai."


def test_renamed_codes_are_updated_and_absent_codes_become_inactive_not_deleted():
    regions_import(lines=BASE)
    changed = [line for line in BASE if not line.startswith("35.11.01.2002")]
    changed = [line.replace("Sucolor", "Sucolor Baru") for line in changed]
    result = regions_import(lines=changed)
    assert (result.created, result.renamed, result.deactivated) == (0, 1, 1)
    assert Village.objects.get(code="35.11.01.2001").name == "Sucolor Baru"
    dropped = Village.objects.get(code="35.11.01.2002")
    assert dropped.active is False


def test_a_code_that_returns_is_reactivated():
    regions_import(lines=BASE)
    regions_import(lines=BASE[:-1])
    result = regions_import(lines=BASE)
    assert result.reactivated == 1
    assert Village.objects.get(code="35.71.01.1001").active is True


def test_bad_lines_are_reported_with_line_numbers_and_skipped():
    lines = [
        *BASE,
        "35.11.1.2003,Kode Pendek",
        "35.11.01.2004,",
        "35.11.01.2001,Sucolor Lagi",
        "35.99.01.2001,Tanpa Induk",
        "bukan kode,Asal",
        "35.11.01.2005,Sumbersari",
    ]
    result = regions_import(lines=lines)
    messages = [str(error) for error in result.errors]
    assert messages == [
        "Baris 10, kolom kode: bentuk kode '35.11.1.2003' tidak sah; contoh yang benar: 35, 35.11, 35.11.01, "
        "35.11.01.2001.",
        "Baris 11, kolom nama: nama wilayah kosong untuk kode 35.11.01.2004.",
        "Baris 12, kolom kode: kode 35.11.01.2001 ganda; sudah ada di baris 5.",
        "Baris 13, kolom kode: induk 35.99.01 untuk kode 35.99.01.2001 tidak ada di berkas.",
        "Baris 14, kolom kode: bentuk kode 'bukan kode' tidak sah; contoh yang benar: 35, 35.11, 35.11.01, "
        "35.11.01.2001.",
    ]
    assert Village.objects.filter(code="35.11.01.2005").exists()
    assert not Village.objects.filter(code="35.99.01.2001").exists()
    assert Village.objects.get(code="35.11.01.2001").name == "Sucolor"
    assert "5 baris dilewati karena salah" in result.summary()


def test_orphans_cascade_down_the_hierarchy():
    result = regions_import(lines=["35,JAWA TIMUR", "35.12.01,Tanpa Kabupaten", "35.12.01.2001,Anak Yatim"])
    assert [error.line for error in result.errors] == [2, 3]
    assert Village.objects.count() == 0


def test_quoted_names_and_bom(tmp_path):
    path = tmp_path / "wilayah.csv"
    path.write_text('\ufeff35,JAWA TIMUR\n35.11,KAB. BONDOWOSO\n35.11.01,Maesan\n35.11.01.2001,"Lubuk I,II"\n',
                    encoding="utf-8")
    result = regions_import_file(path=path)
    assert result.errors == []
    assert Village.objects.get(code="35.11.01.2001").name == "Lubuk I,II"


def test_import_is_audited():
    regions_import(lines=BASE, source="uji.csv")
    event = AuditEvent.objects.get(action="villages.regions_import")
    assert event.detail["created"] == 8
    assert event.detail["source"] == "uji.csv"


def test_management_command_reports_and_is_idempotent(tmp_path, capsys):
    path = tmp_path / "wilayah.csv"
    path.write_text("\n".join([*BASE, "35.11.01.20X1,Salah"]) + "\n", encoding="utf-8")
    call_command("import_regions", str(path))
    first = capsys.readouterr()
    assert "8 kode baru" in first.out
    assert "Baris 10, kolom kode" in first.err
    call_command("import_regions", str(path))
    assert "Tidak ada perubahan" in capsys.readouterr().out


def test_management_command_without_path_reads_the_bundled_national_file(capsys):
    call_command("import_regions")
    output = capsys.readouterr().out
    assert "kode baru" in output
    assert Province.objects.count() == 38
    assert Province.objects.get(code="96").name == "Papua Barat Daya"
    assert Regency.objects.count() == 514
    assert Village.objects.count() > 83000
    assert Village.objects.get(code="35.11.01.2001").name == "Sucolor"


def test_build_region_file_combines_the_four_level_files(tmp_path, capsys):
    source = tmp_path / "data"
    source.mkdir()
    (source / "provinces.csv").write_text("code,name\n35,Jawa Timur\n", encoding="utf-8")
    (source / "regencies.csv").write_text("code,province_code,name\n35.11,35,Kabupaten  Bondowoso\n", encoding="utf-8")
    (source / "districts.csv").write_text("code,regency_code,name\n35.11.01,35.11,Maesan\n", encoding="utf-8")
    (source / "villages.csv").write_text("code,district_code,name\n35.11.01.2001,35.11.01,Sucolor\n",
                                         encoding="utf-8")
    output = tmp_path / "wilayah.csv.gz"
    call_command("build_region_file", str(source), "--output", str(output))
    call_command("import_regions", str(output))
    assert "4 kode baru" in capsys.readouterr().out
    assert Regency.objects.get(code="35.11").name == "Kabupaten Bondowoso"


# --- Issue 16: a stale file must not retire codes silently ------------------------------------------------------

NATIONAL_SAMPLE = [
    *BASE,
    *["35.11.01.{},Desa {}".format(3000 + number, number) for number in range(200)],
    "33,JAWA TENGAH", "33.73,KOTA SALATIGA", "33.73.04,Sidorejo", "33.73.04.1001,Salatiga",
]


def _write(tmp_path, lines, name="wilayah.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_dry_run_prints_the_plan_and_writes_nothing(tmp_path, capsys):
    call_command("import_regions", str(_write(tmp_path, NATIONAL_SAMPLE)), "--dry-run")
    output = capsys.readouterr().out
    assert "uji coba" in output
    assert "{} kode baru".format(len(NATIONAL_SAMPLE) - 1) in output
    assert not Village.objects.exists()
    assert not RegionImport.objects.exists()


def test_file_that_retires_a_whole_province_is_refused_without_allow_deactivate(tmp_path, capsys):
    call_command("import_regions", str(_write(tmp_path, NATIONAL_SAMPLE)))
    stale = [line for line in NATIONAL_SAMPLE if not line.startswith("33")]
    with pytest.raises(CommandError, match="seluruh provinsi 33"):
        call_command("import_regions", str(_write(tmp_path, stale, "lama.csv")))
    assert Province.objects.get(code="33").active
    assert Village.objects.get(code="33.73.04.1001").active
    call_command("import_regions", str(_write(tmp_path, stale, "lama.csv")), "--allow-deactivate")
    assert not Province.objects.get(code="33").active


def test_file_that_retires_more_than_the_share_is_refused(tmp_path, settings):
    call_command("import_regions", str(_write(tmp_path, NATIONAL_SAMPLE)))
    # 5 of 212 active codes (2.4%) disappear: over the 1% default, under a 5% setting.
    fewer = [line for line in NATIONAL_SAMPLE if line not in {"35.11.01.{},Desa {}".format(3000 + n, n)
                                                             for n in range(5)}]
    with pytest.raises(CommandError, match=r"lebih dari batas 1\.0%"):
        call_command("import_regions", str(_write(tmp_path, fewer, "baru.csv")))
    assert Village.objects.filter(active=True).count() == 204
    settings.SIDBS_REGION_DEACTIVATE_MAX_SHARE = 0.05
    call_command("import_regions", str(_write(tmp_path, fewer, "baru.csv")))
    assert Village.objects.filter(active=True).count() == 199


def test_each_import_is_logged_with_file_name_hash_and_date(tmp_path):
    path = _write(tmp_path, NATIONAL_SAMPLE, "wilayah-2025.csv")
    call_command("import_regions", str(path))
    log = RegionImport.objects.get()
    assert log.source_name == "wilayah-2025.csv"
    assert log.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert log.file_date is not None
    assert log.created == len(NATIONAL_SAMPLE) - 1


def test_admin_home_links_to_the_region_import_log(client, tmp_path, django_user_model):
    call_command("import_regions", str(_write(tmp_path, NATIONAL_SAMPLE, "wilayah-2025.csv")))
    admin = django_user_model.objects.create_superuser(username="root", password="rahasia-uji-123")
    client.force_login(admin)
    page = client.get("/").content.decode()
    assert "/admin/villages/regionimport/" in page
    listing = client.get("/admin/villages/regionimport/")
    assert listing.status_code == 200
    assert "wilayah-2025.csv" in listing.content.decode()


def test_codes_written_with_other_digits_are_line_errors():
    result = regions_import(lines=[*BASE, "٣٥.١١.٠١.٢٠٠٣,Desa Arab", "３５.１１.０１.２００４,Desa Lebar"])
    assert [(error.line, error.field) for error in result.errors] == [(10, "kode"), (11, "kode")]
    assert Village.objects.count() == 3
