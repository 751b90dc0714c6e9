"""Rate-limit counters in the app's own database, for deployments without Redis (issue #9).

Without REDIS_URL, counters kept in each worker let every worker allow the full limit, so a
limit of 10 failed logins allowed 16 with two workers. ``DatabaseStorage`` is a ``limits``
storage (scheme ``forumdb://``: the database the app already uses) that every worker on
every host shares. Only fixed windows are needed (RATELIMIT_STRATEGY), so a counter is one
row: its key, its count and when its window ends (seconds since the epoch).

Each statement is one atomic UPSERT in a short transaction of its own, on a connection of
its own, so counting never depends on the request's transaction (a refused login is never
committed). On PostgreSQL the table lives in the app's database (migration 0008). SQLite
allows one writer per file, and a request that writes holds that lock from its first query
(BEGIN IMMEDIATE, see forum/database.py), so a counter in the same file could only be
written once the request ended; there the counters live in a file of their own beside the
database (``forum.db`` → ``forum.db-ratelimit``), shared by every worker on the host, as
the database file is.
"""

import logging
import time

from limits.errors import ConfigurationError
from limits.storage import Storage
from sqlalchemy import Float, Integer, String, case, create_engine, delete, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.schema import CreateIndex, CreateTable

from forum.extensions import db

log = logging.getLogger(__name__)
SQLITE_TIMEOUT_SECONDS = 15
# Expired windows are deleted every so many increments in each process.
PURGE_EVERY = 500


class RateLimitCounter(db.Model):
    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float, index=True)


_counters = RateLimitCounter.__table__


def _increment_statement(dialect: str, key: str, amount: int, now: float, expires_at: float):
    """INSERT ... ON CONFLICT DO UPDATE ... RETURNING: one atomic statement, starting a new
    window when the stored one has ended."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(_counters).values(key=key, count=amount, expires_at=expires_at)
    ended = _counters.c.expires_at <= now
    return stmt.on_conflict_do_update(
        index_elements=[_counters.c.key],
        set_={
            "count": case((ended, amount), else_=_counters.c.count + amount),
            "expires_at": case((ended, expires_at), else_=_counters.c.expires_at),
        },
    ).returning(_counters.c.count)


class DatabaseStorage(Storage):
    """A ``limits`` storage backed by the ``rate_limit_counters`` table."""

    STORAGE_SCHEME = ["forumdb"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        # The app's database URL, read at first use (an app context), unless one is given.
        self._url = options.get("url")
        self._engine = None
        self._increments = 0

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            url = make_url(self._url or db.engine.url)
            self._engine = _sqlite_engine(url) if url.get_backend_name() == "sqlite" else None
            if self._engine is None:
                self._engine = db.engine if self._url is None else create_engine(url)
        return self._engine

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self.engine.begin() as conn:
            count = conn.execute(
                _increment_statement(conn.dialect.name, key, amount, now, now + expiry)
            ).scalar_one()
        self._increments += 1
        if self._increments % PURGE_EVERY == 0:
            self._purge_expired(now)
        return count

    def get(self, key: str) -> int:
        with self.engine.begin() as conn:
            count = conn.scalar(
                select(_counters.c.count).where(
                    _counters.c.key == key, _counters.c.expires_at > time.time()
                )
            )
        return count or 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        with self.engine.begin() as conn:
            expires_at = conn.scalar(
                select(_counters.c.expires_at).where(
                    _counters.c.key == key, _counters.c.expires_at > now
                )
            )
        return expires_at or now

    def check(self) -> bool:
        try:
            with self.engine.begin() as conn:
                conn.scalar(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as conn:
            return conn.execute(delete(_counters)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(_counters).where(_counters.c.key == key))

    def _purge_expired(self, now: float) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(delete(_counters).where(_counters.c.expires_at <= now))
        except SQLAlchemyError as exc:
            log.warning("could not purge expired rate-limit counters: %s", type(exc).__name__)


def _sqlite_engine(url: URL) -> Engine:
    """The counters' own SQLite file beside the database, each statement committed alone."""
    if not url.database or url.database == ":memory:":
        raise ConfigurationError("forumdb:// needs a database file to put its counters beside.")
    engine = create_engine(
        url.set(database=f"{url.database}-ratelimit"),
        isolation_level="AUTOCOMMIT",
        connect_args={"timeout": SQLITE_TIMEOUT_SECONDS},
    )

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    # Every worker may get here first: IF NOT EXISTS rather than look, then create.
    with engine.connect() as conn:
        conn.execute(CreateTable(_counters, if_not_exists=True))
        for index in _counters.indexes:
            conn.execute(CreateIndex(index, if_not_exists=True))
    return engine
