"""Upload checks shared by every upload (config.uploads) and how stored files are sent back."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve, reverse
from PIL import Image

from actionplans import services as plan_services
from config import uploads
from dimensions import imports as answer_imports
from ppks import imports as ppks_imports
from tests.actionplans.conftest import approved_plan, plan, validated_baseline  # noqa: F401 - fixtures
from tests.dimensions.conftest import instrument, make_assessment  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


ZIP_BOMB = zip_bytes({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"\0" * (30 * 1024 * 1024)})
PHOTO_TYPES = {".jpg", ".jpeg", ".png", ".pdf"}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("kosong.png", b"", "Berkas kosong."),
        ("program.exe", b"MZ\x90\x00", "Jenis berkas tidak diterima. Yang diterima: .jpeg, .jpg, .pdf, .png."),
        ("foto.png", b"MZ\x90\x00" + b"\0" * 64, "Isi berkas tidak sesuai dengan jenisnya (.png)."),
        ("surat.pdf", b"<html><script>alert(1)</script>", "Isi berkas tidak sesuai dengan jenisnya (.pdf)."),
        ("foto.png", b"\x89PNG\r\n\x1a\n" + b"<html>" * 20, "Berkas gambar rusak atau bukan gambar JPG/PNG."),
        ("foto.JPG", b"\xff\xd8\xff\xe0" + b"\0" * 32, "Berkas gambar rusak atau bukan gambar JPG/PNG."),
    ],
    ids=["empty", "executable", "renamed_executable", "html_as_pdf", "png_polyglot", "truncated_jpeg"],
)
def test_check_upload_refuses_files_that_are_not_what_they_claim(name, content, message):
    with pytest.raises(uploads.UploadRejected) as error:
        uploads.check_upload(SimpleUploadedFile(name, content), extensions=PHOTO_TYPES, max_bytes=1024 * 1024)
    assert error.value.message == message


def test_check_upload_limits_size_and_accepts_a_real_image():
    with pytest.raises(uploads.UploadRejected) as error:
        uploads.check_upload(SimpleUploadedFile("foto.png", png_bytes()), extensions=PHOTO_TYPES, max_bytes=10)
    assert error.value.message.startswith("Berkas terlalu besar")
    upload = SimpleUploadedFile("Foto Kegiatan.PNG", png_bytes())
    assert uploads.check_upload(upload, extensions=PHOTO_TYPES, max_bytes=1024 * 1024) == ".png"
    assert upload.tell() == 0  # left ready to be stored


def test_csv_must_be_text():
    with pytest.raises(uploads.UploadRejected):
        uploads.check_upload(SimpleUploadedFile("data.csv", b"nama\x00\x01"), extensions={".csv"}, max_bytes=1000)


def test_random_names_keep_only_the_extension():
    name = uploads.random_name("../../etc/Laporan Desa.PDF")
    assert name.endswith(".pdf")
    assert "/" not in name
    assert "Laporan" not in name
    assert len(name) == 32 + 4
    assert uploads.random_name("x.pdf") != uploads.random_name("x.pdf")


def test_xlsx_zip_bomb_check_is_shared_by_both_imports():
    assert ppks_imports.ImportFileError is uploads.UploadRejected
    with pytest.raises(uploads.UploadRejected) as shared:
        uploads.check_xlsx_archive(io.BytesIO(ZIP_BOMB))
    assert "terkompresi tidak wajar" in shared.value.message
    with pytest.raises(ValidationError) as answers:
        answer_imports.read_rows(SimpleUploadedFile("jawaban.xlsx", ZIP_BOMB), ["1.1"])
    assert answers.value.messages == [shared.value.message]
    with pytest.raises(uploads.UploadRejected):
        ppks_imports.inspect_upload(SimpleUploadedFile("data.xlsx", ZIP_BOMB))


def test_answers_import_refuses_a_renamed_file():
    with pytest.raises(ValidationError) as error:
        answer_imports.read_rows(SimpleUploadedFile("jawaban.xlsx", b"responden,lembaga\n"), ["1.1"])
    assert error.value.messages == ["Isi berkas tidak sesuai dengan jenisnya (.xlsx)."]
    with pytest.raises(ValidationError) as error:
        answer_imports.read_rows(SimpleUploadedFile("jawaban.csv", zip_bytes({"xl/workbook.xml": b""})), ["1.1"])
    assert "bukan teks" in error.value.messages[0]


def test_evidence_is_stored_under_a_random_name_and_downloaded_only_in_scope(client, users, approved_plan):  # noqa: F811
    activity = approved_plan.activities.get()
    evidence = plan_services.evidence_add(activity=activity, actor=users["pensosmas"],
                                          upload=SimpleUploadedFile("rumah bu siti.png", png_bytes()))
    assert "rumah" not in evidence.file.name
    url = reverse("actionplans:evidence-download", args=[approved_plan.pk, activity.pk, evidence.pk])
    client.force_login(users["regency"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="bukti-{}.png"'.format(evidence.pk)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == png_bytes()
    page = client.get(reverse("actionplans:activity", args=[approved_plan.pk, activity.pk]))
    assert url in page.content.decode()
    client.force_login(users["other_regency"])
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_evidence_page_shows_the_rejection(client, users, approved_plan):  # noqa: F811
    activity = approved_plan.activities.get()
    client.force_login(users["pensosmas"])
    response = client.post(reverse("actionplans:activity", args=[approved_plan.pk, activity.pk]),
                           {"form": "evidence", "file": SimpleUploadedFile("foto.jpg", b"%PDF-1.7 palsu")})
    assert response.status_code == 200
    assert response.context["evidence_form"].errors["file"] == ["Isi berkas tidak sesuai dengan jenisnya (.jpg)."]
    assert not activity.evidence.exists()


def test_uploaded_files_are_never_served_directly(settings):
    with pytest.raises(Resolver404):
        resolve(settings.MEDIA_URL + "evidence/2026/01/foto.png")
    with pytest.raises(Resolver404):
        resolve(settings.MEDIA_URL + "imports/2026/01/data.csv")
