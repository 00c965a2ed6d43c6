"""Merging a report's parts one at a time (bounded memory) and stamping them without inflating the file."""

import io
import tracemalloc

from pypdf import PdfReader

from reports import pdf_concat, rendering


def part_pdf(label: str, villages: int = 2, rows: int = 30) -> bytes:
    """A small document like a report part: a kecamatan heading, desa headings (bookmarks) and rows."""
    body = "<h2>Kecamatan {}</h2>".format(label) + "".join(
        "<h3>Desa {} {}</h3>".format(label, village) + "".join(
            "<p>{}. Warga {} {}</p>".format(row, label, row) for row in range(rows))
        for village in range(villages)
    )
    return rendering.html_to_pdf('<html lang="id"><head><title>Rekap {}</title></head><body>{}</body></html>'.format(
        label, body))


def flat_outline(reader: PdfReader, outline=None, depth: int = 0) -> list[tuple[int, str, int]]:
    entries = []
    for entry in reader.outline if outline is None else outline:
        if isinstance(entry, list):
            entries += flat_outline(reader, entry, depth + 1)
        else:
            entries.append((depth, entry.title, reader.get_destination_page_number(entry)))
    return entries


def merged(sources) -> tuple[PdfReader, int]:
    buffer = io.BytesIO()
    pages = pdf_concat.concatenate(sources, buffer)
    return PdfReader(io.BytesIO(buffer.getvalue())), pages


def test_pages_text_bookmarks_title_and_language_survive_the_merge():
    first, second = part_pdf("Maesan"), part_pdf("Grujugan")
    first_reader, second_reader = PdfReader(io.BytesIO(first)), PdfReader(io.BytesIO(second))
    reader, pages = merged([first, io.BytesIO(second)])

    assert pages == len(reader.pages) == len(first_reader.pages) + len(second_reader.pages)
    expected = [page.extract_text() for page in (*first_reader.pages, *second_reader.pages)]
    assert [page.extract_text() for page in reader.pages] == expected
    offset = len(first_reader.pages)
    assert flat_outline(reader) == flat_outline(first_reader) + [
        (depth, title, page + offset) for depth, title, page in flat_outline(second_reader)]
    assert [title for _depth, title, _page in flat_outline(reader)][:2] == ["Kecamatan Maesan", "Desa Maesan 0"]
    assert reader.metadata.title == "Rekap Maesan"
    assert reader.trailer["/Root"]["/Lang"] == "id"
    for page in reader.pages:
        assert page["/Parent"].get_object() is reader.trailer["/Root"]["/Pages"].get_object()


def test_merge_memory_does_not_grow_with_the_number_of_parts(tmp_path):
    """pypdf's writer kept every page until the end (279 MB for a 50,000-row report); parts are now written
    and forgotten one by one: each further part adds only its object offsets and bookmarks, a small fraction
    of the part itself (measured: ~0.5× the file of a part; pypdf's writer ~20×)."""
    part = part_pdf("Wringin", villages=3, rows=150)

    def peak(count: int) -> int:
        with open(tmp_path / "merged.pdf", "wb") as target:
            tracemalloc.start()
            try:
                assert pdf_concat.concatenate([part] * count, target) > count
                return tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()

    peak(2)  # imports and caches warmed up
    few, many = peak(4), peak(40)
    assert (many - few) / 36 < len(part), (len(part), few, many)


def test_stamped_pages_stay_about_the_size_of_the_rendered_part():
    """Merged page content was written uncompressed: a stamped part was ~12× its rendered size."""
    part = part_pdf("Tamanan", villages=4, rows=60)
    stamped = rendering.stamp_pages(part, first_page=3, total=40, footer_left="Rekap rujukan")
    assert len(stamped) < 2 * len(part), (len(part), len(stamped))
    texts = [page.extract_text() for page in PdfReader(io.BytesIO(stamped)).pages]
    assert all("Halaman {} dari 40".format(number) in text for number, text in enumerate(texts, start=3))


def test_every_kind_of_destination_and_the_children_of_a_pageless_bookmark_are_kept():
    from pypdf import PdfWriter
    from pypdf.generic import Fit, NullObject

    writer = PdfWriter()
    for _page in range(2):
        writer.add_blank_page(width=595, height=842)
    top = writer.add_outline_item(title="Bagian A", page_number=0, fit=Fit.fit_horizontally(top=500))
    writer.add_outline_item(title="A.1", page_number=1, parent=top, fit=Fit.xyz(left=10, top=700, zoom=None))
    heading = writer.add_outline_item(title="Tanpa halaman", page_number=None)
    writer.add_outline_item(title="B.1", page_number=1, parent=heading, fit=Fit.fit_rectangle(10, 20, 300, 400))
    source = io.BytesIO()
    writer.write(source)

    reader, pages = merged([source.getvalue(), source.getvalue()])

    assert pages == 4
    entries = flat_outline(reader)
    assert entries == [(0, "Bagian A", 0), (1, "A.1", 1), (0, "B.1", 1),
                       (0, "Bagian A", 2), (1, "A.1", 3), (0, "B.1", 3)]
    first, child, promoted = reader.outline[0], reader.outline[1][0], reader.outline[2]
    assert (first.typ, first.top) == ("/FitH", 500)
    assert (child.typ, child.left, child.top) == ("/XYZ", 10, 700)
    assert isinstance(child.zoom, NullObject)  # "keep the zoom", not 0
    assert (promoted.typ, promoted.left, promoted.bottom, promoted.right, promoted.top) == ("/FitR", 10, 20, 300, 400)
