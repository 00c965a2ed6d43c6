"""Bulk import of PPKS registrations from CSV or XLSX: reading, checking, validating, writing.

The flow for one ``ImportJob``:

1. ``inspect_upload`` (at upload time): size limit, format from extension *and* content, and for
   XLSX the zip checks (total uncompressed size, compression ratio, member count, workbook part).
2. ``read_table``: the header and the rows as strings (CSV: UTF-8 with or without BOM, ``,``/``;``
   sniffed; XLSX: python-calamine, sheet "Data" or the first sheet).
3. ``validate_rows``: every row checked against prefetched reference data (villages in the file,
   categories, region codes named by the NIKs), errors collected as ``{line, field, message}``.
   No query per row.
4. ``import_execute``: match people already registered (by NIK, or by name key + birth date +
   village when there is no NIK), skip registrations the person already holds open, and write the
   rest with ``bulk_create`` in batches inside one transaction. All-or-nothing (the default) writes
   nothing when any row has an error.
"""

import csv
import datetime
import functools
import io
import logging
import operator
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scoping import scope_of
from accounts.services import audit_record
from config import uploads
from config.caching import cache_delete_quietly, cache_get_quietly, cache_set_quietly
from config.digits import digits_problem, foreign_digit, is_ascii_digits
from config.files import stream_sha256
from config.ratelimit import RateLimitExceeded, rate_consume, retry_message
from config.uploads import UploadRejected
from ppks import bulk_rows
from ppks.history import history_actor
from ppks.models import (
    Category,
    DuplicateCandidate,
    ImportJob,
    Person,
    Registration,
    RegistrationEvent,
    Sex,
    age_on,
)
from ppks.names import normalise_name
from ppks.nik import check_kk, check_nik
from ppks.services import birth_date_problem, category_criteria_warnings, nik_check_message
from villages.models import District, Regency, Village

MAX_UPLOAD_BYTES = getattr(settings, "PPKS_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
MAX_UNCOMPRESSED_BYTES = getattr(settings, "PPKS_IMPORT_MAX_UNCOMPRESSED_BYTES", uploads.XLSX_MAX_UNCOMPRESSED_BYTES)
MAX_COMPRESSION_RATIO = uploads.XLSX_MAX_COMPRESSION_RATIO
MAX_ZIP_MEMBERS = uploads.XLSX_MAX_MEMBERS
MAX_ROWS = getattr(settings, "PPKS_IMPORT_MAX_ROWS", 500_000)
SYNC_ROW_LIMIT = getattr(settings, "PPKS_IMPORT_SYNC_ROWS", 2000)
BATCH_SIZE = 2000
QUERY_CHUNK = 2000
WARNINGS_STORED = 1000
DUPLICATE_PAIRS_PER_GROUP = 20
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")
CLOSED_STATUSES = (Registration.Status.REJECTED, Registration.Status.CLOSED)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Column:
    key: str
    required: bool
    description: object
    example: str


COLUMNS = (
    Column("nama", True, gettext_lazy("Nama lengkap sesuai KTP/KK."), "Siti Aminah"),
    Column("nik", False, gettext_lazy("16 digit angka. Kosongkan bila tidak ada, lalu isi alasan_tanpa_nik."),
           "3511015203850003"),
    Column("alasan_tanpa_nik", False,
           gettext_lazy("Wajib bila NIK kosong: belum_punya, dalam_proses atau tidak_diketahui."), ""),
    Column("no_kk", False, gettext_lazy("Nomor Kartu Keluarga, 16 digit angka."), "3511010101200001"),
    Column("jenis_kelamin", True, gettext_lazy("L (laki-laki) atau P (perempuan)."), "P"),
    Column("tempat_lahir", False, gettext_lazy("Kota/kabupaten tempat lahir."), "Bondowoso"),
    Column("tanggal_lahir", False, gettext_lazy("YYYY-MM-DD, DD/MM/YYYY atau DD-MM-YYYY."), "1985-03-12"),
    Column("kode_desa", True, gettext_lazy("Kode Kemendagri desa/kelurahan dengan titik (13 karakter), "
                                           "di dalam wilayah kerja Anda."), "35.11.01.2001"),
    Column("dusun", False, gettext_lazy("Dusun/lingkungan."), "Krajan"),
    Column("rt", False, gettext_lazy("Nomor RT, angka (maks. 3 digit)."), "001"),
    Column("rw", False, gettext_lazy("Nomor RW, angka (maks. 3 digit)."), "002"),
    Column("alamat", False, gettext_lazy("Alamat jalan/nomor rumah."), "Jl. Melati 5"),
    Column("telepon", False, gettext_lazy("Nomor telepon/HP."), "081234567890"),
    Column("disabilitas", False, gettext_lazy("Kosong, atau salah satu kode disabilitas (lihat daftar)."), ""),
    Column("desil_dtsen", False, gettext_lazy("Desil DTSEN 1 sampai 10."), "1"),
    Column("desil_per_tanggal", False, gettext_lazy("Tanggal data desil DTSEN."), "2026-01-01"),
    Column("kategori", True, gettext_lazy("Kode kategori PPKS (lihat daftar), mis. FM."), "FM"),
    Column("kebutuhan", False, gettext_lazy("Kebutuhan/keterangan singkat."), "Bantuan pangan"),
    Column("tanggal_asesmen", False, gettext_lazy("Tanggal asesmen; kosong berarti hari ini."), ""),
)
COLUMN_KEYS = tuple(column.key for column in COLUMNS)
REQUIRED_KEYS = tuple(column.key for column in COLUMNS if column.required)
NO_NIK_REASONS = tuple(value for value in Person.NikStatus.values if value != Person.NikStatus.RECORDED)
DISABILITY_CODES = tuple(value for value in Person.Disability.values if value)
SEX_ALIASES = {"L": "L", "P": "P", "LAKI-LAKI": "L", "LAKI LAKI": "L", "PEREMPUAN": "P", "PR": "P", "LK": "L"}


# The file as a whole cannot be read (wrong type, too large, unsafe archive, bad header).
ImportFileError = UploadRejected


@dataclass
class RowError:
    line: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "field": self.field, "message": self.message}


def format_error(error: dict) -> str:
    """``Baris 5, kolom nik: NIK harus 16 digit angka (sekarang 15 karakter).``"""
    if not error.get("line"):
        return error["message"]
    return _("Baris {line}, kolom {field}: {message}").format(
        line=error["line"], field=error["field"] or "-", message=error["message"]
    )


# ---------------------------------------------------------------------------------------------
# Upload checks
# ---------------------------------------------------------------------------------------------


@dataclass
class UploadInfo:
    format: str
    size: int
    sha256: str


def _size_label(size: int) -> str:
    return "{:.0f} MB".format(size / (1024 * 1024))


def inspect_upload(upload) -> UploadInfo:
    """Check an uploaded file before it is stored; raises ImportFileError with an Indonesian message."""
    size = upload.size
    if size > MAX_UPLOAD_BYTES:
        raise ImportFileError(
            _("Berkas terlalu besar ({size}); batas unggahan {limit}. Pecah menjadi beberapa berkas.").format(
                size=_size_label(size), limit=_size_label(MAX_UPLOAD_BYTES)
            )
        )
    if size == 0:
        raise ImportFileError(_("Berkas kosong."))
    name = (upload.name or "").lower()
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if name.endswith(".xlsx"):
        if not head.startswith(b"PK\x03\x04"):
            raise ImportFileError(_("Berkas .xlsx ini bukan berkas Excel yang sah."))
        check_xlsx_archive(upload)
        file_format = ImportJob.Format.XLSX
    elif name.endswith(".csv"):
        if head.startswith(b"PK") or b"\x00" in head:
            raise ImportFileError(_("Berkas .csv ini bukan teks CSV (mungkin berkas Excel yang diganti namanya)."))
        file_format = ImportJob.Format.CSV
    else:
        raise ImportFileError(_("Format berkas tidak didukung. Unggah berkas .csv atau .xlsx."))
    upload.seek(0)
    digest = stream_sha256(upload)
    upload.seek(0)
    return UploadInfo(format=file_format, size=size, sha256=digest)


def check_xlsx_archive(fileobj) -> None:
    """Refuse zip bombs and non-workbooks before any XML is parsed (``config.uploads``, ASVS 5.2.3)."""
    uploads.check_xlsx_archive(fileobj, max_uncompressed_bytes=MAX_UNCOMPRESSED_BYTES,
                               max_ratio=MAX_COMPRESSION_RATIO, max_members=MAX_ZIP_MEMBERS)


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def _header_key(value) -> str:
    return "_".join(str(value or "").strip().lower().replace("-", " ").split())


def _cell_text(value) -> str:
    """A spreadsheet cell as the text the user meant (dates ISO, whole numbers without ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return "{:.0f}".format(value)
        return repr(value)
    if isinstance(value, (datetime.time, datetime.timedelta)):
        return str(value)
    return str(value).strip()


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page.
        return data.decode("cp1252", errors="replace")


def _sniff_delimiter(first_line: str) -> str:
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]
    numeric_nik_lines: set[int] = field(default_factory=set)


def read_table(fileobj, file_format: str) -> Table:
    """The header keys and the non-empty rows as (line number, cells as text)."""
    fileobj.seek(0)
    data = fileobj.read()
    if file_format == ImportJob.Format.XLSX:
        return _read_xlsx(data)
    return _read_csv(data)


def _read_csv(data: bytes) -> Table:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(first_line))
    try:
        header = [_header_key(value) for value in next(reader)]
    except StopIteration as error:
        raise ImportFileError(_("Berkas kosong.")) from error
    except csv.Error as error:
        raise ImportFileError(_("Berkas CSV tidak dapat dibaca: {error}").format(error=error)) from error
    rows = []
    try:
        for line, record in enumerate(reader, start=2):
            cells = [value.strip() for value in record]
            if any(cells):
                rows.append((line, cells))
                if len(rows) > MAX_ROWS:
                    break
    except csv.Error as error:
        raise ImportFileError(_("Berkas CSV tidak dapat dibaca: {error}").format(error=error)) from error
    return Table(header=header, rows=rows)


def _read_xlsx(data: bytes) -> Table:
    from python_calamine import CalamineError, CalamineWorkbook

    check_xlsx_archive(io.BytesIO(data))
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = workbook.sheet_names
        sheet_name = "Data" if "Data" in names else names[0]
        values = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    except (CalamineError, IndexError, ValueError, OSError) as error:
        raise ImportFileError(_("Berkas Excel tidak dapat dibaca: {error}").format(error=error)) from error
    if not values:
        raise ImportFileError(_("Lembar kerja pertama kosong."))
    header = [_header_key(value) for value in values[0]]
    nik_index = header.index("nik") if "nik" in header else None
    table = Table(header=header, rows=[])
    for line, record in enumerate(values[1:], start=2):
        cells = [_cell_text(value) for value in record]
        if not any(cells):
            continue
        if nik_index is not None and nik_index < len(record) and isinstance(record[nik_index], (int, float)):
            table.numeric_nik_lines.add(line)
        table.rows.append((line, cells))
        if len(table.rows) > MAX_ROWS:
            break
    return table


def count_rows(fileobj, file_format: str) -> int:
    """A quick row count (without validation) to decide between the request and a background task."""
    fileobj.seek(0)
    if file_format == ImportJob.Format.XLSX:
        from python_calamine import CalamineError, CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_filelike(fileobj)
            names = workbook.sheet_names
            sheet = workbook.get_sheet_by_name("Data" if "Data" in names else names[0])
            return max(sheet.height - 1, 0)
        except (CalamineError, IndexError, ValueError, OSError):
            return 0
        finally:
            fileobj.seek(0)
    lines = 0
    for chunk in iter(lambda: fileobj.read(1024 * 1024), b""):
        lines += chunk.count(b"\n")
    fileobj.seek(0)
    return max(lines - 1, 0)


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


@dataclass
class CleanRow:
    """A valid row: the person's fields, the registration's fields, and where it came from."""

    line: int
    nik: str | None
    nik_status: str
    kk_number: str
    name: str
    name_key: str
    sex: str
    birth_place: str
    birth_date: datetime.date | None
    village_id: str
    dusun: str
    rt: str
    rw: str
    street_address: str
    phone: str
    disability: str
    dtsen_decile: int | None
    dtsen_decile_as_of: datetime.date | None
    category: Category
    needs: str
    assessed_on: datetime.date


@dataclass
class Validation:
    rows: list[CleanRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    total_rows: int = 0
    error_lines: set[int] = field(default_factory=set)

    def add_error(self, line: int, column: str, message: str) -> None:
        self.errors.append(RowError(line, column, message))
        self.error_lines.add(line)


def _chunks(values: Iterable, size: int = QUERY_CHUNK) -> Iterator[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _existing(model, field_name: str, values: set[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(sorted(values)):
        found.update(model.objects.filter(**{field_name + "__in": chunk}).values_list(field_name, flat=True))
    return found


@functools.lru_cache(maxsize=65536)
def parse_date(value: str) -> datetime.date | None:
    """A date in one of DATE_FORMATS, or None; remembered, since a file repeats its dates many times."""
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, pattern).date()  # noqa: DTZ007 (a calendar date)
        except ValueError:
            continue
    return None


class _References:
    """Reference data the rows need, fetched in a few set-based queries."""

    def __init__(self, table: Table, header_index: dict[str, int]):
        village_index = header_index["kode_desa"]
        nik_index = header_index.get("nik")
        village_codes = {cells[village_index] for _line, cells in table.rows if village_index < len(cells)}
        self.villages = _existing(Village, "code", {code for code in village_codes if code})
        district_codes, regency_codes = set(), set()
        if nik_index is not None:
            for _line, cells in table.rows:
                nik = cells[nik_index] if nik_index < len(cells) else ""
                if len(nik) == 16 and is_ascii_digits(nik):
                    district_codes.add("{}.{}.{}".format(nik[0:2], nik[2:4], nik[4:6]))
                    regency_codes.add("{}.{}".format(nik[0:2], nik[2:4]))
        self.districts = _existing(District, "code", district_codes)
        self.regencies = _existing(Regency, "code", regency_codes)
        self.categories = {
            category.code.upper(): category
            for category in Category.objects.current().prefetch_related("assignments__directorate")
        }


def validate_rows(table: Table, *, user, today: datetime.date | None = None, progress=None) -> Validation:
    """Check every row; collect errors by line and field. No query per row."""
    today = today or timezone.localdate()
    result = Validation(total_rows=len(table.rows))
    header_index: dict[str, int] = {}
    for position, key in enumerate(table.header):
        if key in COLUMN_KEYS and key not in header_index:
            header_index[key] = position
    missing = [key for key in REQUIRED_KEYS if key not in header_index]
    if missing:
        raise ImportFileError(
            _("Kolom wajib tidak ada di baris judul: {columns}. Gunakan templat impor.").format(
                columns=", ".join(missing)
            )
        )
    if len(table.rows) > MAX_ROWS:
        raise ImportFileError(
            _("Berkas berisi lebih dari {limit} baris; pecah menjadi beberapa berkas.").format(limit=MAX_ROWS)
        )
    references = _References(table, header_index)
    scope = scope_of(user)
    in_scope_villages = {code for code in references.villages if scope.covers(code)}
    seen_niks: dict[str, int] = {}
    known_district = references.districts.__contains__
    known_regency = references.regencies.__contains__
    cells_of = _cells_reader(header_index)
    _birth_date_problem.cache_clear()
    for count, (line, cells) in enumerate(table.rows, start=1):
        values = cells_of(cells)
        if CONTROL_CHARACTERS.search("\n".join(values.values())) and _refuse_control_characters(line, values, result):
            continue
        clean = _validate_row(
            line, values, result, references, in_scope_villages, seen_niks, known_district, known_regency, today,
            numeric_nik=line in table.numeric_nik_lines,
        )
        if clean is not None:
            result.rows.append(clean)
        if progress is not None and count % BATCH_SIZE == 0:
            progress(count / max(len(table.rows), 1))
    return result


def _cells_reader(header_index: dict[str, int]):
    """A function turning a row's cells into ``{column key: text}`` ("" for a column absent from the file or
    the row); one ``itemgetter`` call per row instead of a lookup per cell."""
    present = [(key, header_index[key]) for key in COLUMN_KEYS if key in header_index]
    absent = {key: "" for key in COLUMN_KEYS if key not in header_index}
    keys = [key for key, _index in present]
    width = max(index for _key, index in present) + 1
    getter = operator.itemgetter(*(index for _key, index in present))

    def cells_of(cells: list[str]) -> dict[str, str]:
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        values = dict(zip(keys, getter(cells) if len(keys) > 1 else (getter(cells),), strict=True))
        if absent:
            values.update(absent)
        return values

    return cells_of


# The one birth-date rule (ppks.services), remembered within one validation (cleared at its start).
_birth_date_problem = functools.lru_cache(maxsize=65536)(birth_date_problem)

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _refuse_control_characters(line: int, values: dict[str, str], result: Validation) -> bool:
    """Refuse a row whose cells hold control characters (a NUL byte, an escape): the database cannot store
    some of them and none belongs in a name or an address. True when the row was refused."""
    refused = False
    for column, value in values.items():
        if value and CONTROL_CHARACTERS.search(value):
            result.add_error(line, column, _("Berisi karakter kendali (mis. NUL) yang tidak terlihat; hapus "
                                             "karakter itu lalu unggah ulang."))
            refused = True
    return refused


def _validate_row(line, values, result, references, in_scope_villages, seen_niks, known_district, known_regency,
                  today, *, numeric_nik: bool) -> CleanRow | None:
    errors_before = len(result.errors)

    def error(column: str, message: str) -> None:
        result.add_error(line, column, message)

    def warn(column: str, message: str) -> None:
        result.warnings.append(RowError(line, column, message))

    def date_of(column: str) -> datetime.date | None:
        text = values[column]
        if not text:
            return None
        parsed = parse_date(text)
        if parsed is None:
            error(column, _("Tanggal '{value}' tidak dikenali; gunakan YYYY-MM-DD atau DD/MM/YYYY.").format(
                value=text[:30]))
        elif parsed > today:
            error(column, _("Tanggal {value} ada di masa depan.").format(value=parsed.isoformat()))
            return None
        return parsed

    def limited(column: str, limit: int) -> str:
        text = " ".join(values[column].split())
        if len(text) > limit:
            error(column, _("Paling banyak {limit} karakter (sekarang {count}).").format(limit=limit, count=len(text)))
        return text

    name = limited("nama", 150)
    if not name:
        error("nama", _("Nama wajib diisi."))
    sex = SEX_ALIASES.get(values["jenis_kelamin"].upper())
    if sex is None:
        error("jenis_kelamin", _("Isi L atau P (sekarang '{value}').").format(value=values["jenis_kelamin"][:20]))
    birth_date = date_of("tanggal_lahir")
    if birth_date is not None and (problem := _birth_date_problem(birth_date, today)):
        error("tanggal_lahir", problem)
        birth_date = None
    nik = values["nik"].replace(" ", "") or None
    nik_status = Person.NikStatus.RECORDED
    if numeric_nik and nik:
        error("nik", _("NIK tersimpan sebagai angka di Excel sehingga digit terakhir bisa berubah; format kolom nik "
                       "sebagai Teks lalu ketik ulang."))
    elif nik:
        check = check_nik(nik, birth_date=birth_date, sex=sex, known_district=known_district,
                          known_regency=known_regency, today=today)
        for message in check.errors:
            error("nik", message)
        for message in check.warnings:
            warn("nik", message)
        if not check.errors:
            first = seen_niks.get(nik)
            if first is not None:
                error("nik", _("NIK sama dengan baris {line} di berkas ini.").format(line=first))
            else:
                seen_niks[nik] = line
    else:
        reason = values["alasan_tanpa_nik"].lower()
        if reason not in NO_NIK_REASONS:
            error("alasan_tanpa_nik", _("NIK kosong: isi alasan_tanpa_nik dengan {choices}.").format(
                choices=", ".join(NO_NIK_REASONS)))
        else:
            nik_status = reason
    kk_number = values["no_kk"].replace(" ", "")
    if kk_number:
        for message in check_kk(kk_number).errors:
            error("no_kk", message)
    village = values["kode_desa"]
    if not village:
        error("kode_desa", _("Kode desa wajib diisi."))
    elif foreign_digit(village):
        error("kode_desa", digits_problem(village, label=_("Kode desa")))
    elif village not in references.villages:
        error("kode_desa", _("Kode desa {code} tidak ada di daftar wilayah (contoh format: 35.11.01.2001).").format(
            code=village[:20]))
    elif village not in in_scope_villages:
        error("kode_desa", _("Desa {code} di luar wilayah kerja Anda.").format(code=village))
    rt_rw = {}
    for column in ("rt", "rw"):
        text = values[column]
        if text and foreign_digit(text):
            error(column, digits_problem(text, label=column.upper(), max_length=3))
        elif text and (not is_ascii_digits(text) or len(text) > 3):
            error(column, _("{column} harus angka, paling banyak 3 digit (sekarang '{value}').").format(
                column=column.upper(), value=text[:10]))
        rt_rw[column] = text.zfill(3) if text else ""
    disability = values["disabilitas"].lower()
    if disability and disability not in DISABILITY_CODES:
        error("disabilitas", _("Kode disabilitas tidak dikenal; gunakan {choices}.").format(
            choices=", ".join(DISABILITY_CODES)))
    decile = None
    if values["desil_dtsen"]:
        text = values["desil_dtsen"]
        if not is_ascii_digits(text) or not 1 <= int(text) <= 10:
            error("desil_dtsen", _("Desil DTSEN harus 1 sampai 10."))
        else:
            decile = int(text)
    decile_as_of = date_of("desil_per_tanggal")
    category = references.categories.get(values["kategori"].upper())
    if category is None:
        error("kategori", _("Kode kategori '{code}' tidak dikenal; lihat lembar Petunjuk.").format(
            code=values["kategori"][:20]))
    assessed_on = date_of("tanggal_asesmen") or today
    phone = limited("telepon", 20)
    birth_place = limited("tempat_lahir", 80)
    dusun = limited("dusun", 80)
    street_address = limited("alamat", 200)
    if len(result.errors) > errors_before:
        return None
    age = age_on(birth_date, assessed_on)
    for message in category_criteria_warnings(category=category, age=age, sex=sex, disability=disability):
        warn("kategori", message)
    return CleanRow(
        line=line, nik=nik, nik_status=nik_status, kk_number=kk_number, name=name, name_key=normalise_name(name),
        sex=sex, birth_place=birth_place, birth_date=birth_date, village_id=village, dusun=dusun,
        rt=rt_rw["rt"], rw=rt_rw["rw"], street_address=street_address, phone=phone, disability=disability,
        dtsen_decile=decile, dtsen_decile_as_of=decile_as_of, category=category, needs=values["kebutuhan"].strip(),
        assessed_on=assessed_on,
    )


# ---------------------------------------------------------------------------------------------
# Matching and writing
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class NewPerson:
    """A person the import creates: the row that describes them, and their id once reserved."""

    row: CleanRow
    pk: int | None = None
    # Saved without the row's NIK, which a person outside the uploader's region holds (queued for a check).
    without_nik: bool = False


@dataclass
class Plan:
    """What the valid rows will write: new people, and for each row the person it belongs to."""

    new_persons: list[NewPerson] = field(default_factory=list)
    row_person: list[tuple[CleanRow, int | NewPerson]] = field(default_factory=list)
    open_pairs: set[tuple[int, int]] = field(default_factory=set)
    # New people saved without the NIK of their row, which a person outside the uploader's region holds:
    # (new person, holder's pk), queued for Dinas Sosial as same-NIK pairs.
    nik_checks: list[tuple[NewPerson, int]] = field(default_factory=list)


def _people_by_nik(niks: list[str]) -> dict[str, tuple[int, str]]:
    """NIK -> (person id, village) of the people holding them; a merged person (who may keep a NIK the kept
    person did not take) stands for the person it was merged into, so rows join the record in use."""
    by_nik: dict[str, tuple[int, str]] = {}
    merged: dict[str, int] = {}
    for chunk in _chunks(niks):
        for nik, pk, village_id, merged_into in Person.objects.filter(nik__in=chunk).values_list(
                "nik", "pk", "village_id", "merged_into_id"):
            by_nik[nik] = (pk, village_id)
            if merged_into is not None:
                merged[nik] = merged_into
    for _step in range(5):  # a kept person may itself have been merged later: follow the chain a few steps
        if not merged:
            break
        people = {pk: (merged_into, village_id) for pk, merged_into, village_id in Person.objects.filter(
            pk__in=set(merged.values())).values_list("pk", "merged_into_id", "village_id")}
        for nik, target in list(merged.items()):
            merged_into, village_id = people[target]
            by_nik[nik] = (target, village_id)
            if merged_into is None:
                del merged[nik]
            else:
                merged[nik] = merged_into
    return by_nik


def plan_rows(validation: Validation, *, user) -> Plan:
    """Match rows to people already registered; a NIK held by someone out of scope is not used (see below)."""
    scope = scope_of(user)
    rows = validation.rows
    by_nik = _people_by_nik([row.nik for row in rows if row.nik])
    # Rows whose NIK another region holds are saved without it, so they match people without a NIK too
    # (a re-imported file finds the person its first import created instead of adding another).
    hidden = {nik for nik, (_pk, village_id) in by_nik.items() if not scope.covers(village_id)}
    without_nik: dict[tuple[str, datetime.date | None, str], int] = {}
    keys = {row.name_key for row in rows if not row.nik or row.nik in hidden}
    villages = sorted({row.village_id for row in rows if not row.nik or row.nik in hidden})
    for chunk in _chunks(keys):
        # Only name_key in SQL (see _record_duplicates): the NIK and merge conditions are checked here.
        for pk, key, birth_date, village_id, nik, merged_into in (
            Person.objects.filter(name_key__in=chunk, village_id__in=villages)
            .order_by("pk").values_list("pk", "name_key", "birth_date", "village_id", "nik", "merged_into_id")
        ):
            if nik is None and merged_into is None:
                without_nik.setdefault((key, birth_date, village_id), pk)
    plan = Plan()
    new_by_key: dict[tuple[str, datetime.date | None, str], NewPerson] = {}
    kept_rows = []
    for row in rows:
        target: int | NewPerson
        holder = None
        if row.nik and row.nik in by_nik and not scope.covers(by_nik[row.nik][1]):
            # Never confirm a NIK of another region (issue 15 item 3): count the look-up, save the person
            # without it, queue the pair for Dinas Sosial and tell the uploader only that it needs a check.
            try:
                rate_consume("nik_search", user=user)
            except RateLimitExceeded as error:
                validation.warnings = [warning for warning in validation.warnings
                                       if warning.message != nik_check_message()]
                raise ImportFileError(_(
                    "Terlalu banyak NIK di berkas ini yang perlu diperiksa Dinas Sosial; tidak ada data yang "
                    "disimpan. {retry}").format(retry=retry_message(error.wait))) from error
            holder = by_nik[row.nik][0]
            validation.warnings.append(RowError(row.line, "nik", nik_check_message()))
        saved_without_nik = not row.nik or holder is not None
        person_key = (row.name_key, row.birth_date, row.village_id)
        if not saved_without_nik:
            target = by_nik[row.nik][0] if row.nik in by_nik else None
        elif person_key in without_nik:
            target = without_nik[person_key]
        elif person_key in new_by_key:
            target = new_by_key[person_key]
        else:
            target = None
        if target is None:
            target = NewPerson(row, without_nik=holder is not None)
            plan.new_persons.append(target)
            if holder is not None:
                plan.nik_checks.append((target, holder))
            if saved_without_nik:
                new_by_key[person_key] = target
        kept_rows.append(row)
        plan.row_person.append((row, target))
    validation.rows = kept_rows
    existing_pks = sorted({target for _row, target in plan.row_person if isinstance(target, int)})
    for chunk in _chunks(existing_pks):
        plan.open_pairs.update(
            Registration.objects.filter(person_id__in=chunk).exclude(status__in=CLOSED_STATUSES)
            .values_list("person_id", "category_id")
        )
    return plan


@dataclass
class WriteResult:
    created_persons: int = 0
    created_registrations: int = 0
    skipped_existing: int = 0
    duplicate_candidates: int = 0


def _refuse_people_changed_since_planning(plan: Plan) -> None:
    """Rows matched to existing people by NIK were planned outside this transaction (minutes, for a
    queued file): if one of those people was anonymised or merged since, re-plan from scratch.
    The IntegrityError ends the job as failed with the "data changed during the import" message."""
    existing = {target for _row, target in plan.row_person if isinstance(target, int)}
    if existing and Person.objects.filter(pk__in=existing).filter(
            Q(anonymised_at__isnull=False) | Q(merged_into__isnull=False)).exists():
        raise IntegrityError("orang yang dicocokkan sudah dianonimkan atau digabung sejak rencana impor dibuat")


def write_plan(plan: Plan, *, job: ImportJob, progress=None) -> WriteResult:
    """Insert the new people, registrations and their events (call inside a transaction).

    Rows go in as plain tuples, no model instance per row: COPY on PostgreSQL, one ``executemany``
    per batch elsewhere (``bulk_rows``). Ids are reserved first, so registrations and events can
    point at rows written in the same pass. History rows are written by the database's set-based
    triggers (``ppks.history``), one per inserted record, masked as everywhere else.
    """
    user = job.requested_by
    user_id = getattr(user, "pk", None)
    result = WriteResult()
    _refuse_people_changed_since_planning(plan)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The history triggers' transition tables and their sort hold a whole COPY (~20 MB per 100,000
            # people): in memory instead of temporary files, for this transaction only.
            cursor.execute("SET LOCAL work_mem = '64MB'")
    total_steps = max(len(plan.new_persons) + 2 * len(plan.row_person), 1)
    now = timezone.now()
    for new_person, pk in zip(plan.new_persons, bulk_rows.reserve_ids(Person, len(plan.new_persons)), strict=True):
        new_person.pk = pk
    bulk_rows.insert(Person, (_person_values(new, user_id, now) for new in plan.new_persons),
                     with_id=True)
    if progress:
        progress(len(plan.new_persons) / total_steps)
    result.created_persons = len(plan.new_persons)
    submitted = job.submit_rows
    status = Registration.Status.SUBMITTED if submitted else Registration.Status.DRAFT
    directorates: dict[tuple[int, datetime.date], int | None] = {}
    registrations: list[dict] = []
    open_pairs = set(plan.open_pairs)
    for row, target in plan.row_person:
        person_pk = target if isinstance(target, int) else target.pk
        pair = (person_pk, row.category.pk)
        if pair in open_pairs:
            result.skipped_existing += 1
            continue
        open_pairs.add(pair)
        directorate_key = (row.category.pk, row.assessed_on)
        if directorate_key not in directorates:
            directorate = row.category.directorate_on(row.assessed_on)
            directorates[directorate_key] = directorate.pk if directorate else None
        registrations.append({
            "person_id": person_pk, "category_id": row.category.pk,
            "village_id": None if isinstance(target, int) else row.village_id, "status": status, "needs": row.needs,
            "assessed_on": row.assessed_on, "directorate_id": directorates[directorate_key],
            "created_by_id": user_id, "created_at": now, "updated_at": now,
            "submitted_at": now if submitted else None,
        })
    _fill_villages_of_existing(registrations)
    bulk_rows.insert_new(Registration, registrations)
    if progress:
        progress((len(plan.new_persons) + len(registrations)) / total_steps)
    note = _("Diimpor dari berkas {name} (impor #{pk})").format(name=job.original_name, pk=job.pk)
    events = [{"registration_id": values["id"], "from_status": "", "to_status": "draft", "actor_id": user_id,
               "occurred_at": now, "note": note} for values in registrations]
    if submitted:
        events += [{"registration_id": values["id"], "from_status": "draft", "to_status": status,
                    "actor_id": user_id, "occurred_at": now, "note": ""} for values in registrations]
    bulk_rows.insert(RegistrationEvent, events)
    links = ImportJob.registrations.through
    for batch in _chunks([values["id"] for values in registrations], BATCH_SIZE):
        links.objects.bulk_create([links(importjob_id=job.pk, registration_id=pk) for pk in batch])
    if progress:
        progress(1.0)
    result.created_registrations = len(registrations)
    # Same-NIK pairs first: the pair may also share name and birth date, and keeps the stronger reason.
    nik_pairs = _record_nik_checks(plan.nik_checks)
    result.duplicate_candidates = len(nik_pairs) + _record_duplicates(plan.new_persons, already=nik_pairs)
    return result


def _person_values(new: NewPerson, user_id: int | None, now: datetime.datetime) -> dict:
    row = new.row
    nik, nik_status = (None, Person.NikStatus.UNKNOWN.value) if new.without_nik else (row.nik, row.nik_status)
    return {
        "id": new.pk, "nik": nik, "nik_status": nik_status, "kk_number": row.kk_number, "name": row.name,
        "name_key": row.name_key, "birth_place": row.birth_place, "birth_date": row.birth_date, "sex": row.sex,
        "village_id": row.village_id, "dusun": row.dusun, "rt": row.rt, "rw": row.rw,
        "street_address": row.street_address, "phone": row.phone, "disability": row.disability,
        "dtsen_decile": row.dtsen_decile, "dtsen_decile_as_of": row.dtsen_decile_as_of, "created_by_id": user_id,
        "created_at": now, "updated_at": now,
    }


def _fill_villages_of_existing(registrations: list[dict]) -> None:
    """A registration of an existing person lies in that person's village (as ``registration_create`` does)."""
    missing = sorted({values["person_id"] for values in registrations if values["village_id"] is None})
    villages: dict[int, str] = {}
    for chunk in _chunks(missing):
        villages.update(Person.objects.filter(pk__in=chunk).values_list("pk", "village_id"))
    for values in registrations:
        if values["village_id"] is None:
            values["village_id"] = villages[values["person_id"]]


def _record_nik_checks(pairs: list[tuple[NewPerson, int]]) -> set[tuple[int, int]]:
    """Queue each new person saved without their row's NIK beside the person who holds it (same NIK);
    returns the pairs queued."""
    queued = {(min(person.pk, holder), max(person.pk, holder)) for person, holder in pairs}
    DuplicateCandidate.objects.bulk_create(
        [DuplicateCandidate(person_id=first, other_id=second, reason=DuplicateCandidate.Reason.SAME_NIK)
         for first, second in sorted(queued)], batch_size=BATCH_SIZE, ignore_conflicts=True)
    return queued


def _record_duplicates(new_persons: list[NewPerson], *, already: set[tuple[int, int]] = frozenset()) -> int:
    """Queue pairs with the same name key and birth date (any village) for staff review, in bulk; pairs
    ``already`` queued (same NIK, the stronger reason) are neither written again nor counted twice."""
    new_pks = {person.pk for person in new_persons if person.row.birth_date is not None}
    if not new_pks:
        return 0
    keys = {person.row.name_key for person in new_persons if person.row.birth_date is not None}
    groups: dict[tuple[str, datetime.date], list[int]] = {}
    for chunk in _chunks(keys):
        # Only name_key in SQL, the other conditions checked here: with them in the WHERE clause and no fresh
        # statistics (a restored database, 100,000 rows just written) PostgreSQL read the whole table through
        # the merged_into index instead of the name_key index (1 s instead of 17 ms per 2,000 keys, 1M people).
        for pk, key, birth_date, merged_into in (
            Person.objects.filter(name_key__in=chunk)
            .order_by("pk").values_list("pk", "name_key", "birth_date", "merged_into_id")
        ):
            if birth_date is not None and merged_into is None:
                groups.setdefault((key, birth_date), []).append(pk)
    candidates = []
    for members in groups.values():
        if len(members) < 2:
            continue
        pairs = 0
        for new_pk in (pk for pk in members if pk in new_pks):
            for other in members:
                if other == new_pk or (other in new_pks and other < new_pk):
                    continue
                first, second = sorted((new_pk, other))
                if (first, second) in already:
                    continue
                candidates.append(DuplicateCandidate(person_id=first, other_id=second,
                                                     reason=DuplicateCandidate.Reason.NAME_BIRTH))
                pairs += 1
                if pairs >= DUPLICATE_PAIRS_PER_GROUP:
                    break
            if pairs >= DUPLICATE_PAIRS_PER_GROUP:
                break
    DuplicateCandidate.objects.bulk_create(candidates, batch_size=BATCH_SIZE, ignore_conflicts=True)
    return len(candidates)


# ---------------------------------------------------------------------------------------------
# The job
# ---------------------------------------------------------------------------------------------


def progress_key(job_pk: int) -> str:
    return "ppks-import-progress:{}".format(job_pk)


def job_progress(job: ImportJob) -> int:
    """The latest progress: the cache carries it while the writing transaction is still open."""
    if job.is_finished:
        return 100
    return max(job.progress, int(cache_get_quietly(progress_key(job.pk)) or 0))


PROGRESS_INTERVAL = 1.0


def _reporter(job: ImportJob, start: int, end: int):
    """A callback taking a fraction 0..1 of one phase and publishing overall percent (cache + row if visible),
    at most once per ``PROGRESS_INTERVAL`` seconds (each row update is a commit of its own)."""
    last = [0.0]

    def report(fraction: float) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_INTERVAL and fraction < 1:
            return
        last[0] = now
        percent = min(int(start + (end - start) * fraction), 99)
        cache_set_quietly(progress_key(job.pk), percent, 24 * 3600)
        if not connection.in_atomic_block:
            ImportJob.objects.filter(pk=job.pk).update(progress=percent)
    return report


def errors_csv(errors: list[RowError]) -> ContentFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("baris"), _("kolom"), _("pesan")])
    for error in errors:
        writer.writerow([error.line, error.field, error.message])
    return ContentFile(("\ufeff" + buffer.getvalue()).encode("utf-8"))


def import_execute(job: ImportJob) -> ImportJob:
    """Read, validate and (unless all-or-nothing with errors) write one job; records its audit event.

    The rows, the job's final state and the audit event are committed together, so a worker that
    dies mid-way leaves the job ``running`` with nothing written, and running it again is safe.
    """
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    job.state = ImportJob.State.RUNNING
    job.started_at = timezone.now()
    job.progress = 1
    job.save(update_fields=["state", "started_at", "progress"])
    validation = Validation()
    plan = None
    try:
        with job.file.open("rb") as handle:
            table = read_table(handle, job.format)
        timings["read"] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()
        validation = validate_rows(table, user=job.requested_by, progress=_reporter(job, 5, 40))
        timings["validate"] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()
        plan = plan_rows(validation, user=job.requested_by)
        validation.errors.sort(key=lambda error: error.line)
        timings["match"] = round(time.perf_counter() - clock, 3)
    except ImportFileError as error:
        job.state = ImportJob.State.FAILED
        job.message = error.message
    job.total_rows = validation.total_rows
    job.valid_rows = len(validation.rows)
    job.error_count = len(validation.errors)
    job.errors = [error.as_dict() for error in validation.errors[: ImportJob.ERRORS_STORED]]
    job.warning_count = len(validation.warnings)
    job.warnings = [warning.as_dict() for warning in validation.warnings[:WARNINGS_STORED]]
    if validation.errors:
        job.error_file.save("kesalahan-impor-{}.csv".format(job.pk), errors_csv(validation.errors), save=False)
    if plan is not None and validation.errors and job.all_or_nothing:
        job.state = ImportJob.State.FAILED
        job.message = _("Tidak ada data yang disimpan karena ada {count} kesalahan pada {lines} baris. "
                        "Perbaiki lalu unggah ulang.").format(count=len(validation.errors),
                                                               lines=len(validation.error_lines))
        plan = None
    clock = time.perf_counter()
    try:
        with transaction.atomic(), history_actor(job.requested_by, reason=_("Impor #{pk}").format(pk=job.pk)):
            if plan is not None:
                outcome = write_plan(plan, job=job, progress=_reporter(job, 40, 100))
                job.created_persons = outcome.created_persons
                job.created_registrations = outcome.created_registrations
                job.skipped_existing = outcome.skipped_existing
                job.duplicate_candidates = outcome.duplicate_candidates
                job.state = ImportJob.State.DONE
                job.message = _("Impor selesai.") if not validation.errors else _(
                    "Impor selesai sebagian: {count} baris dengan kesalahan dilewati.").format(
                        count=len(validation.error_lines))
                timings["write"] = round(time.perf_counter() - clock, 3)
            _job_finish(job, timings)
    except IntegrityError:
        job.state = ImportJob.State.FAILED
        job.message = _("Data berubah selama impor (mungkin ada impor lain yang berjalan bersamaan). Tidak ada data "
                        "yang disimpan; unggah ulang berkas ini.")
        job.created_persons = job.created_registrations = job.skipped_existing = job.duplicate_candidates = 0
        _job_finish(job, timings)
    except DatabaseError:
        logger.exception("impor #%s gagal di basis data", job.pk)
        job.state = ImportJob.State.FAILED
        job.message = _("Impor gagal karena kesalahan basis data; tidak ada data yang disimpan. Unggah ulang "
                        "berkasnya; bila terulang, hubungi administrator.")
        job.created_persons = job.created_registrations = job.skipped_existing = job.duplicate_candidates = 0
        _job_finish(job, timings)
    cache_delete_quietly(progress_key(job.pk))
    return job


def _job_finish(job: ImportJob, timings: dict) -> None:
    job.progress = 100
    job.finished_at = timezone.now()
    job.timings = timings
    job.save()
    audit_record(
        actor=job.requested_by, action="ppks.registration.import", obj=job,
        detail={"state": job.state, "file": job.original_name, "sha256": job.sha256, "rows": job.total_rows,
                "created_persons": job.created_persons, "created_registrations": job.created_registrations,
                "skipped_existing": job.skipped_existing, "errors": job.error_count,
                "all_or_nothing": job.all_or_nothing},
    )


# ---------------------------------------------------------------------------------------------
# The template
# ---------------------------------------------------------------------------------------------


def template_example(user) -> list[str]:
    """The example row, with a village of the user's own scope where there is one."""
    example = {column.key: column.example for column in COLUMNS}
    scope = scope_of(user)
    if not scope.national:
        from accounts.scoping import visible_to

        village = visible_to(user, Village.objects.order_by("code")).values_list("code", flat=True).first()
        if village and not scope.covers(example["kode_desa"]):
            example["kode_desa"] = village
    example["tanggal_asesmen"] = timezone.localdate().isoformat()
    return [example[key] for key in COLUMN_KEYS]


def template_csv(user) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMN_KEYS)
    writer.writerow(template_example(user))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(user) -> bytes:
    """Sheet "Data" (header, one example row, text-formatted code columns) and sheet "Petunjuk"."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    sheet.append(list(COLUMN_KEYS))
    sheet.append(template_example(user))
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE7EE")
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(row=1, column=index)
        header.font = bold
        header.fill = fill
        sheet.cell(row=2, column=index).number_format = "@"
        sheet.column_dimensions[letter].width = max(12, len(column.key) + 4, len(column.example) + 2)
        sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet("Petunjuk")
    guide.append([_("Petunjuk impor PPKS")])
    guide["A1"].font = Font(bold=True, size=13)
    guide.append([_("Isi satu baris per registrasi pada lembar Data. Baris pertama (judul kolom) jangan diubah. "
                    "Hapus baris contoh sebelum mengunggah bila tidak dipakai.")])
    guide.append([_("Format kolom nik, no_kk, kode_desa, rt, rw dan telepon sebagai Teks agar angka nol di depan "
                    "dan digit terakhir NIK tidak berubah.")])
    guide.append([])
    guide.append([_("kolom"), _("wajib"), _("keterangan"), _("contoh")])
    for cell in guide[guide.max_row]:
        cell.font = bold
    for column in COLUMNS:
        guide.append([column.key, _("ya") if column.required else _("tidak"), str(column.description),
                      column.example])
    guide.append([])
    guide.append([_("Nilai yang diizinkan")])
    guide[guide.max_row][0].font = bold
    guide.append(["jenis_kelamin", "L", str(Sex.MALE.label)])
    guide.append(["jenis_kelamin", "P", str(Sex.FEMALE.label)])
    for value, label in Person.NikStatus.choices:
        if value != Person.NikStatus.RECORDED:
            guide.append(["alasan_tanpa_nik", value, str(label)])
    for value, label in Person.Disability.choices:
        if value:
            guide.append(["disabilitas", value, str(label)])
    guide.append([])
    guide.append([_("Kode kategori PPKS")])
    guide[guide.max_row][0].font = bold
    for category in Category.objects.current().order_by("order_no", "code"):
        guide.append(["kategori", category.code, category.name])
    guide.column_dimensions["A"].width = 22
    guide.column_dimensions["B"].width = 18
    guide.column_dimensions["C"].width = 90
    guide.column_dimensions["D"].width = 20
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
