"""A pooled PostgreSQL connection the server dropped is replaced at checkout, without the
round trip ``pool_pre_ping`` cost on every checkout (issue #17)."""

import pytest
from sqlalchemy import create_engine, text

from forum.database import watch_for_dropped_connections
from tests.services import pg_url

pytestmark = pytest.mark.pg


def _terminated_pool(watch: bool):
    engine = create_engine(pg_url(), pool_size=1, max_overflow=0)
    if watch:
        watch_for_dropped_connections(engine)
    with engine.connect() as conn:
        pid = conn.scalar(text("SELECT pg_backend_pid()"))
    # The one pooled connection is ended by the server, as a restart would end it.
    killer = create_engine(pg_url(), isolation_level="AUTOCOMMIT")
    with killer.connect() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
    killer.dispose()
    return engine, pid


def test_a_connection_the_server_ended_is_replaced_on_first_use():
    engine, pid = _terminated_pool(watch=True)
    try:
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT pg_backend_pid()")) != pid
    finally:
        engine.dispose()


def test_without_the_check_the_first_use_fails():
    """What the check is for: the pool would hand out the dead connection."""
    engine, _ = _terminated_pool(watch=False)
    try:
        with pytest.raises(Exception, match="terminat|closed|server"), engine.connect() as conn:
            conn.scalar(text("SELECT 1"))
    finally:
        engine.dispose()


def test_no_ping_on_checkout(app):
    assert not app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping")
