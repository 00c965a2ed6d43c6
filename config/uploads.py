"""Checks every uploaded file passes before it is read or stored, and the safe way to send one back.

Used by the PPKS import (CSV/XLSX), the survey answers import (CSV/XLSX) and the activity evidence
(JPEG/PNG/PDF). Each caller names the extensions it accepts and its size limit; ``check_upload``
then refuses, with an Indonesian message:

- empty files and files over the limit (ASVS 5.2.1),
- an extension the caller does not accept, or content whose magic bytes do not match the
  extension (a renamed file; ASVS 5.2.2),
- for XLSX, archives that are not workbooks or would unpack too large: total uncompressed size,
  compression ratio per member, number of members (zip bombs; ASVS 5.2.3),
- for images, files Pillow cannot verify, and for CSV, binary content.

Stored files get a random name (``random_name``) so no user-chosen name reaches the disk, and are
sent back only through views that check access, as attachments with ``nosniff`` (``attachment``).
"""

import io
import os
import uuid
import zipfile

from django.http import FileResponse
from django.utils.translation import gettext as _

XLSX_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
XLSX_MAX_COMPRESSION_RATIO = 100
XLSX_MAX_MEMBERS = 1000
# A member this small may be compressed as well as it likes: the ratio check is for large parts.
XLSX_RATIO_FREE_BYTES = 1024 * 1024

MAGIC = {
    ".xlsx": (b"PK\x03\x04",),
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}
IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg"})
TEXT_EXTENSIONS = frozenset({".csv"})


class UploadRejected(Exception):
    """The uploaded file as a whole is refused; ``message`` says why, in Indonesian."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def size_label(size: int) -> str:
    """``20 MB``, or ``500 KB`` for limits under a megabyte."""
    if size < 1024 * 1024:
        return "{:.0f} KB".format(size / 1024)
    return "{:.0f} MB".format(size / (1024 * 1024))


def extension_of(name: str | None) -> str:
    """Lower-case extension with its dot (``.xlsx``), or ``""``."""
    return os.path.splitext(name or "")[1].lower()


def random_name(original_name: str | None, *, prefix: str = "") -> str:
    """A random file name that keeps only the (lower-case) extension of the uploaded name."""
    return "{}{}{}".format(prefix, uuid.uuid4().hex, extension_of(original_name))


def read_head(upload, size: int = 8192) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def check_upload(upload, *, extensions: frozenset[str] | set[str], max_bytes: int,
                 too_large_message: str | None = None, unsupported_message: str | None = None) -> str:
    """Refuse an upload that is empty, too large, of another type or whose content lies about its type.

    Returns the extension (``.xlsx``). The messages for size and type can be given by the caller
    so each form keeps its own wording.
    """
    if upload.size > max_bytes:
        raise UploadRejected(too_large_message or _("Berkas terlalu besar ({size}); batasnya {limit}.").format(
            size=size_label(upload.size), limit=size_label(max_bytes)))
    if upload.size == 0:
        raise UploadRejected(_("Berkas kosong."))
    extension = extension_of(upload.name)
    if extension not in extensions:
        raise UploadRejected(unsupported_message or _("Jenis berkas tidak diterima. Yang diterima: {types}.").format(
            types=", ".join(sorted(extensions))))
    head = read_head(upload)
    if extension in MAGIC and not head.startswith(MAGIC[extension]):
        raise UploadRejected(_("Isi berkas tidak sesuai dengan jenisnya ({extension}).").format(extension=extension))
    if extension in TEXT_EXTENSIONS:
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise UploadRejected(_("Berkas CSV harus berenkode UTF-8."))
        if head.startswith(b"PK") or b"\x00" in head:
            raise UploadRejected(_("Berkas {extension} ini bukan teks (mungkin berkas lain yang diganti "
                                   "namanya).").format(extension=extension))
    if extension == ".xlsx":
        check_xlsx_archive(upload)
    if extension in IMAGE_EXTENSIONS:
        check_image(upload)
    return extension


def check_image(upload) -> None:
    """Pillow must be able to read the whole image (refuses truncated files and other content)."""
    from PIL import Image, UnidentifiedImageError

    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise UploadRejected(_("Berkas gambar rusak atau bukan gambar JPG/PNG.")) from error
    finally:
        upload.seek(0)


def check_xlsx_archive(fileobj, *, max_uncompressed_bytes: int = XLSX_MAX_UNCOMPRESSED_BYTES,
                       max_ratio: int = XLSX_MAX_COMPRESSION_RATIO, max_members: int = XLSX_MAX_MEMBERS) -> None:
    """Refuse zip bombs and non-workbooks before any XML is parsed (ASVS 5.2.3).

    Only the archive's directory is read; nothing is decompressed.
    """
    if isinstance(fileobj, bytes | bytearray):
        fileobj = io.BytesIO(fileobj)
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UploadRejected(_("Berkas .xlsx rusak atau bukan berkas Excel.")) from error
    finally:
        fileobj.seek(0)
    if len(members) > max_members:
        raise UploadRejected(
            _("Berkas Excel berisi terlalu banyak bagian ({count}); batasnya {limit}.").format(
                count=len(members), limit=max_members
            )
        )
    if "xl/workbook.xml" not in {member.filename for member in members}:
        raise UploadRejected(_("Berkas .xlsx ini bukan buku kerja Excel (xl/workbook.xml tidak ada)."))
    total = sum(member.file_size for member in members)
    if total > max_uncompressed_bytes:
        raise UploadRejected(
            _("Isi berkas Excel terlalu besar setelah dibuka ({size}; batas {limit}). Berkas ditolak demi "
              "keamanan.").format(size=size_label(total), limit=size_label(max_uncompressed_bytes))
        )
    for member in members:
        if member.file_size > XLSX_RATIO_FREE_BYTES and member.file_size > max_ratio * max(member.compress_size, 1):
            raise UploadRejected(
                _("Bagian {name} pada berkas Excel terkompresi tidak wajar (rasio lebih dari {ratio}:1). Berkas "
                  "ditolak demi keamanan.").format(name=member.filename, ratio=max_ratio)
            )


def attachment(fileobj, *, filename: str, content_type: str | None = None) -> FileResponse:
    """Send a stored file as a download: never rendered inline, never sniffed, never cached."""
    response = FileResponse(fileobj, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
