"""Login, registration and reset are rate-limited; attempt N+1 answers 429 and says when
to retry, keeping what was typed. Limits that protect accounts fail closed."""

import pytest
from limits import parse

from forum.extensions import db, limiter
from forum.models import User
from tests.conftest import outbox
from tests.factories import PASSWORD
from tests.services import redis_url

STRONG = "a distant purple harbour"


def from_address(n: int) -> dict:
    return {"REMOTE_ADDR": f"10.0.0.{n}"}


def limit_amount(app, name: str) -> int:
    return parse(app.config[name]).amount


def assert_retry_page(response):
    assert response.status_code == 429
    assert "Try again in" in response.text
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= 3600


def test_defaults_match_the_issue(app):
    assert app.config["LOGIN_LIMIT"] == "10 per 5 minutes"
    assert app.config["REGISTER_LIMIT"] == "5 per hour"
    assert app.config["RESET_LIMIT"] == "5 per hour"


def test_failed_logins_per_account(app, client, member):
    n = limit_amount(app, "LOGIN_LIMIT")
    for i in range(n):
        response = client.post(
            "/login", data={"login": "member1", "password": "wrong"}, environ_base=from_address(i)
        )
        assert response.status_code == 422
    # Attempt N+1, from yet another address and with the right password: refused.
    response = client.post(
        "/login", data={"login": "MEMBER1", "password": PASSWORD}, environ_base=from_address(99)
    )
    assert_retry_page(response)
    assert "Try again in 5 minutes." in response.text
    assert 'value="MEMBER1"' in response.text  # what was typed is kept
    assert 'name="password"' in response.text  # the form is shown again
    # Other accounts are not affected.
    assert (
        client.post(
            "/login", data={"login": "nobody", "password": "x"}, environ_base=from_address(98)
        ).status_code
        == 422
    )


def test_failed_logins_per_address(app, client, member):
    n = limit_amount(app, "LOGIN_LIMIT")
    for i in range(n):
        response = client.post("/login", data={"login": f"someone{i}", "password": "wrong"})
        assert response.status_code == 422
    response = client.post("/login", data={"login": "member1", "password": PASSWORD})
    assert_retry_page(response)
    assert 'value="member1"' in response.text
    # Another address can still log in to the same account.
    other = client.post(
        "/login", data={"login": "member1", "password": PASSWORD}, environ_base=from_address(7)
    )
    assert other.status_code == 302


def test_successful_logins_are_not_counted(app, client, member):
    for _ in range(limit_amount(app, "LOGIN_LIMIT") + 2):
        assert (
            client.post("/login", data={"login": "member1", "password": PASSWORD}).status_code
            == 302
        )
        client.post("/logout")


def test_registrations_per_address(app, client):
    n = limit_amount(app, "REGISTER_LIMIT")
    for i in range(n):
        data = {
            "username": f"person{i}",
            "email": f"person{i}@example.org",
            "password": STRONG,
            "password_confirm": STRONG,
            "age_confirm": "y",
            "accept_terms": "y",
        }
        assert client.post("/register", data=data).status_code == 302
    data = {
        "username": "onemore",
        "email": "onemore@example.org",
        "password": STRONG,
        "password_confirm": STRONG,
        "age_confirm": "y",
        "accept_terms": "y",
    }
    response = client.post("/register", data=data)
    assert_retry_page(response)
    assert "Try again in 1 hour." in response.text
    assert 'value="onemore"' in response.text and 'value="onemore@example.org"' in response.text
    assert db.session.query(User).filter_by(username="onemore").count() == 0
    assert client.post("/register", data=data, environ_base=from_address(3)).status_code == 302


def test_resets_per_address(app, client, member):
    n = limit_amount(app, "RESET_LIMIT")
    for i in range(n):
        assert client.post("/reset", data={"email": f"x{i}@example.org"}).status_code == 302
    response = client.post("/reset", data={"email": "member1@example.org"})
    assert_retry_page(response)
    assert 'value="member1@example.org"' in response.text
    assert outbox(app) == []


def test_resets_per_email(app, client, member):
    n = limit_amount(app, "RESET_LIMIT")
    for i in range(n):
        client.post("/reset", data={"email": "member1@example.org"}, environ_base=from_address(i))
    assert len(outbox(app)) == n
    response = client.post(
        "/reset", data={"email": "Member1@example.org"}, environ_base=from_address(50)
    )
    assert_retry_page(response)
    assert len(outbox(app)) == n


def test_limits_can_be_switched_off(make_app, member):
    extra = make_app(RATELIMIT_ENABLED=False)
    client = extra.test_client()
    for _ in range(limit_amount(extra, "LOGIN_LIMIT") + 1):
        assert client.post("/login", data={"login": "member1", "password": "x"}).status_code == 422


def test_counts_live_in_redis_when_redis_url_is_set(make_app, member):
    url = redis_url()
    extra = make_app(REDIS_URL=url)
    assert extra.config["RATELIMIT_STORAGE_URI"] == url
    from limits.storage import RedisStorage

    assert isinstance(limiter.storage, RedisStorage)
    limiter.reset()
    client = extra.test_client()
    try:
        for _ in range(limit_amount(extra, "LOGIN_LIMIT")):
            client.post("/login", data={"login": "member1", "password": "wrong"})
        keys = limiter.storage.get_connection().keys("*LOGIN_LIMIT*")
        assert keys, "no rate-limit counters in Redis"
        assert not [key for key in keys if b"member1" in key]  # keys are hashed
        response = client.post("/login", data={"login": "member1", "password": PASSWORD})
        assert_retry_page(response)
    finally:
        limiter.reset()


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/login", {"login": "member1", "password": PASSWORD}),
        ("/reset", {"email": "member1@example.org"}),
        (
            "/register",
            {
                "username": "newperson",
                "email": "new@example.org",
                "password": STRONG,
                "password_confirm": STRONG,
                "age_confirm": "y",
                "accept_terms": "y",
            },
        ),
    ],
)
def test_limits_fail_closed_when_redis_is_down(make_app, member, url, data):
    extra = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    client = extra.test_client()
    response = client.post(url, data=data)
    assert response.status_code == 503
    assert "Retry-After" in response.headers
    assert "Temporarily unavailable" in response.text
    assert "Traceback" not in response.text
    assert client.get_cookie("remember_token") is None
    assert 'href="/u/member1"' not in client.get("/").text
    assert db.session.query(User).filter_by(username="newperson").count() == 0
    assert outbox(extra) == []
