"""Log filters of the project."""

import logging
import re

# 16 digits, possibly split by spaces, dots or dashes: a NIK or a No. KK (also URL-encoded spaces).
NIK_PATTERN = re.compile(r"(?<!\d)\d{4}(?:(?:[ .\-]|%20|\+)?\d{4}){3}(?!\d)")


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
