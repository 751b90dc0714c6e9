"""Each worker keeps the sessions it served, exact by the database's own record of commits
(issue #17).

The one query a signed-in page from the members' store needs is the session's: the row,
its member and the counts in the menu. It cost a third of such a page, most of it in
SQLAlchemy's machinery around a statement the database answers in microseconds. A worker
keeps what that query returned, for each session it served, and serves it again only while
nothing at all has been committed to the database since, by anyone:

- SQLite: each worker holds one connection of its own to the file that never writes, and
  ``PRAGMA data_version`` on it moves whenever any other connection commits: another
  worker, a command, someone at a ``sqlite3`` prompt, and the worker's own pool, which
  makes its requests' writes. The check is that pragma: no pool checkout, no transaction,
  no query.
- PostgreSQL has no such counter short of a round trip (``pg_current_snapshot()`` reads
  the same only while no transaction that wrote has begun or ended): on a forum where
  somebody writes every few seconds the check would nearly always fail, and then cost a
  round trip more than reading the row. There the session is read on every request,
  outside a transaction like the rest of a page's reads (forum/pg_reads.py).

A logout, a ban, a new notification or a role change therefore shows on the very next
request on every worker, as when every request read the row; so does any other write,
which empties nothing but makes every kept session stale. Kept per session token (its
hash), so one member's state never answers another's cookie; a request that finds a
transaction open (a test sharing its session, or a write already made) reads the row.
"""

import os
import sqlite3
import threading
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy.engine import Engine

from forum.bounded import BoundedMap
from forum.extensions import db

MAX_ENTRIES = 5000


@dataclass(frozen=True)
class Kept:
    stamp: tuple  # (watching connection, its data_version) when the row was read
    columns: dict[str, Any]  # the member's row
    extras: tuple  # what the query added: session id and last use, unread and queue counts


class SessionCache:
    def __init__(self, path: str, size: int = MAX_ENTRIES):
        self.path = path
        self.entries = BoundedMap(size)
        self.lock = threading.Lock()  # around the watching connection
        self.watcher: sqlite3.Connection | None = None
        self.watcher_pid = 0
        self.watchers = 0  # connections opened: a stamp names the one it was read on

    def _watcher(self) -> sqlite3.Connection:
        """The process's own connection to the file, which never writes: every commit by
        any other connection, the worker's pool included, moves its data_version."""
        if self.watcher is None or self.watcher_pid != os.getpid():  # forked: a new one
            self.watcher = sqlite3.connect(
                f"file:{self.path}?mode=rw", uri=True, check_same_thread=False
            )
            self.watcher_pid = os.getpid()
            self.watchers += 1
        return self.watcher

    def stamp(self) -> tuple | None:
        """What has to be unchanged for a kept session to be served; None: read the row."""
        if db.session().in_transaction():
            return None
        try:
            with self.lock:
                watcher = self._watcher()
                (version,) = watcher.execute("PRAGMA data_version").fetchone()
                # data_version counts per connection: only one connection's values compare.
                return (self.watchers, version)
        except sqlite3.Error:
            self.watcher = None
            return None

    def get(self, token_hash: str, stamp: tuple) -> Kept | None:
        kept = self.entries.get(token_hash)
        if kept is not None and kept.stamp != stamp:
            self.entries.pop(token_hash)
            return None
        return kept

    def keep(self, token_hash: str, stamp: tuple, columns: dict, extras: tuple) -> None:
        self.entries.put(token_hash, Kept(stamp, columns, extras))


def _file_of(engine: Engine) -> str | None:
    """The SQLite file ``engine`` opens, if it is a plain file another connection can open."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return None if database.startswith("file:") else os.path.abspath(database)


def init_session_cache(app: Flask) -> None:
    with app.app_context():
        path = _file_of(db.engine)
    if path is not None and app.config.get("SESSION_CACHE", True):
        app.extensions["session_cache"] = SessionCache(path)
