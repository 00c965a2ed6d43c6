"""Survey answers from a spreadsheet (CSV/XLSX as exported from Kobo or Google Forms), one row per respondent."""

import csv
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from config import uploads

MAX_BYTES = 5 * 1024 * 1024
FIXED_COLUMNS = ("responden", "lembaga", "jabatan", "jenis_kelamin")


def read_rows(upload, indicator_codes: list[str]) -> list[dict]:
    """Rows for ``services.answers_replace``, each with its ``line``, so the service names problems by
    line and column ("Baris 3, kolom 1.2: nilai 7 di luar skala 1–5."). Only the file itself
    (size, format, missing columns) is checked here."""
    try:
        extension = uploads.check_upload(
            upload, extensions={".csv", ".xlsx"}, max_bytes=MAX_BYTES,
            too_large_message=_("Berkas lebih dari 5 MB."),
            unsupported_message=_("Format berkas harus CSV atau XLSX."),
        )
    except uploads.UploadRejected as error:
        raise ValidationError(error.message) from error
    data = upload.read()
    table = _xlsx_table(data) if extension == ".xlsx" else _csv_table(data)
    if not table:
        raise ValidationError(_("Berkas kosong."))
    header = [str(cell).strip().lower() for cell in table[0]]
    missing = [column for column in ("responden", "lembaga", *indicator_codes) if column not in header]
    if missing:
        raise ValidationError(_("Kolom wajib tidak ada: {columns}.").format(columns=", ".join(missing)))
    position = {column: header.index(column) for column in header}
    rows = []
    for line, cells in enumerate(table[1:], start=2):
        if not any(_text(cell) for cell in cells):
            continue
        cells = [_text(cell) for cell in cells] + [""] * (len(header) - len(cells))
        answers = {code: cells[position[code]] for code in indicator_codes}
        rows.append({
            "name": cells[position["responden"]], "institution": cells[position["lembaga"]],
            "position": cells[position["jabatan"]] if "jabatan" in position else "",
            "sex": cells[position["jenis_kelamin"]].upper() if "jenis_kelamin" in position else "",
            "answers": answers, "line": line,
        })
    if not rows:
        raise ValidationError(_("Berkas tidak berisi baris jawaban."))
    return rows


def _text(cell) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip() if cell is not None else ""


def _csv_table(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(_("Berkas CSV harus berenkode UTF-8.")) from error
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _xlsx_table(data: bytes) -> list[list]:
    """The first sheet; the archive was checked by ``uploads.check_upload`` before."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return workbook.get_sheet_by_index(0).to_python()
    except Exception as error:  # calamine raises its own error types for damaged workbooks
        raise ValidationError(_("Berkas Excel tidak dapat dibaca.")) from error


def template_csv(indicator_codes: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*FIXED_COLUMNS, *indicator_codes])
    writer.writerow(["Siti Aminah", "PKK", "Ketua", "P", *["3"] * len(indicator_codes)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
