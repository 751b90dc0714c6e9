"""Per-connection database settings.

SQLite: WAL so readers run beside the writer, foreign keys on, a busy timeout, and write
transactions opened with BEGIN IMMEDIATE (SQLAlchemy's pysqlite recipe): a deferred
transaction that reads and then writes can fail with "database is locked" even with a busy
timeout, so requests that write take the write lock up front. Reads keep plain BEGIN so
they never queue behind a writer; writers queue on a file lock (``forum.writer_turns``).
"""

import select
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, g, has_request_context, request
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session

from forum import writer_turns
from forum.extensions import db
from forum.pg_reads import init_pg_reads

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# GET endpoints that write (a one-click verification link; the inbox marks what it shows read).
WRITING_GET_ENDPOINTS = frozenset({"auth.verify", "notifications.index"})
# Writing endpoints that call ``begin_writes`` before their first write.
READS_FIRST_ENDPOINTS = frozenset({"threads.reply"})
DEFERRED = "forum_deferred_begin"  # connection info: its transaction began as a reader
WRITING = "forum_writing"  # g: begin_writes was called in this request
FLUSHED = "forum_flushed"  # session info: the transaction has flushed a write


def reads_only() -> bool:
    """Whether this request only reads, by its method and endpoint."""
    return request.method in READ_METHODS and request.endpoint not in WRITING_GET_ENDPOINTS


def _wants_write_lock() -> bool:
    if not has_request_context():
        return True  # CLI commands and tests write
    if request.endpoint in READS_FIRST_ENDPOINTS:
        return g.get(WRITING, False)
    return not reads_only()


def begin_writes() -> None:
    """The writes start here: on SQLite, end the read transaction this request began and
    take the write lock (BEGIN IMMEDIATE waits up to the busy timeout for it). Anything read
    before is read again if needed; nothing may have been written before. A no-op on
    PostgreSQL, and where the transaction already holds the lock."""
    if db.engine.dialect.name != "sqlite":
        return
    if has_request_context():
        setattr(g, WRITING, True)
    if not db.session().in_transaction():
        return  # the next statement begins, with the lock
    conn = db.session.connection()
    if conn.info.pop(DEFERRED, False):
        conn.exec_driver_sql("COMMIT")
        _begin_immediate(conn)


@contextmanager
def all_or_nothing() -> Iterator[None]:
    """The block's writes, all undone if it raises. A transaction that has written nothing
    before is rolled back whole; one that has gets a savepoint, which would cost the usual
    case (a request's only writes) two more round trips."""
    session = db.session()
    if session.info.get(FLUSHED) or session.new or session.dirty or session.deleted:
        with session.begin_nested():
            yield
        return
    try:
        yield
    except BaseException:
        session.rollback()
        raise


@event.listens_for(Session, "after_flush")
def _flushed(session, _context) -> None:
    session.info[FLUSHED] = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(FLUSHED, None)


def _begin_immediate(conn) -> None:
    turns = writer_turns.of(conn.engine)
    if turns is None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        turns.begin_immediate(conn)


def ensure_sqlite_directory(engine: Engine) -> None:
    """Create the folder a SQLite file lives in: SQLite makes the file but not its folder, and
    "unable to open database file" is all it says otherwise (issue #11)."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    Path(database).parent.mkdir(parents=True, exist_ok=True)


def _closed_by_server(dbapi_connection) -> bool:
    """Whether the server closed this idle connection, without a round trip: while no query
    is pending, its socket is readable only when the server has hung up (a restart, a
    dropped link) or sent something unasked, and either way a fresh connection is safer."""
    if getattr(dbapi_connection, "closed", False):
        return True
    try:
        readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def watch_for_dropped_connections(engine: Engine) -> None:
    """Replace a pooled connection the server has dropped when it is checked out (issue #17):
    the pool tries a new one. It replaces ``pool_pre_ping``, which cost a round trip on
    every checkout."""

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection, _record, _proxy):
        if _closed_by_server(dbapi_connection):
            raise DisconnectionError("the server closed this connection")


def configure_engine(app: Flask, engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        watch_for_dropped_connections(engine)
        return
    ensure_sqlite_directory(engine)
    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])
    # FULL: a commit that was acknowledged survives a power cut (issue #2's durability).
    synchronous = {"OFF": "OFF", "NORMAL": "NORMAL"}.get(app.config["SQLITE_SYNCHRONOUS"], "FULL")

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event below emit BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA synchronous = {synchronous}")
        cursor.close()

    turns_file = writer_turns.lock_path(engine.url.database)
    if turns_file is not None:
        writer_turns.install(engine, turns_file, busy_ms / 1000)

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        immediate = _wants_write_lock()
        conn.info[DEFERRED] = not immediate
        if immediate:
            _begin_immediate(conn)
        else:
            conn.exec_driver_sql("BEGIN")


# The full-text search tables are dialect-specific (FTS5 on SQLite, a tsvector table on
# PostgreSQL), built by raw SQL in the migrations and absent from the models on purpose.
SEARCH_TABLE_PREFIX = "search_"


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic filter: leave the search tables out of autogenerate and ``db check``."""
    if type_ == "table" and name and name.startswith(SEARCH_TABLE_PREFIX):
        return False
    table = getattr(obj, "table", None)
    return not (table is not None and table.name.startswith(SEARCH_TABLE_PREFIX))


TRANSACTION = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def count_queries(app: Flask, engine: Engine) -> None:
    """With QUERY_COUNT_HEADER on, each response says how many SQL statements it cost."""
    if not app.config.get("QUERY_COUNT_HEADER"):
        return

    @event.listens_for(engine, "before_cursor_execute")
    def count(_conn, _cursor, statement, *_args):
        # Transaction control (SQLite's BEGIN, begin_writes' COMMIT, the savepoint around a
        # reply's writes) is sent as statements, but is not a query.
        if has_request_context() and not statement.lstrip().upper().startswith(TRANSACTION):
            g.query_count = g.get("query_count", 0) + 1

    @app.after_request
    def add_header(response):
        response.headers["X-Query-Count"] = str(g.get("query_count", 0))
        return response


def init_database(app: Flask) -> None:
    with app.app_context():
        configure_engine(app, db.engine)
        count_queries(app, db.engine)
        init_pg_reads(app, db.engine, reads_only)


def recreate_empty(url: str) -> None:
    """An empty database at ``url`` (never the forum's own: the benchmark and the deployment
    tests use it): delete the SQLite file, or create the PostgreSQL database if it is
    missing and reset its schema."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
        )
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
