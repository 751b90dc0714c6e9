"""Each worker checks a session cookie once and remembers the answer; a form's CSRF token is
signed once a second per session (forum/cookie_sessions.py, issue #17). What a request
sees must be what a full check would give it: forged and expired cookies refused every
time, no session shared between requests, every token accepted."""

import re
from datetime import timedelta

import pytest
from flask import g, session
from flask_wtf.csrf import generate_csrf

from forum import cookie_sessions
from tests.conftest import login
from tests.factories import PASSWORD

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _remembered(app) -> dict:
    return app.session_interface.remembered.entries


def _settle(client) -> None:
    """Two pages: the first puts a CSRF token in the session (a new cookie), the second
    comes with the cookie a browser then keeps sending."""
    client.get("/")
    assert 'href="/u/member1"' in client.get("/").text


def test_a_cookie_seen_before_is_not_checked_again(app, client, member, monkeypatch):
    login(client, member)
    _settle(client)
    assert client.get_cookie("session").value in _remembered(app)

    def no_second_check(*_args, **_kwargs):
        raise AssertionError("the remembered cookie was checked again")

    monkeypatch.setattr(type(app.session_interface), "get_signing_serializer", no_second_check)
    assert 'href="/u/member1"' in client.get("/").text


def test_a_forged_cookie_is_refused_and_never_remembered(app, client, member):
    login(client, member)
    good = client.get_cookie("session").value
    payload, stamp, signature = good.rsplit(".", 2)
    forged = f"{payload}.{stamp}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    client.set_cookie("session", forged)
    for _ in range(2):
        page = client.get("/settings")
        assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert forged not in _remembered(app)


def test_a_remembered_cookie_still_expires(make_app, member, monkeypatch):
    short = make_app(PERMANENT_SESSION_LIFETIME=timedelta(seconds=60))
    client = short.test_client()
    login(client, member)
    _settle(client)
    assert client.get_cookie("session").value in _remembered(short)
    later = cookie_sessions.time.time() + 120
    monkeypatch.setattr(cookie_sessions.time, "time", lambda: later)
    page = client.get("/settings")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_each_request_gets_a_session_of_its_own(app, client, member):
    login(client, member)
    _settle(client)
    cookie = client.get_cookie("session").value
    kept = dict(_remembered(app)[cookie][0])
    # A flashed message changes this request's session (and sends a new cookie) ...
    client.post("/settings/course", data={"course_dose_mg": "40"})
    # ... and never what the worker remembers of the cookie it came with.
    assert _remembered(app)[cookie][0] == kept


def test_sessions_holding_more_than_plain_values_are_not_remembered(app, client, member):
    login(client, member)
    client.post("/settings/course", data={"course_dose_mg": "40"})  # flashes a message
    flashed = client.get_cookie("session").value
    client.get("/settings")
    assert flashed not in _remembered(app)


@pytest.fixture
def strict(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def test_the_remembered_csrf_token_is_accepted(strict, member):
    client = strict.test_client()
    token = TOKEN.search(client.get("/login").text).group(1)
    sent = client.post(
        "/login", data={"login": "member1", "password": PASSWORD, "csrf_token": token}
    )
    assert sent.status_code == 302
    pages = [client.get("/settings").text for _ in range(3)]
    tokens = {TOKEN.search(page).group(1) for page in pages}
    for token in tokens:
        changed = client.post(
            "/settings/course", data={"course_dose_mg": "40", "csrf_token": token}
        )
        assert changed.status_code == 302, changed.text
    assert client.post("/logout", data={"csrf_token": "not-a-token"}).status_code == 400


def test_a_token_is_the_one_flask_wtf_would_sign_that_second(strict, monkeypatch):
    monkeypatch.setattr(cookie_sessions.time, "time", lambda: 1_900_000_000.5)
    with strict.test_request_context():
        session["csrf_token"] = "raw-token-of-this-session"
        first = cookie_sessions.csrf_token()
        g.pop("csrf_token")
        second = cookie_sessions.csrf_token()  # remembered
        g.pop("csrf_token")
        assert first == second
        session["csrf_token"] = "another-session"
        assert cookie_sessions.csrf_token() != first  # another session, another token
        g.pop("csrf_token")
        session["csrf_token"] = "raw-token-of-this-session"
        assert generate_csrf() == first  # what Flask-WTF signs for it in that second
