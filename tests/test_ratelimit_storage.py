"""Rate-limit counters in the app's own database (issue #9), on SQLite and PostgreSQL."""

import pytest
from limits import parse
from limits.strategies import FixedWindowRateLimiter

from config import ProductionConfig, TestingConfig, apply_env
from forum.extensions import db, limiter
from forum.models import DatabaseStorage
from tests.factories import make_user


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr("forum.models.ratelimit.time", clock)
    return clock


@pytest.fixture
def storage(app):
    db.session.commit()
    storage = DatabaseStorage("forumdb://")
    storage.reset()
    yield storage
    storage.reset()


def test_increments_count_up_within_a_window(storage, clock):
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.incr("k", 60, amount=2) == 5
    assert storage.get("k") == 5
    assert storage.get("other") == 0
    assert storage.get_expiry("k") == clock.now + 60


def test_a_window_ends_and_the_next_starts_from_one(storage, clock):
    storage.incr("k", 60)
    storage.incr("k", 60)
    clock.now += 61
    assert storage.get("k") == 0
    assert storage.get_expiry("k") == clock.now
    assert storage.incr("k", 60) == 1
    assert storage.get_expiry("k") == clock.now + 60


def test_clear_forgets_one_key_and_reset_every_key(storage, clock):
    for key in ("a", "a", "b", "c"):
        storage.incr(key, 60)
    storage.clear("a")
    assert (storage.get("a"), storage.get("b")) == (0, 1)
    assert storage.reset() == 2
    assert (storage.get("b"), storage.get("c")) == (0, 0)
    assert storage.check()


def test_fixed_window_limiter_refuses_the_eleventh_hit(storage):
    limiter_ = FixedWindowRateLimiter(storage)
    item = parse("10 per 5 minutes")
    assert [limiter_.hit(item, "login", "x") for _ in range(11)] == [True] * 10 + [False]
    assert limiter_.test(item, "login", "y")


def test_counters_commit_on_their_own_connection(storage, app):
    storage.incr("k", 60)
    db.session.rollback()  # the caller's transaction plays no part
    assert storage.get("k") == 1


def test_production_without_redis_counts_in_the_database():
    config = {key: getattr(ProductionConfig, key) for key in dir(ProductionConfig) if key.isupper()}
    apply_env(config, environ={})
    assert config["RATELIMIT_STORAGE_URI"] == "forumdb://"
    with_redis = dict(config, RATELIMIT_STORAGE_URI="", REDIS_URL="redis://cache:6379/0")
    apply_env(with_redis, environ={})
    assert with_redis["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"
    testing = {key: getattr(TestingConfig, key) for key in dir(TestingConfig) if key.isupper()}
    testing["REDIS_URL"] = ""
    apply_env(testing, environ={})
    assert testing["RATELIMIT_STORAGE_URI"] == "memory://"


def test_failed_logins_are_counted_in_the_database_and_the_eleventh_is_refused(make_app):
    site = make_app(RATELIMIT_STORAGE_URI="forumdb://", LOGIN_LIMIT="10 per 5 minutes")
    assert isinstance(limiter.storage, DatabaseStorage)
    limiter.storage.reset()
    make_user("alice")
    db.session.commit()
    client = site.test_client()
    statuses = [
        client.post("/login", data={"login": "alice", "password": "wrong password"}).status_code
        for _ in range(11)
    ]
    assert statuses == [422] * 10 + [429]
    refused = client.post("/login", data={"login": "alice", "password": "wrong password"})
    assert "Try again in 5 minutes" in refused.text
    assert isinstance(limiter.storage, DatabaseStorage)
    limiter.storage.reset()
