"""On SQLite each worker keeps the sessions it served while nothing was committed since
(forum/auth/session_cache.py, issue #17): a kept session costs no query, and any commit,
made here or by anyone else on the database, is seen on the next request. Requests here
end their session as a real request does (the suite's requests share the test's), and the
deployment tests check the same across two gunicorn workers."""

import pytest
from sqlalchemy import create_engine, select, text

from forum.extensions import db
from forum.models import User
from forum.notifications.services import notify
from tests.conftest import USING_PG, login
from tests.factories import make_user

pytestmark = pytest.mark.skipif(
    USING_PG, reason="the session cache is SQLite's (PostgreSQL reads the row every time)"
)


def _get(client, path="/settings"):
    db.session.remove()  # a real request starts with no session, and ends it
    response = client.get(path)
    db.session.remove()
    return response


def _session_queries(log) -> int:
    return sum("FROM user_sessions" in statement for statement in log.statements)


@pytest.fixture
def member(client) -> int:
    user = make_user("carol")
    db.session.commit()
    login(client, user)
    return user.id


def test_a_kept_session_costs_no_query_and_shows_the_member(client, member, count_queries):
    # Read and kept. The first pages may also fill what other caches keep in the database
    # (a commit, so the session is read again once): by the third, nothing is written.
    for _ in range(2):
        assert _get(client, "/").status_code == 200
    with count_queries() as log:
        db.session.remove()
        page = _get(client, "/")
    assert page.status_code == 200 and "carol" in page.text and "Log out" in page.text
    assert _session_queries(log) == 0, log


def test_a_ban_made_outside_the_app_shows_on_the_next_request(app, client, member):
    assert "Log out" in _get(client).text
    # Another connection, as a command, another process or a SQL prompt would make it.
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with engine.begin() as conn:
        conn.execute(text("UPDATE users SET status = 'banned' WHERE username = 'carol'"))
    engine.dispose()
    page = _get(client)
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_a_notification_shows_in_the_menu_at_once(client, member):
    assert "unread" not in _get(client, "/").text
    notify(db.session.get(User, member), "reply", "Someone answered your thread.")
    db.session.commit()
    assert 'aria-label="1 unread"' in _get(client, "/").text


def test_a_logout_ends_the_kept_session_too(client, member):
    page = _get(client)
    assert "Log out" in page.text
    stolen = client.application.test_client()  # the same cookie, kept by someone else
    stolen.set_cookie("session", client.get_cookie("session").value)
    db.session.remove()
    assert client.post("/logout").status_code == 302
    page = _get(stolen)
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_each_cookie_gets_its_own_member(app, client, member):
    other = app.test_client()
    login(other, make_user("dave"))
    db.session.commit()
    for _ in range(2):
        assert "carol" in _get(client).text and "dave" not in _get(client).text
        assert "dave" in _get(other).text and "carol" not in _get(other).text


def test_a_kept_member_is_the_sessions_own_and_saves_changes(client, member):
    _get(client)
    _get(client)
    # Served from the kept copy: the change is made on it and committed all the same.
    db.session.remove()
    sent = client.post("/settings/course", data={"course_dose_mg": "40"})
    db.session.remove()
    assert sent.status_code == 302
    assert db.session.scalar(select(User.course_dose_mg).where(User.id == member)) == 40
