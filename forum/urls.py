"""Helpers for building and checking URLs, and the converters every route's values pass
through (issue #9)."""

from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit

from flask import Flask, current_app
from werkzeug.datastructures import MultiDict
from werkzeug.routing import BaseConverter, UnicodeConverter, ValidationError

from forum.validation import has_controls, int_or_none


class IdConverter(BaseConverter):
    """``<id:name>``: a row id, ASCII digits from 1 to ``ID_MAX``; anything else is a 404.

    Werkzeug's ``int`` takes any Unicode digit ("١") and any length, and an id past 64 bits
    overflows the database driver instead of finding nothing.
    """

    regex = r"[0-9]{1,19}"
    weight = 50

    def to_python(self, value: str) -> int:
        number = int_or_none(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))


class SegmentConverter(UnicodeConverter):
    """The default converter, refusing control characters: PostgreSQL cannot compare text
    holding NUL, so ``/u/a%00b`` is a 404 before any query."""

    def to_python(self, value: str) -> str:
        if has_controls(value):
            raise ValidationError()
        return value


def init_url_map(app: Flask) -> None:
    """Register the converters; must run before any blueprint adds its rules."""
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["default"] = SegmentConverter
    app.url_map.converters["string"] = SegmentConverter


def with_query(path: str, args) -> str:
    """``path`` with the query arguments ``args`` (a MultiDict or pairs), encoded as given.

    Unlike ``url_for(**args)``, arguments named like ``url_for``'s own (``_method``,
    ``_external``, ``_scheme``) stay plain query arguments.
    """
    if isinstance(args, MultiDict):
        pairs = list(args.items(multi=True))
    elif isinstance(args, Mapping):
        pairs = list(args.items())
    else:
        pairs = list(args)
    query = urlencode([(key, value) for key, value in pairs if value is not None])
    return f"{path}?{query}" if query else path


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this site, else ``default``: no open redirects."""
    if not target:
        return default
    target = target.strip()
    if not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in target):
        return default
    return target


def external_url(path: str) -> str:
    """An absolute link for mail, built from BASE_URL."""
    return current_app.config["BASE_URL"].rstrip("/") + path
