"""Each worker keeps the sessions it served, exact by the database's own record of commits
(issue #17).

The one query a signed-in page from the members' store needs is the session's: the row,
its member and the counts in the menu. It cost a third of such a page, most of it in
SQLAlchemy's machinery around a statement the database answers in microseconds. A worker
keeps what that query returned, for each session it served, and serves it again only while
nothing at all has been committed to the database since, by anyone:

- SQLite: ``PRAGMA data_version`` on the worker's connection moves when any other
  connection commits (another worker, another process, a command, someone at a ``sqlite3``
  prompt); a number drawn for each of the worker's own commits that wrote covers its own
  connections, and the connection's count of rows it ever wrote (``total_changes``) covers
  the one the check runs on. The check is a pool checkout and a pragma: no transaction,
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

import itertools
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict

from forum.extensions import db
from forum.models import User

MAX_ENTRIES = 5000
SERIAL = "forum_connection_serial"  # pool record info: which DBAPI connection this is
WROTE = "forum_wrote"  # connection info: a statement of this transaction wrote
WRITES = frozenset({"INSERT", "UPDATE", "DELETE", "REPLAC"})  # REPLACE, on SQLite
_COLUMNS = tuple(attr.key for attr in User.__mapper__.column_attrs)


@dataclass(frozen=True)
class Kept:
    stamp: tuple  # (connection, data_version, own commits) when the row was read
    columns: dict[str, Any]  # the member's row
    extras: tuple  # what the query added: session id and last use, unread and queue counts


class SessionCache:
    def __init__(self, engine: Engine, size: int = MAX_ENTRIES):
        self.engine = engine
        self.size = size
        self.entries: OrderedDict[str, Kept] = OrderedDict()
        self.lock = threading.Lock()
        # Each commit that wrote draws a new number: two threads never write the same one,
        # so a commit after a stamp was read always leaves a number the stamp doesn't hold.
        self.own_commits = 0
        self.commit_numbers = itertools.count(1)
        self.serials = itertools.count(1)

        @event.listens_for(engine, "connect")
        def number_connection(_dbapi_connection, record):
            # data_version counts per connection: a stamp names the connection it was read
            # on, and a new connection (a reconnect reuses the pool's record) is a new name.
            record.info[SERIAL] = next(self.serials)

        @event.listens_for(engine, "before_cursor_execute")
        def note_write(conn, _cursor, statement, *_):
            if statement.lstrip()[:6].upper() in WRITES:
                conn.info[WROTE] = True

        @event.listens_for(engine, "commit")
        def count_own_commit(conn):
            # Counted before the commit reaches the database: a row read after this point
            # and before the commit lands is stamped with the new count, and the commit then
            # moves data_version on every other connection, this worker's included.
            if conn.info.pop(WROTE, False):
                self.own_commits = next(self.commit_numbers)

        @event.listens_for(engine, "rollback")
        def forget_write(conn):
            conn.info.pop(WROTE, None)

    def stamp(self) -> tuple | None:
        """What has to be unchanged for a kept session to be served; None: read the row."""
        own = self.own_commits
        if db.session().in_transaction():
            return None
        raw = self.engine.raw_connection()
        try:
            if SERIAL not in raw.info:  # opened before this cache was made
                raw.info[SERIAL] = next(self.serials)
            driver = raw.driver_connection
            (version,) = driver.execute("PRAGMA data_version").fetchone()
            # data_version never moves for the connection's own commits: its count of rows
            # written does, whatever the statement looked like.
            return (raw.info[SERIAL], version, driver.total_changes, own)
        finally:
            raw.close()

    def get(self, token_hash: str, stamp: tuple) -> Kept | None:
        with self.lock:
            kept = self.entries.get(token_hash)
            if kept is None:
                return None
            if kept.stamp != stamp:
                del self.entries[token_hash]
                return None
            self.entries.move_to_end(token_hash)
            return kept

    def keep(self, token_hash: str, stamp: tuple, user: User, extras: tuple) -> None:
        loaded = instance_dict(user)
        columns = {key: loaded[key] for key in _COLUMNS if key in loaded}
        with self.lock:
            self.entries[token_hash] = Kept(stamp, columns, extras)
            self.entries.move_to_end(token_hash)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


def member_from(kept: Kept) -> User:
    """The kept row as a persistent, clean ``User`` of this request's session, as if the
    query had loaded it: what the request changes on it is flushed as usual."""
    user = User.__mapper__.class_manager.new_instance()
    instance_dict(user).update(kept.columns)
    make_transient_to_detached(user)
    return db.session.merge(user, load=False)


def init_session_cache(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite" or not app.config.get("SESSION_CACHE", True):
        return
    app.extensions["session_cache"] = SessionCache(engine)
