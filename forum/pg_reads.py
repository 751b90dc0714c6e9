"""Reading requests on PostgreSQL run their statements outside a transaction (issue #17).

Under READ COMMITTED, PostgreSQL's default and ours, every statement sees what was
committed before it started, in a transaction or not: a transaction around a page's reads
buys them no common snapshot. It cost two round trips on every request all the same (the
driver's BEGIN before the first statement, the ROLLBACK when the session closes), about
half a millisecond here and more than the query a signed-in page makes.

So a GET, HEAD or OPTIONS request (not one of the endpoints that write on GET) takes its
connection in autocommit. The first statement that writes or locks, or that needs a
transaction to scope it (``set_config(..., true)``, a savepoint), begins one first; from
there the request's writes are as atomic as before, and its commit or rollback ends the
transaction as usual. Every other request, and SQLite (whose BEGIN is a function call, not
a round trip, and whose transaction is a snapshot), is unchanged.
"""

import functools
import logging
from collections.abc import Callable

from flask import Flask, request
from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from forum.extensions import db

log = logging.getLogger(__name__)

OUTSIDE = "forum_reads_outside_transaction"  # connection info: checked out for a read
# In a SELECT, what locks rows, scopes a setting to the transaction or has a side effect.
_TRANSACTIONAL = (
    " FOR UPDATE",
    " FOR NO KEY UPDATE",
    " FOR SHARE",
    " FOR KEY SHARE",
    "SET_CONFIG(",
    "PG_ADVISORY",
    "NEXTVAL(",
    "SETVAL(",
    "PG_NOTIFY(",
)


@functools.lru_cache(maxsize=4096)
def needs_transaction(statement: str) -> bool:
    """Whether ``statement`` must run inside a transaction: anything but a plain SELECT."""
    text = statement.lstrip().upper()
    if not text.startswith("SELECT"):
        return True
    return any(marker in text for marker in _TRANSACTIONAL)


def init_pg_reads(app: Flask, engine: Engine, reads_only: Callable[[], bool]) -> None:
    """``reads_only()``: whether the request only reads (``forum.database.reads_only``)."""
    if engine.dialect.name != "postgresql":
        return

    def reads_outside_transaction() -> None:
        if not reads_only():
            return
        if request.endpoint == "static" or db.session().in_transaction():
            return
        try:
            conn = db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        except SQLAlchemyError as exc:
            # The database is away: the request's first statement meets it as before (a
            # 503 page), not this early checkout.
            log.debug("no connection for a read: %s", type(exc).__name__)
            db.session.rollback()
            return
        conn.info[OUTSIDE] = True

    # First of the request's hooks: anything before it that touched the session (the user
    # loader) would have begun a transaction already.
    app.before_request_funcs.setdefault(None, []).insert(0, reads_outside_transaction)

    @event.listens_for(engine, "before_cursor_execute")
    def begin_before_writing(conn, cursor, statement, _parameters, _context, _many):
        if not conn.info.get(OUTSIDE) or not needs_transaction(statement):
            return
        dbapi_connection = conn.connection.dbapi_connection
        if dbapi_connection.info.transaction_status == TransactionStatus.IDLE:
            # In autocommit, psycopg sends COMMIT or ROLLBACK only for a transaction in
            # progress: the session's commit and rollback end this one as usual.
            cursor.execute("BEGIN")

    @event.listens_for(engine, "checkin")
    def forget(_dbapi_connection, record):
        record.info.pop(OUTSIDE, None)
