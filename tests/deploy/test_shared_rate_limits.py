"""Without Redis, rate limits hold across gunicorn workers (issue #9): two workers on SQLite,
the production configuration, many clients at once so both workers serve. The counters
live in the app's own database; counted in each worker, 10 failed logins allowed up to 20."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.deploy.support import Browser, Server, make_members, prepare_database, server_env

pytestmark = pytest.mark.slow

ATTEMPTS = 24


@pytest.fixture
def server(tmp_path):
    database = f"sqlite:///{tmp_path / 'ratelimits.db'}"
    prepare_database(database)
    make_members(database, ["alice"])
    server = Server(server_env(database, WEB_CONCURRENCY=2), workers=2)
    yield server
    server.stop()


def failed_login(base: str) -> int:
    status, _, _ = Browser(base).log_in("alice", "not the password at all")
    return status


def test_ten_failed_logins_then_refused_across_two_workers(server):
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(failed_login, [server.base] * ATTEMPTS))
    assert statuses.count(422) == 10, statuses
    assert statuses.count(429) == ATTEMPTS - 10, statuses
    # Later attempts stay refused, on whichever worker answers, even with the right password.
    with ThreadPoolExecutor(max_workers=4) as pool:
        later = list(pool.map(lambda _: Browser(server.base).log_in("alice")[0], range(8)))
    assert later == [429] * 8
