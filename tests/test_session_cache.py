"""On SQLite each worker keeps the sessions it served while nothing was committed since
(forum/auth/session_cache.py, issue #17): a kept session costs no query, and any commit,
made here or by anyone else on the database, is seen on the next request.

The suite's app reads the session on every request (``SESSION_CACHE = False`` in
TestingConfig), so no other test's query count hangs on what ran before it. These tests
use an app of their own with the cache on: its requests each get an app context and a
database session of their own, as a worker's do. The deployment tests check the same
across two gunicorn workers."""

import contextlib

import pytest
from sqlalchemy import create_engine, event, select, text

from forum.extensions import db
from forum.models import User
from forum.notifications.services import notify
from tests.conftest import USING_PG, login
from tests.factories import make_user

pytestmark = pytest.mark.skipif(
    USING_PG, reason="the session cache is SQLite's (PostgreSQL reads the row every time)"
)


@pytest.fixture
def worker(make_app):
    """An app with the session cache on, as production runs it on SQLite."""
    worker = make_app(SESSION_CACHE=True)
    assert "session_cache" in worker.extensions
    return worker


@pytest.fixture
def carol(app, worker):
    """A test client of ``worker`` signed in as carol."""
    user = make_user("carol")
    db.session.commit()
    client = worker.test_client()
    login(client, user)
    return client


@contextlib.contextmanager
def session_queries(worker):
    """The statements ``worker`` sends that read the session."""
    with worker.app_context():
        engine = db.engine
    statements = []

    def record(_conn, _cursor, statement, *_):
        if "WHERE user_sessions.token_hash" in statement:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_kept_session_costs_no_query_and_shows_the_member(worker, carol):
    # The first pages may also fill what other caches keep in the database (a commit, so
    # the session is read again once): by the third, nothing is written.
    with session_queries(worker) as first:
        assert carol.get("/").status_code == 200
    assert len(first) == 1
    carol.get("/")
    with session_queries(worker) as later:
        page = carol.get("/")
    assert page.status_code == 200 and "carol" in page.text and "Log out" in page.text
    assert later == []


def test_the_suites_app_reads_the_session_every_time(app, client, member, count_queries):
    login(client, member)
    client.get("/")
    with count_queries() as log:
        client.get("/")
    assert sum("FROM user_sessions" in statement for statement in log.statements) == 1
    assert "session_cache" not in app.extensions


def test_a_ban_made_outside_the_app_shows_on_the_next_request(worker, carol):
    assert "Log out" in carol.get("/settings").text
    # Another connection, as a command, another process or a SQL prompt would make it.
    engine = create_engine(worker.config["SQLALCHEMY_DATABASE_URI"])
    with engine.begin() as conn:
        conn.execute(text("UPDATE users SET status = 'banned' WHERE username = 'carol'"))
    engine.dispose()
    page = carol.get("/settings")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_a_notification_shows_in_the_menu_at_once(carol):
    assert "unread" not in carol.get("/").text
    carol.get("/")
    notify(db.session.scalar(select(User).filter_by(username="carol")), "reply", "An answer.")
    db.session.commit()
    assert 'aria-label="1 unread"' in carol.get("/").text


def test_a_logout_ends_the_kept_session_too(worker, carol):
    assert "Log out" in carol.get("/settings").text
    stolen = worker.test_client()  # the same cookie, kept by someone else
    stolen.set_cookie("session", carol.get_cookie("session").value)
    assert "Log out" in stolen.get("/settings").text
    assert carol.post("/logout").status_code == 302
    page = stolen.get("/settings")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_each_cookie_gets_its_own_member(worker, carol):
    user = make_user("dave")
    db.session.commit()
    dave = worker.test_client()
    login(dave, user)
    for _ in range(3):
        assert "carol" in carol.get("/settings").text
        assert "dave" not in carol.get("/settings").text
        assert "dave" in dave.get("/settings").text
        assert "carol" not in dave.get("/settings").text


def test_a_kept_member_is_the_sessions_own_and_saves_changes(worker, carol):
    carol.get("/settings")
    with session_queries(worker) as log:
        carol.get("/settings")
    assert log == []  # kept
    # Served from the kept copy: the change is made on it and committed all the same, and
    # the worker's own commit makes the kept copy stale.
    sent = carol.post("/settings/course", data={"course_dose_mg": "40"})
    assert sent.status_code == 302
    assert db.session.scalar(select(User.course_dose_mg).filter_by(username="carol")) == 40
    with session_queries(worker) as log:
        assert 'value="40"' in carol.get("/settings").text
    assert len(log) == 1
