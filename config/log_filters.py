"""Log filters and formats of the project: NIK masking, request context, JSON lines."""

import logging
import re

from pythonjsonlogger.json import JsonFormatter

# 16 digits, possibly split by spaces, dots or dashes: a NIK or a No. KK (also URL-encoded spaces).
# Only a run that stands alone: not part of a longer number, so neither the digits after a decimal
# point ("1.0833123456789754s" is a duration) nor those before one. Letters may touch it
# ("q%3D3511…" in an encoded URL is still a NIK).
NIK_PATTERN = re.compile(
    r"(?<![0-9])(?<![0-9][.,])"
    r"[0-9]{4}(?:(?:[ .\-]|%20|\+)?[0-9]{4}){3}"
    r"(?![0-9])(?![.,][0-9])"
)


def mask_niks(text: str) -> str:
    """``3511015203850003`` becomes ``3511********0003`` wherever it occurs in ``text``."""

    def masked(match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group(0).replace("%20", ""))
        return digits[:4] + "*" * 8 + digits[-4:]

    return NIK_PATTERN.sub(masked, text)


class MaskNikFilter(logging.Filter):
    """Masks NIKs and KK numbers in a log record's message (request lines, error messages).

    NIKs never travel in URLs of this application; this is the net for a client that sends one
    anyway (the request is refused, but its request line is still logged).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = mask_niks(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


class RequestContextFilter(logging.Filter):
    """Adds ``request_id`` and ``user_id`` (a primary key, never a name) of the current request or task."""

    def filter(self, record: logging.LogRecord) -> bool:
        from config.request_context import request_id_var, user_id_var

        record.request_id = request_id_var.get() or None
        record.user_id = user_id_var.get()
        return True


class MaskedJsonFormatter(JsonFormatter):
    """One JSON object per line: time, level, logger, message, request/user id and any ``extra`` fields.

    The finished line is masked as a whole, so a NIK in an exception text or an extra field is
    caught as well as one in the message.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger", "asctime": "time"})
        kwargs.setdefault("datefmt", "%Y-%m-%dT%H:%M:%S%z")
        super().__init__(*args, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        return mask_niks(super().format(record))
