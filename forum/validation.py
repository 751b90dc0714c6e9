"""Values from URLs, query strings and forms, checked before anything else reads them
(issue #9).

Numbers are ASCII digits within bounds: ``str.isdigit()`` also accepts "²" (which ``int()``
refuses), ``int()`` also accepts "١" and " 7 ", and an id past 64 bits overflows SQLite.
Text loses the control characters that PostgreSQL refuses (NUL) or that make XML invalid.
"""

import re

from forum.errors import ForumError

# The largest id the tables hold: ids are INTEGER columns, 32 bits on PostgreSQL (which
# refuses a larger number outright, where SQLite overflows only past 64 bits).
ID_MAX = 2**31 - 1
# Far beyond any real page; keeps (page - 1) * size well inside 64 bits.
PAGE_MAX = 100_000

_DIGITS_RE = re.compile(r"[0-9]{1,19}")
# C0 controls but tab, newline and carriage return; DEL; the two non-characters of the BMP.
_CONTROLS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_LINE_BREAKS_RE = re.compile("[\t\n\r]+")
_ANY_CONTROL_RE = re.compile("[\x00-\x1f\x7f]")
# Everything XML 1.0 does not allow in a document (lone surrogates included).
_NOT_XML_RE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class BadValue(ForumError):
    """A value in the address or a form that is not of the expected shape (400)."""

    status = 400


def int_or_none(raw, *, minimum: int = 1, maximum: int = ID_MAX) -> int | None:
    """``raw`` as a whole number from ``minimum`` to ``maximum``, else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if minimum <= raw <= maximum else None
    if not isinstance(raw, str):
        return None
    raw = raw.strip()
    if not _DIGITS_RE.fullmatch(raw):
        return None
    number = int(raw)
    return number if minimum <= number <= maximum else None


def parse_int(
    raw: str | None,
    *,
    minimum: int = 1,
    maximum: int = ID_MAX,
    message: str | None = None,
) -> int | None:
    """``raw`` (a query or form value) as a whole number; None when it is missing or empty.

    Raises BadValue (400) unless it is ASCII digits from ``minimum`` to ``maximum``.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    number = int_or_none(raw, minimum=minimum, maximum=maximum)
    if number is None:
        raise BadValue(message or f"Expected a whole number from {minimum:,} to {maximum:,}.")
    return number


def strip_controls(value):
    """Text without NUL and the other control characters; tabs and line breaks stay."""
    return _CONTROLS_RE.sub("", value) if isinstance(value, str) else value


def single_line(value):
    """Text for one line (a title, a name): no control characters, line breaks as spaces."""
    if not isinstance(value, str):
        return value
    return _LINE_BREAKS_RE.sub(" ", strip_controls(value))


def has_controls(value: str) -> bool:
    """Whether ``value`` holds any C0 control character (line breaks included) or DEL."""
    return bool(_ANY_CONTROL_RE.search(value))


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids, which would make a feed unreadable."""
    return _NOT_XML_RE.sub("", text)
