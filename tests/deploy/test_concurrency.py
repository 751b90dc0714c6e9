"""16 clients each post 50 replies to one thread at once, against gunicorn with 4 workers
(issue #6): no 5xx, no lost reply, counters exact, and a double-submitted form makes one
post. Runs on SQLite and on PostgreSQL. Rate limits are off so the clients are not refused;
everything else is the production configuration."""

import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from sqlalchemy.engine import make_url

from tests.deploy.support import (
    Browser,
    Server,
    database_scalar,
    hidden_value,
    make_members,
    prepare_database,
    server_env,
)
from tests.services import pg_url

pytestmark = pytest.mark.slow

CLIENTS = 16
REPLIES_EACH = 50


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'concurrency.db'}"
    return make_url(pg_url()).set(database="forum_deploy_concurrency").render_as_string(False)


def _as_datetime(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def test_concurrent_replies_are_all_kept_and_counted(database_url):
    prepare_database(database_url)
    names = [f"client{n:02d}" for n in range(CLIENTS)] + ["starter"]
    make_members(database_url, names)
    server = Server(server_env(database_url, RATELIMIT_ENABLED=0), workers=4)
    try:
        starter = Browser(server.base)
        starter.log_in("starter")
        status, headers, _ = starter.post_form(
            "/t/new",
            "/t/new",
            {"title": "Everyone reply here at once", "body": "Go!", "tags": "dryness"},
        )
        assert status == 302
        thread_id = int(headers["Location"].split("/t/")[1].split("/")[0].split("#")[0])
        statuses: list[int] = []
        lock = threading.Lock()
        ready = threading.Barrier(CLIENTS)

        def client(name: str) -> None:
            browser = Browser(server.base)
            assert browser.log_in(name)[0] == 302
            _, _, page = browser.get(f"/t/{thread_id}")
            token = hidden_value(page, "csrf_token")
            ready.wait()
            for n in range(REPLIES_EACH):
                status, _, _ = browser.request(
                    f"/t/{thread_id}/reply",
                    {
                        "csrf_token": token,
                        "body": f"Reply {n} from {name}.",
                        "nonce": secrets.token_urlsafe(18),
                    },
                )
                with lock:
                    statuses.append(status)

        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(client, names[:CLIENTS]))

        # The same form submitted twice at once (a double click): one post.
        _, _, page = starter.get(f"/t/{thread_id}")
        double = {
            "csrf_token": hidden_value(page, "csrf_token"),
            "body": "Clicked twice.",
            "nonce": hidden_value(page, "nonce"),
        }
        with ThreadPoolExecutor(2) as pool:
            doubled = list(
                pool.map(lambda _: starter.request(f"/t/{thread_id}/reply", double)[0], range(2))
            )
        errors = server.errors()
    finally:
        server.stop()

    assert [s for s in statuses if s >= 500] == [], errors[-2000:]
    assert set(statuses) == {302}
    assert doubled == [302, 302]
    expected = CLIENTS * REPLIES_EACH + 1

    def scalar(sql: str):
        return database_scalar(database_url, sql, thread=thread_id)

    assert scalar("SELECT COUNT(*) FROM posts WHERE thread_id = :thread") == expected + 1
    assert scalar("SELECT reply_count FROM threads WHERE id = :thread") == expected
    assert (
        scalar("SELECT COUNT(*) FROM posts WHERE thread_id = :thread AND body = 'Clicked twice.'")
        == 1
    )
    assert (
        scalar("SELECT COUNT(DISTINCT path) FROM posts WHERE thread_id = :thread") == expected + 1
    )
    last_activity = _as_datetime(scalar("SELECT last_activity_at FROM threads WHERE id = :thread"))
    newest = _as_datetime(scalar("SELECT MAX(created_at) FROM posts WHERE thread_id = :thread"))
    assert last_activity == newest
    assert scalar("SELECT top_level_count FROM threads WHERE id = :thread") == expected
    # Every top-level reply answers the thread's own opening post.
    assert (
        scalar(
            "SELECT COUNT(*) FROM posts WHERE thread_id = :thread AND depth = 1 AND parent_id <>"
            " (SELECT id FROM posts WHERE thread_id = :thread AND parent_id IS NULL)"
        )
        == 0
    )
