"""Append PDFs into one file a source at a time, so memory stays bounded whatever the page count.

pypdf's ``PdfWriter`` keeps every page of the merged document in memory until it writes; a 50,000-row
referral summary (thousands of pages) held hundreds of megabytes that way. Here each source is read,
the objects its pages reach are written to the target at once with new numbers, and the source is
forgotten before the next one is opened. What is kept until the end is small and grows only with the
document's structure: one byte offset per object, one number per page and the bookmarks (one per
kecamatan and desa heading). The bookmarks of every source and the first source's title and language
are carried into the result, as a reader of an official document expects.

Stream contents are copied as they are stored (still compressed); nothing is decoded or re-encoded.
"""

import io
from array import array
from dataclasses import dataclass, field

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)

PDF_HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
# Entries of the first source's document information copied into the result (plain text values).
XREF_LINES_PER_WRITE = 4096
INFO_KEYS = ("/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/Producer")


@dataclass
class Bookmark:
    """One outline entry of the result: its title, where it points and the entries under it."""

    title: str
    page: int
    position: list[PdfObject]
    children: list["Bookmark"] = field(default_factory=list)
    number: int = 0  # its object number, given when the outline is written


class _Target:
    """The output file: object numbers handed out in order, each object's byte offset remembered."""

    def __init__(self, stream):
        self.stream = stream
        self.written = 0  # offsets count from the header, as readers do (the target need not start at 0)
        # offsets[n] is where object n starts (-1 until written); 8 bytes an object, numbers 0..last_number.
        self.offsets = array("q", [0])

    @property
    def last_number(self) -> int:
        return len(self.offsets) - 1

    def reserve(self) -> int:
        self.offsets.append(-1)
        return self.last_number

    def write(self, data: bytes) -> None:
        self.stream.write(data)
        self.written += len(data)

    def write_object(self, number: int, value: PdfObject) -> None:
        self.offsets[number] = self.written
        buffer = io.BytesIO()
        buffer.write(b"%d 0 obj\n" % number)
        value.write_to_stream(buffer)
        buffer.write(b"\nendobj\n")
        self.write(buffer.getvalue())

    def finish(self, root: int, info: int | None) -> None:
        """The cross-reference table and trailer; every reserved number must have been written."""
        missing = [number for number, offset in enumerate(self.offsets) if offset < 0]
        if missing:
            raise RuntimeError("PDF objects reserved but not written: {}".format(missing[:10]))
        xref_at = self.written
        self.write(b"xref\n0 %d\n0000000000 65535 f \n" % (self.last_number + 1))
        for first in range(1, self.last_number + 1, XREF_LINES_PER_WRITE):
            self.write(b"".join(b"%010d 00000 n \n" % offset
                                for offset in self.offsets[first:first + XREF_LINES_PER_WRITE]))
        trailer = b"trailer\n<< /Size %d /Root %d 0 R" % (self.last_number + 1, root)
        if info is not None:
            trailer += b" /Info %d 0 R" % info
        self.write(trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref_at)

    def write_page_tree(self, number: int, pages: array) -> None:
        """The one /Pages node listing every page, written in slices (no object per page kept for it)."""
        self.offsets[number] = self.written
        self.write(b"%d 0 obj\n<< /Type /Pages /Count %d /Kids [" % (number, len(pages)))
        for first in range(0, len(pages), XREF_LINES_PER_WRITE):
            self.write(b"".join(b"%d 0 R " % page for page in pages[first:first + XREF_LINES_PER_WRITE]))
        self.write(b"] >>\nendobj\n")


class _SourceCopy:
    """Copies the pages of one source and the objects they reach, renumbered for the target.

    Pages are written by ``page`` (with the target's page tree as parent); any other object is written once,
    when the page that first reaches it is written.
    """

    def __init__(self, target: _Target, pages_root: int, reader: PdfReader):
        self.target = target
        self.pages_root = pages_root
        self.numbers: dict[tuple[int, int], int] = {}
        self.pending: list[IndirectObject] = []
        self.pages = {(page.indirect_reference.idnum, page.indirect_reference.generation) for page in reader.pages}

    def reference(self, indirect: IndirectObject) -> IndirectObject:
        key = (indirect.idnum, indirect.generation)
        number = self.numbers.get(key)
        if number is None:
            number = self.numbers[key] = self.target.reserve()
            if key not in self.pages:
                self.pending.append(indirect)
        return IndirectObject(number, 0, None)

    def copy(self, value: PdfObject) -> PdfObject:
        if isinstance(value, IndirectObject):
            return self.reference(value)
        if isinstance(value, StreamObject):
            copied = type(value)()
            copied._data = value._data  # the stored (still encoded) bytes; get_data() would decode them
            for key, item in value.items():
                copied[NameObject(key)] = self.copy(item)
            return copied
        if isinstance(value, DictionaryObject):
            copied = DictionaryObject()
            for key, item in value.items():
                copied[NameObject(key)] = self.copy(item)
            return copied
        if isinstance(value, ArrayObject):
            return ArrayObject(self.copy(item) for item in value)
        return value

    def page(self, page: DictionaryObject) -> int:
        """Write ``page`` (inherited attributes already on it, as pypdf reads pages) and what it reaches."""
        number = self.reference(page.indirect_reference).idnum
        copied = DictionaryObject()
        for key, item in page.items():
            if key != "/Parent":
                copied[NameObject(key)] = self.copy(item)
        copied[NameObject("/Parent")] = IndirectObject(self.pages_root, 0, None)
        self.target.write_object(number, copied)
        while self.pending:
            indirect = self.pending.pop()
            self.target.write_object(self.numbers[(indirect.idnum, indirect.generation)],
                                     self.copy(indirect.get_object()))
        return number


# The values each kind of destination carries after its name (PDF 32000-1, 12.3.2.2), in order.
DESTINATION_VALUES = {
    "/XYZ": ("/Left", "/Top", "/Zoom"), "/Fit": (), "/FitB": (), "/FitH": ("/Top",), "/FitBH": ("/Top",),
    "/FitV": ("/Left",), "/FitBV": ("/Left",), "/FitR": ("/Left", "/Bottom", "/Right", "/Top"),
}


def _bookmarks(reader: PdfReader, outline, page_numbers: dict[int, int]) -> list[Bookmark]:
    """The source's outline as bookmarks pointing at the pages' new numbers. An entry without a page of this
    source is dropped and its children take its place."""
    bookmarks: list[Bookmark] = []
    kept_last = False
    for entry in outline:
        if isinstance(entry, list):
            children = _bookmarks(reader, entry, page_numbers)
            (bookmarks[-1].children if kept_last else bookmarks).extend(children)
            continue
        page = entry.page
        page_number = page_numbers.get(page.idnum) if isinstance(page, IndirectObject) else None
        kept_last = page_number is not None and entry.typ in DESTINATION_VALUES
        if kept_last:
            position = [NameObject(entry.typ)] + [
                NullObject() if entry.get(key) is None else entry[key] for key in DESTINATION_VALUES[entry.typ]]
            bookmarks.append(Bookmark(title=str(entry.title), page=page_number, position=position))
    return bookmarks


def _write_outline(target: _Target, bookmarks: list[Bookmark]) -> int:
    """The outline dictionary and its entries (all open); returns its object number."""
    root = target.reserve()
    count = _write_level(target, bookmarks, root)
    outline = DictionaryObject({
        NameObject("/Type"): NameObject("/Outlines"), NameObject("/Count"): NumberObject(count),
    })
    if bookmarks:
        outline[NameObject("/First")] = IndirectObject(bookmarks[0].number, 0, None)
        outline[NameObject("/Last")] = IndirectObject(bookmarks[-1].number, 0, None)
    target.write_object(root, outline)
    return root


def _write_level(target: _Target, bookmarks: list[Bookmark], parent: int) -> int:
    """Write one level of entries under ``parent``; returns how many entries it shows (open, all levels)."""
    for bookmark in bookmarks:
        bookmark.number = target.reserve()
    shown = 0
    for index, bookmark in enumerate(bookmarks):
        entry = DictionaryObject({
            NameObject("/Title"): TextStringObject(bookmark.title),
            NameObject("/Parent"): IndirectObject(parent, 0, None),
            NameObject("/Dest"): ArrayObject([IndirectObject(bookmark.page, 0, None), *bookmark.position]),
        })
        if index:
            entry[NameObject("/Prev")] = IndirectObject(bookmarks[index - 1].number, 0, None)
        if index + 1 < len(bookmarks):
            entry[NameObject("/Next")] = IndirectObject(bookmarks[index + 1].number, 0, None)
        if bookmark.children:
            below = _write_level(target, bookmark.children, bookmark.number)
            entry[NameObject("/First")] = IndirectObject(bookmark.children[0].number, 0, None)
            entry[NameObject("/Last")] = IndirectObject(bookmark.children[-1].number, 0, None)
            entry[NameObject("/Count")] = NumberObject(below)
            shown += below
        target.write_object(bookmark.number, entry)
        shown += 1
    return shown


def concatenate(sources, target) -> int:
    """Write the pages of the PDFs ``sources`` (bytes or binary files), in order, as one PDF into ``target``.

    Returns the number of pages. Each source is read and written before the next is opened.
    """
    out = _Target(target)
    out.write(PDF_HEADER)
    pages_root = out.reserve()
    page_numbers = array("q")
    bookmarks: list[Bookmark] = []
    language = None
    info: dict[str, str] = {}
    for index, source in enumerate(sources):
        # close() drops the reader's objects, which refer back to it: freed now rather than at a later GC.
        with PdfReader(io.BytesIO(source) if isinstance(source, bytes | bytearray) else source) as reader:
            copy = _SourceCopy(out, pages_root, reader)
            numbers = {page.indirect_reference.idnum: copy.page(page) for page in reader.pages}
            page_numbers.extend(numbers.values())
            bookmarks.extend(_bookmarks(reader, reader.outline, numbers))
            if index == 0:
                language = reader.trailer["/Root"].get_object().get("/Lang")
                language = language.get_object() if language is not None else None
                metadata = reader.metadata or {}
                info = {key: str(metadata[key]) for key in INFO_KEYS if isinstance(metadata.get(key), str)}
    out.write_page_tree(pages_root, page_numbers)
    catalog = DictionaryObject({
        NameObject("/Type"): NameObject("/Catalog"),
        NameObject("/Pages"): IndirectObject(pages_root, 0, None),
    })
    if bookmarks:
        catalog[NameObject("/Outlines")] = IndirectObject(_write_outline(out, bookmarks), 0, None)
    if language is not None:
        catalog[NameObject("/Lang")] = TextStringObject(str(language))
    root = out.reserve()
    out.write_object(root, catalog)
    info_number = None
    if info:
        info_number = out.reserve()
        out.write_object(info_number, DictionaryObject(
            {NameObject(key): TextStringObject(value) for key, value in info.items()}))
    out.finish(root, info_number)
    return len(page_numbers)
