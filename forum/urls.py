"""Helpers for building and checking URLs."""

from urllib.parse import urlsplit

from flask import current_app


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
