"""Personal access tokens: /settings/tokens and ``Authorization: Bearer`` (issue #18)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.api import tokens
from forum.extensions import db
from forum.models import ApiToken, UserStatus, utcnow
from forum.notifications.services import notify
from tests.conftest import login
from tests.factories import make_user


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _make_token(client, name="My research script", days="30") -> str:
    response = client.post("/settings/tokens", data={"name": name, "days": days})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    match = re.search(r'id="new-token">([^<]+)<', response.text)
    assert match, response.text
    return match.group(1)


def test_a_token_is_shown_once_stored_hashed_and_reads_me(client, member):
    login(client, member)
    token = _make_token(client)
    row = db.session.scalar(select(ApiToken))
    assert row.token_hash == tokens.hash_token(token) and token not in row.token_hash
    page = client.get("/settings/tokens").text
    assert token not in page and "My research script" in page
    signed_out = type(client)(client.application)
    me = signed_out.get("/api/v1/me", headers=_bearer(token))
    assert me.status_code == 200
    assert me.headers["Cache-Control"] == "private, no-store"
    data = me.get_json()["me"]
    assert data["username"] == member.username and data["token"]["name"] == "My research script"
    assert "email" not in data


def test_me_needs_a_token(client, member):
    login(client, member)  # a session cookie is not a token
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused_everywhere(client, member):
    login(client, member)
    token = _make_token(client)
    row = db.session.scalar(select(ApiToken))
    assert client.post(f"/settings/tokens/{row.id}/revoke").status_code == 302
    for path in ("/api/v1/me", "/api/v1/me/notifications", "/api/v1/threads"):
        response = client.get(path, headers=_bearer(token))
        assert response.status_code == 401, path
        assert response.mimetype == "application/problem+json"
    assert "My research script" not in client.get("/settings/tokens").text


def test_an_expired_token_is_refused(client, member):
    row, token = tokens.create_token(member, name="Old", days=7)
    db.session.commit()
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 401


def test_a_banned_members_token_stops_working(client, member):
    _, token = tokens.create_token(member, name="Script", days=30)
    member.status = UserStatus.BANNED
    db.session.commit()
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 401


@pytest.mark.parametrize(
    "header", ["Bearer iso_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer", "iso_x"]
)
def test_malformed_or_unknown_tokens_are_refused(client, header):
    response = client.get("/api/v1/tags", headers={"Authorization": header})
    assert response.status_code == 401 and response.mimetype == "application/problem+json"


def test_guessing_tokens_counts_as_failed_logins(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT", "3 per minute")
    for _ in range(3):
        assert client.get("/api/v1/me", headers=_bearer("iso_guess")).status_code == 401
    refused = client.get("/api/v1/me", headers=_bearer("iso_guess"))
    assert refused.status_code == 429 and "Retry-After" in refused.headers


def test_someone_elses_token_cannot_be_revoked(client, member):
    other = make_user("other")
    row, token = tokens.create_token(other, name="Theirs", days=30)
    db.session.commit()
    login(client, member)
    assert client.post(f"/settings/tokens/{row.id}/revoke").status_code == 404
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200


def test_a_token_form_without_a_name_re_renders_with_the_error(client, member):
    login(client, member)
    response = client.post("/settings/tokens", data={"name": "", "days": "30"})
    assert response.status_code == 422
    assert "Give the token a name" in response.text
    response = client.post("/settings/tokens", data={"name": "Kept text", "days": "12"})
    assert response.status_code == 422 and 'value="Kept text"' in response.text
    assert db.session.scalar(select(ApiToken)) is None


def test_the_tokens_page_needs_a_login(client):
    response = client.get("/settings/tokens")
    assert response.status_code == 302 and "/login" in response.location


def test_me_notifications_pages_through_the_members_inbox(client, member):
    for n in range(3):
        notify(member, "warning", f"Message {n}")
    notify(make_user("someone"), "warning", "Not yours")
    _, token = tokens.create_token(member, name="Inbox", days=30)
    db.session.commit()
    first = client.get("/api/v1/me/notifications?limit=2", headers=_bearer(token)).get_json()
    assert [n["message"] for n in first["notifications"]] == ["Message 2", "Message 1"]
    rest = client.get(first["next"].split("127.0.0.1:5000")[1], headers=_bearer(token))
    assert [n["message"] for n in rest.get_json()["notifications"]] == ["Message 0"]
    assert rest.get_json()["next"] is None


def test_a_token_holders_answer_is_never_served_to_anyone_else(app, client, member):
    app.config["ANON_CACHE_SECONDS"] = 10
    try:
        _, token = tokens.create_token(member, name="Script", days=30)
        db.session.commit()
        mine = client.get("/api/v1/me", headers=_bearer(token))
        assert mine.status_code == 200
        anonymous = client.get("/api/v1/me")
        assert anonymous.status_code == 401 and member.username not in anonymous.text
    finally:
        app.config["ANON_CACHE_SECONDS"] = 0
