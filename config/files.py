"""Stored files read back: streamed downloads and checksums, the same for local folders and S3.

Every download of an upload or a generated report goes through ``stored_attachment`` after the
view's own scope check: the bytes come from the storage in chunks while they are sent (an S3
object is not first copied to the web server's disk), with no public or signed bucket URL.
"""

import hashlib
from typing import IO

from django.db.models.fields.files import FieldFile
from django.http import FileResponse

CHUNK_SIZE = 64 * 1024


def is_object_storage(storage) -> bool:
    return storage.__class__.__module__.startswith("storages.backends.s3")


def open_stored(storage, name: str) -> tuple[IO[bytes], int | None]:
    """A readable binary stream of the file ``name`` in ``storage`` and its size in bytes (``None`` if unknown).

    For S3 this is the body of one GET request, read as the response is written; Django's
    ``FieldFile.open`` would download the whole object to a temporary file first.
    """
    if is_object_storage(storage):
        from storages.utils import clean_name

        key = storage._normalize_name(clean_name(name))
        answer = storage.connection.meta.client.get_object(Bucket=storage.bucket_name, Key=key)
        return answer["Body"], answer.get("ContentLength")
    handle = storage.open(name, "rb")
    return handle, storage.size(name)


def open_stream(fieldfile: FieldFile) -> tuple[IO[bytes], int | None]:
    """``open_stored`` for a model's file field."""
    return open_stored(fieldfile.storage, fieldfile.name)


def stored_attachment(fieldfile: FieldFile, *, filename: str, content_type: str | None = None) -> FileResponse:
    """Send a stored file as a download: streamed, never rendered inline, never sniffed, never cached."""
    stream, size = open_stream(fieldfile)
    response = FileResponse(stream, as_attachment=True, filename=filename, content_type=content_type)
    response.block_size = CHUNK_SIZE  # read lazily by the streaming iterator
    if size is not None:
        response["Content-Length"] = str(size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def stream_sha256(stream, block_size: int = 1 << 20) -> str:
    """SHA-256 of what is left to read in a binary ``stream``, read in blocks (the stream is not rewound)."""
    digest = hashlib.sha256()
    for block in iter(lambda: stream.read(block_size), b""):
        digest.update(block)
    return digest.hexdigest()


def path_sha256(path) -> str:
    """SHA-256 of a local file (region files, map bundles, backup parts)."""
    with open(path, "rb") as handle:
        return stream_sha256(handle)


def stored_sha256(fieldfile: FieldFile) -> str:
    """SHA-256 of a stored file, read in chunks."""
    stream, _size = open_stream(fieldfile)
    try:
        return stream_sha256(stream, CHUNK_SIZE)
    finally:
        stream.close()
