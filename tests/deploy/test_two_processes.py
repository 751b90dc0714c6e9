"""Two app processes on two ports share PostgreSQL and Redis and behave as one site
(issue #6): a session made on one is valid on the other, a rate limit counts across both,
and a post made on one is at once visible on the other."""

import re

import pytest
from sqlalchemy.engine import make_url

from tests.deploy.support import Browser, Server, make_members, prepare_database, server_env
from tests.services import pg_url, redis_url

pytestmark = [pytest.mark.pg, pytest.mark.redis, pytest.mark.slow]


@pytest.fixture(scope="module")
def two_servers():
    database = make_url(pg_url()).set(database="forum_deploy_two").render_as_string(False)
    redis = redis_url()
    from redis import Redis

    Redis.from_url(redis).flushdb()
    prepare_database(database)
    make_members(database, ["alice"])
    env = server_env(database, redis_url=redis, LOGIN_LIMIT="3 per 5 minutes")
    first = Server(env, workers=1)
    try:
        second = Server(env, workers=1)
    except Exception:
        first.stop()
        raise
    yield first, second
    first.stop()
    second.stop()
    Redis.from_url(redis).flushdb()


def test_a_session_made_on_one_process_is_valid_on_the_other(two_servers):
    first, second = two_servers
    browser = Browser(first.base)
    status, headers, _ = browser.log_in("alice")
    assert status == 302
    status, _, page = browser.get("/settings", base=second.base)
    assert status == 200
    assert "alice" in page
    # Logging out on the second ends the session for the first too.
    browser.post_form("/settings", "/logout", {}, base=second.base)
    status, headers, _ = browser.get("/settings", base=first.base)
    assert status == 302 and "/login" in headers["Location"]


def test_a_rate_limit_counts_across_both_processes(two_servers):
    first, second = two_servers
    attempts = []
    for base in (first.base, second.base, first.base, second.base):
        browser = Browser(base)
        status, headers, page = browser.log_in("nobody-here", "wrong password 123")
        attempts.append(status)
    assert attempts[:3] == [422, 422, 422]
    assert attempts[3] == 429
    assert "Try again in" in page
    from redis import Redis

    Redis.from_url(redis_url()).flushdb()  # the address limit would refuse later tests' logins


def test_a_post_made_on_one_process_is_at_once_visible_on_the_other(two_servers):
    first, second = two_servers
    author = Browser(first.base)
    author.log_in("alice")
    status, headers, _ = author.post_form(
        "/t/new",
        "/t/new",
        {"title": "Posted through the first process", "body": "Hello from one.", "tags": "dryness"},
    )
    assert status == 302, "the thread was not created"
    thread_path = re.sub(r"^https?://[^/]+", "", headers["Location"]).split("#")[0]
    status, _, page = Browser(second.base).get(thread_path)
    assert status == 200
    assert "Posted through the first process" in page
    status, _, page = Browser(second.base).get("/")
    assert "Posted through the first process" in page
