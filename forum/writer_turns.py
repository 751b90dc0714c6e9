"""SQLite writers take turns on a file lock beside the database (issue #17).

SQLite lets one transaction write at a time. A writer that finds the lock taken retries
from SQLite's busy handler, which sleeps 1, 2, 5, 10 ... then 50 and 100 ms between tries:
with a few writers queued, one can sleep long after the lock came free, and at eight
concurrent repliers the slowest replies waited hundreds of milliseconds for a lock that
was free most of that time.

So before ``BEGIN IMMEDIATE`` a connection takes an exclusive ``flock`` on
``<database>.writers``, and gives it up once its transaction commits or rolls back. Every
process of the app on the host queues there and goes in the moment the previous writer is
done. The turn is held exactly while SQLite's own write lock is, so it adds no waiting of
its own; a writer that is not the app (the ``sqlite3`` shell, a backup) is still kept out
by SQLite's lock and waits in the busy handler as before.

A writer waits for its turn at most the busy timeout, polling every half millisecond,
then goes on to ``BEGIN IMMEDIATE`` anyway (and SQLite decides): a thread holding a turn
on one connection and asking for one on another is never stuck for good.
"""

import fcntl
import os
import time
import weakref

from sqlalchemy import event
from sqlalchemy.engine import Engine

FD = "forum_writer_turn_fd"  # connection info: the lock file, open for this connection
HELD = "forum_writer_turn"  # connection info: this connection has the turn now
POLL_SECONDS = 0.0005
_TURNS: "weakref.WeakKeyDictionary[Engine, WriterTurns]" = weakref.WeakKeyDictionary()


def lock_path(database: str | None) -> str | None:
    """The lock file for a SQLite database file; None for one in memory."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return f"{database}.writers"


class WriterTurns:
    def __init__(self, path: str, wait_seconds: float):
        self.path = path
        self.wait_seconds = wait_seconds

    def take(self, info: dict) -> bool:
        """Wait for this connection's turn to write; whether it has it."""
        if info.get(HELD):
            return True
        fd = info.get(FD)
        if fd is None:
            try:
                fd = info[FD] = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                return False  # a read-only folder: SQLite's own lock alone decides
        deadline = time.monotonic() + self.wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(POLL_SECONDS)
                continue
            info[HELD] = True
            return True

    def begin_immediate(self, conn) -> None:
        """``BEGIN IMMEDIATE`` on SQLAlchemy connection ``conn``, in its turn."""
        self.take(conn.info)
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self.give_up(conn.info)
            raise

    def give_up(self, info: dict) -> None:
        if info.pop(HELD, False):
            fcntl.flock(info[FD], fcntl.LOCK_UN)

    def forget(self, info: dict) -> None:
        """The connection is closing: give up its turn and close its lock file."""
        self.give_up(info)
        fd = info.pop(FD, None)
        if fd is not None:
            os.close(fd)


def install(engine: Engine, path: str, wait_seconds: float) -> WriterTurns:
    """Give the turn back whenever ``engine``'s connections end a transaction; the caller
    takes it (``take``) before each ``BEGIN IMMEDIATE``."""
    turns = WriterTurns(path, wait_seconds)

    def finish(conn, end: str) -> None:
        # These events come before SQLAlchemy's own COMMIT or ROLLBACK: end the transaction
        # here, so the turn is given up only once SQLite's lock is free; the driver's call
        # after this one then finds no transaction and does nothing.
        if not conn.info.get(HELD):
            return
        try:
            getattr(conn.connection.dbapi_connection, end)()
        finally:
            turns.give_up(conn.info)

    @event.listens_for(engine, "commit")
    def on_commit(conn):
        finish(conn, "commit")

    @event.listens_for(engine, "rollback")
    def on_rollback(conn):
        finish(conn, "rollback")

    # A connection given back to the pool mid-transaction is rolled back by the pool, not
    # through the events above; one closed or invalidated gives up its turn and its file.
    @event.listens_for(engine, "reset")
    def on_reset(dbapi_connection, record, _state=None):
        if record.info.get(HELD):
            try:
                dbapi_connection.rollback()
            finally:
                turns.give_up(record.info)

    @event.listens_for(engine, "close")
    def on_close(_dbapi_connection, record):
        turns.forget(record.info)

    @event.listens_for(engine, "invalidate")
    def on_invalidate(_dbapi_connection, record, _exception):
        turns.forget(record.info)

    _TURNS[engine] = turns
    return turns


def of(engine: Engine) -> WriterTurns | None:
    """The turns ``engine``'s writers take, if it is a SQLite file's."""
    return _TURNS.get(engine)
