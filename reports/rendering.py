"""HTML → PDF with WeasyPrint, QR codes, page-number overlays and merging of parts (pypdf).

Reports are rendered in parts (front letter, then the by-name list per group of kecamatan),
so parts can run on several workers. Page numbers ("Halaman X dari Y") and the document id
are stamped afterwards from an overlay, because only the page counts of all parts give X and Y:
each part is stamped on its own (``stamp_pages``, in parallel) and the parts are then only
appended (``concatenate``).
Rows use block layout: WeasyPrint lays out blocks several times faster than tables.
"""

import base64
import io

import qrcode
import qrcode.image.svg
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from pypdf import PdfReader, PdfWriter

from reports import pdf_concat

REPORT_CSS = "css/report.css"


class BlockedURLError(ValueError):
    """A report tried to load a file or network resource."""


def data_only_url_fetcher():
    """A WeasyPrint fetcher that loads inline ``data:`` URLs (QR codes) and refuses everything else.

    ``file://`` (local files) and every network scheme are refused, so report content can never
    read the server's disk or reach internal hosts.
    """
    from weasyprint.urls import URLFetcher

    class DataOnlyURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith("data:"):
                raise BlockedURLError("URL diblokir saat membuat PDF: {}".format(url[:80]))
            return super().fetch(url, headers)

    return DataOnlyURLFetcher(allowed_protocols={"data"}, timeout=5)


def report_css() -> str:
    path = finders.find(REPORT_CSS)
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url="about:blank", url_fetcher=data_only_url_fetcher()).write_pdf()


def render_pdf(template: str, context: dict) -> bytes:
    """Render a template under templates/reports/pdf/ with the report stylesheet inlined."""
    return html_to_pdf(render_to_string(template, {**context, "report_css": report_css()}))


def qr_data_uri(text: str) -> str:
    """An SVG QR code as a data URI (nothing fetched from outside)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=1)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def _overlay(first_page: int, pages: int, total: int, *, footer_left: str, classification: str) -> PdfReader:
    """One overlay page per page: ``footer_left``, "Halaman X dari Y" (X from ``first_page``) and the classification."""
    footer_left = "".join(char for char in footer_left if char not in '"\\<>&')
    return PdfReader(io.BytesIO(render_pdf("reports/pdf/overlay.html", {
        "pages": range(first_page, first_page + pages), "total": total, "footer_left": footer_left,
        "classification": classification})))


def stamp_pages(pdf, *, first_page: int, total: int, footer_left: str, classification: str = "") -> bytes:
    """``pdf`` (bytes or a file) with its own pages numbered "Halaman ``first_page``.. dari ``total``".

    A part of a report is stamped alone, once the page counts of the parts before it are known, so the
    parts of one report are numbered in parallel; ``concatenate`` then only appends them.
    """
    reader = PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf)
    writer = PdfWriter(clone_from=reader)
    overlay = _overlay(first_page, len(writer.pages), total, footer_left=footer_left, classification=classification)
    _merge_overlay(writer, overlay)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _merge_overlay(writer: PdfWriter, overlay: PdfReader) -> None:
    """Draw each overlay page over its page, the page's content compressed again afterwards: pypdf writes
    merged content uncompressed, which made a stamped report ~12 times the size of its rendered parts."""
    for page, stamp in zip(writer.pages, overlay.pages, strict=True):
        page.merge_page(stamp)
        page.compress_content_streams()


def concatenate(sources, target) -> int:
    """Append the PDFs ``sources`` (bytes or files, already stamped) into the file ``target``; returns the pages.

    Nothing is stamped or merged page by page here: each source's pages are copied as they are, one source
    at a time (``reports.pdf_concat``), so a report of any length is merged in bounded memory.
    """
    return pdf_concat.concatenate(sources, target)


def merge_with_footer(parts: list[bytes], *, footer_left: str, classification: str = "") -> tuple[bytes, int]:
    """Concatenate ``parts`` and stamp each page with ``footer_left`` and "Halaman X dari Y".

    ``classification`` (``RAHASIA`` for letters with personal data) is printed at the top and the
    bottom of every page, as classified documents are marked. Used for documents of a few pages
    (village profiles, printables); a report's parts are stamped each on its own (``stamp_pages``).
    """
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    total = len(writer.pages)
    _merge_overlay(writer, _overlay(1, total, total, footer_left=footer_left, classification=classification))
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue(), total
