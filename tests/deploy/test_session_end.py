"""A logout or a ban takes effect on the very next request, on every worker (issue #17):
whatever a worker keeps of a session between requests, it never outlives the session's end.
One gunicorn with two workers; each check is repeated so both workers answer it. On SQLite
each worker keeps the sessions it served (forum/auth/session_cache.py): the ban comes from
outside the app, as a command or someone at a SQL prompt would make it."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.deploy.support import (
    Browser,
    Server,
    make_members,
    prepare_database,
    server_env,
)
from tests.services import pg_url, redis_url

pytestmark = pytest.mark.slow
TRIES = 12  # requests spread over both workers


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("postgresql", marks=[pytest.mark.pg, pytest.mark.redis]),
        pytest.param("sqlite"),
    ],
)
def server(request, tmp_path_factory):
    if request.param == "postgresql":
        database = make_url(pg_url()).set(database="forum_deploy_session_end")
        url, redis = database.render_as_string(False), redis_url()
    else:
        url, redis = f"sqlite:///{tmp_path_factory.mktemp('session-end') / 'forum.db'}", ""
    prepare_database(url)
    make_members(url, ["carol", "dave"])
    server = Server(server_env(url, redis_url=redis), workers=2)
    yield server, url
    server.stop()


def _copy(browser: Browser) -> Browser:
    """Another client holding the same cookies (the member's other tab, or a thief)."""
    copy = Browser(browser.base)
    for cookie in browser.jar:
        copy.jar.set_cookie(cookie)
    return copy


def on_every_worker(browser: Browser, check) -> None:
    """``check`` from several clients at once with ``browser``'s cookies: a sync worker takes
    one request at a time, so both workers answer some of them (one after another, one
    worker could well have answered them all)."""
    clients = [_copy(browser) for _ in range(4)]
    with ThreadPoolExecutor(len(clients)) as pool:
        for done in [pool.submit(check, client) for client in clients * (TRIES // 4)]:
            done.result()


def _signed_in(browser: Browser) -> None:
    status, _, page = browser.get("/settings")
    assert status == 200 and "Log out" in page
    # The home page members share (forum/member_pages.py), with this member's menu.
    status, headers, page = browser.get("/")
    assert status == 200 and "Log out" in page
    assert headers.get("X-Member-Page") == "shared"


def _signed_out(browser: Browser) -> None:
    status, headers, _ = browser.get("/settings")
    assert status == 302 and "/login" in headers["Location"]
    # Nor is the members' shared page, or anything of theirs, served to this cookie.
    status, headers, page = browser.get("/")
    assert status == 200 and "Log in" in page and "Log out" not in page
    assert "X-Member-Page" not in headers


def signed_in_everywhere(browser: Browser) -> None:
    on_every_worker(browser, _signed_in)


def signed_out_everywhere(browser: Browser) -> None:
    on_every_worker(browser, _signed_out)


def test_a_logout_ends_the_session_on_every_worker_at_once(server):
    server, _ = server
    browser = Browser(server.base)
    assert browser.log_in("carol")[0] == 302
    signed_in_everywhere(browser)
    stolen = _copy(browser)  # the same cookie, kept by someone else
    status, _, _ = browser.post_form("/settings", "/logout", {})
    assert status == 302
    signed_out_everywhere(stolen)


def test_a_ban_ends_the_session_on_every_worker_at_once(server):
    server, url = server
    browser = Browser(server.base)
    assert browser.log_in("dave")[0] == 302
    signed_in_everywhere(browser)
    # Banned elsewhere (a moderator on another process, a command): the next request of
    # this member, on any worker, is signed out.
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE users SET status = 'banned' WHERE username = 'dave'"))
    engine.dispose()
    signed_out_everywhere(browser)
