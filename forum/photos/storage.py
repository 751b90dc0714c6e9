"""Where photo files live (issue #15): a small interface and its local-disk implementation.

A photo is two files, ``display`` and ``thumb``, under its row's random ``key``. Anything
that can put, open, delete and list keys can stand in for ``LocalStorage``: several hosts
share one ``PHOTO_DIR`` on a network file system, or a class with these four methods over
an object store (README, "Progress photos").

Files are deleted only after the transaction that dropped their rows commits
(``delete_after_commit``), so a rollback never leaves a row without its files.
"""

import os
import re
import secrets
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

VARIANTS = ("display", "thumb")
KEY_RE = re.compile(r"[0-9a-f]{32}")
_PENDING = "photo_files_to_delete"


def new_key() -> str:
    return secrets.token_hex(16)


class PhotoStorage(Protocol):
    def put(self, key: str, variant: str, data: bytes) -> None: ...

    def open(self, key: str, variant: str) -> bytes | None: ...

    def delete(self, key: str) -> None: ...

    def list_keys(self) -> Iterator[tuple[str, float]]:
        """Every stored key with the time its newest file was written."""
        ...


class LocalStorage:
    """Files under ``root``, spread over 256 folders by the key's first two characters."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str, variant: str) -> Path:
        if not KEY_RE.fullmatch(key) or variant not in VARIANTS:
            raise ValueError("not a photo key")
        return self.root / key[:2] / f"{key}.{variant}"

    def put(self, key: str, variant: str, data: bytes) -> None:
        path = self._path(key, variant)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside, then renamed: a reader never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def open(self, key: str, variant: str) -> bytes | None:
        try:
            return self._path(key, variant).read_bytes()
        except (FileNotFoundError, ValueError):
            return None

    def delete(self, key: str) -> None:
        for variant in VARIANTS:
            try:
                self._path(key, variant).unlink(missing_ok=True)
            except ValueError:
                return

    def list_keys(self) -> Iterator[tuple[str, float]]:
        if not self.root.is_dir():
            return
        newest: dict[str, float] = {}
        for path in self.root.glob("??/*"):
            key = path.name.split(".", 1)[0]
            if KEY_RE.fullmatch(key):
                newest[key] = max(newest.get(key, 0.0), path.stat().st_mtime)
            elif path.name.startswith(".part-") and path.stat().st_mtime < time.time() - 3600:
                path.unlink(missing_ok=True)  # left by a process that died mid-write
        yield from newest.items()


def storage() -> PhotoStorage:
    """The app's photo storage (one per app)."""
    found = current_app.extensions.get("photo_storage")
    if found is None:
        found = current_app.extensions["photo_storage"] = LocalStorage(
            current_app.config["PHOTO_DIR"]
        )
    return found


def delete_after_commit(session: Session, keys: Iterable[str]) -> None:
    """Delete these photos' files once the session's transaction commits."""
    session.info.setdefault(_PENDING, set()).update(keys)


# Registered once, on every session: only sessions that were handed keys do anything.
@event.listens_for(Session, "after_commit")
def _delete_files(session):
    keys = session.info.pop(_PENDING, None)
    if keys:
        target = storage()
        for key in keys:
            target.delete(key)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session, previous_transaction):
    if previous_transaction.parent is None:  # the outer transaction, not a savepoint
        session.info.pop(_PENDING, None)
