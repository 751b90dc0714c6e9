"""The app survives a PostgreSQL restart (issue #6): while the database is away, pages and
/healthz answer a friendly 503 with Retry-After; once it is back the same processes serve
again without a restart, and no acknowledged post is lost. The outage is staged with a TCP
proxy the test cuts, never by stopping the shared PostgreSQL service."""

import re
import time

import pytest
from sqlalchemy.engine import make_url

from tests.deploy.proxy import CuttableProxy
from tests.deploy.support import (
    Browser,
    Server,
    database_scalar,
    make_members,
    prepare_database,
    server_env,
)
from tests.services import pg_url

pytestmark = [pytest.mark.pg, pytest.mark.slow]


def _wait_for(check, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.2)


def test_pages_answer_503_while_the_database_is_away_and_recover_after(tmp_path):
    direct = make_url(pg_url()).set(database="forum_deploy_outage")
    url = direct.render_as_string(False)
    prepare_database(url)
    make_members(url, ["writer"])
    proxy = CuttableProxy(direct.host or "127.0.0.1", direct.port or 5432)
    through_proxy = direct.set(host="127.0.0.1", port=proxy.port).render_as_string(False)
    server = Server(server_env(through_proxy), workers=2)
    try:
        writer = Browser(server.base)
        assert writer.log_in("writer")[0] == 302
        status, headers, _ = writer.post_form(
            "/t/new",
            "/t/new",
            {"title": "Written before the outage", "body": "Still here?", "tags": "mood"},
        )
        assert status == 302  # acknowledged
        thread_path = re.sub(r"^https?://[^/]+", "", headers["Location"]).split("#")[0]

        proxy.cut()
        for path in ("/", thread_path, "/tags"):
            status, headers, page = Browser(server.base).get(path)
            assert status == 503, path
            assert headers["Retry-After"]
            assert "Temporarily unavailable" in page and "Traceback" not in page
        status, headers, body = Browser(server.base).get("/healthz")
        assert status == 503 and '"database":false' in body.replace(" ", "")
        status, _, page = writer.get("/settings")  # a signed-in page too
        assert status == 503
        thread_id = thread_path.split("/")[2]
        status, _, _ = writer.request(
            f"/t/{thread_id}/reply", {"body": "Lost in the outage?", "nonce": "outage-nonce-1"}
        )
        assert status == 503  # refused, not acknowledged

        proxy.restore()
        assert _wait_for(lambda: Browser(server.base).get("/healthz")[0] == 200)
        status, _, page = Browser(server.base).get(thread_path)
        assert status == 200 and "Written before the outage" in page
        status, _, page = writer.get("/settings")
        assert status == 200, "the session made before the outage still works"
    finally:
        server.stop()
        proxy.close()
    count = database_scalar(
        url, "SELECT COUNT(*) FROM threads WHERE title = :t", t="Written before the outage"
    )
    assert count == 1
