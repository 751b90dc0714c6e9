"""The page cache for signed-out readers (issue #6)."""

import itertools

import pytest
from flask import session

from forum import cache
from forum.extensions import db
from tests.services import redis_url


@pytest.fixture
def cached_app(make_app, tmp_path):
    def build(instance=tmp_path, *, redis: str = "", ttl: int = 10):
        return _app(make_app(), instance, redis=redis, ttl=ttl)

    return build


def _app(app, tmp_path, *, redis: str, ttl: int):
    # Set after creation so that REDIS_URL in the environment cannot change what is tested.
    app.config.update(ANON_CACHE_SECONDS=ttl, REDIS_URL=redis)
    app.instance_path = str(tmp_path)
    cache.init_store(app)
    counter = itertools.count(1)

    @cache.anon_cacheable
    def page():
        return f"render {next(counter)}"

    def personal():
        return f"render {next(counter)}"

    def sets_cookie():
        session["seen"] = True
        return f"render {next(counter)}"

    app.add_url_rule("/cached", "cached", page)
    app.add_url_rule("/personal", "personal", personal)
    app.add_url_rule("/cookie", "cookie", cache.anon_cacheable(sets_cookie))
    return app


def test_signed_out_readers_get_the_cached_page(cached_app):
    client = cached_app().test_client()
    first = client.get("/cached")
    second = client.get("/cached")
    assert first.get_data(as_text=True) == second.get_data(as_text=True) == "render 1"
    assert first.headers["X-Cache"] == "miss" and second.headers["X-Cache"] == "hit"
    assert "Content-Security-Policy" in second.headers  # headers still applied on a hit
    assert client.get("/cached?page=2").get_data(as_text=True) == "render 2"


def test_a_worker_keeps_at_most_its_byte_budget_of_pages(cached_app, monkeypatch):
    """Readers spread over many pages (crawlers on the long tail) evict the least recently
    used pages instead of growing the worker (issue #17)."""
    app = cached_app()
    client = app.test_client()
    page_bytes = len(client.get("/cached?page=0").get_data())
    budget = 20 * page_bytes * 4  # room for about 20 stored pages with their headers
    monkeypatch.setattr(cache, "MAX_LOCAL_BYTES", budget)
    for n in range(1, 200):
        assert client.get(f"/cached?page={n}").headers["X-Cache"] == "miss"
    store = app.extensions["page_cache"]
    assert 0 < store.size <= budget
    assert store.size == sum(len(payload) for _, _, payload in store.entries.values())
    assert len(store.entries) < 100
    # The newest pages are still served from the store; the first ones are gone.
    assert client.get("/cached?page=199").headers["X-Cache"] == "hit"
    assert client.get("/cached?page=1").headers["X-Cache"] == "miss"


def test_views_not_marked_are_never_cached(cached_app):
    client = cached_app().test_client()
    assert client.get("/personal").get_data(as_text=True) == "render 1"
    assert client.get("/personal").get_data(as_text=True) == "render 2"


def test_signed_in_readers_and_pending_messages_bypass_the_cache(cached_app):
    app = cached_app()
    anonymous, member = app.test_client(), app.test_client()
    assert anonymous.get("/cached").get_data(as_text=True) == "render 1"
    with member.session_transaction() as s:
        s["_user_id"] = "some-session-token"
    assert member.get("/cached").get_data(as_text=True) == "render 2"
    flashed = app.test_client()
    with flashed.session_transaction() as s:
        s["_flashes"] = [("success", "Logged out.")]
    assert flashed.get("/cached").get_data(as_text=True) == "render 3"


def test_a_page_that_sets_a_cookie_is_not_shared(cached_app):
    client = cached_app().test_client()
    assert client.get("/cookie").get_data(as_text=True) == "render 1"
    assert app_client_fresh(client).get("/cookie").get_data(as_text=True) == "render 2"


def app_client_fresh(client):
    return client.application.test_client()


def test_disabled_when_ttl_is_zero(cached_app):
    client = cached_app(ttl=0).test_client()
    assert client.get("/cached").get_data(as_text=True) == "render 1"
    assert client.get("/cached").get_data(as_text=True) == "render 2"


def test_purge_after_commit_reaches_every_worker_on_the_host(cached_app):
    # Two app instances sharing instance/ stand for two gunicorn workers without Redis.
    worker_a, worker_b = cached_app(), cached_app()
    a, b = worker_a.test_client(), worker_b.test_client()
    assert a.get("/cached").get_data(as_text=True) == "render 1"
    assert b.get("/cached").get_data(as_text=True) == "render 1"
    with worker_a.app_context():
        cache.purge_after_commit(db.session)
        assert b.get("/cached").headers["X-Cache"] == "hit"  # not before the commit
        db.session.commit()
    assert b.get("/cached").get_data(as_text=True) == "render 2"
    assert a.get("/cached").get_data(as_text=True) == "render 2"


def test_a_rolled_back_purge_does_not_happen(cached_app):
    app = cached_app()
    client = app.test_client()
    client.get("/cached")
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))  # a transaction is under way
        cache.purge_after_commit(db.session)
        db.session.rollback()
        db.session.commit()
    assert client.get("/cached").headers["X-Cache"] == "hit"


@pytest.mark.redis
def test_redis_cache_is_shared_and_purged_across_processes(cached_app, tmp_path):
    url = redis_url()
    worker_a, worker_b = cached_app(redis=url), cached_app(tmp_path / "b", redis=url)
    store = worker_a.extensions["page_cache"]
    store.redis.flushdb()
    a, b = worker_a.test_client(), worker_b.test_client()
    assert a.get("/cached").get_data(as_text=True) == "render 1"
    shared = b.get("/cached")
    assert shared.headers["X-Cache"] == "hit" and shared.get_data(as_text=True) == "render 1"
    with worker_b.app_context():
        cache.purge_after_commit(db.session)
        db.session.commit()
    assert a.get("/cached").get_data(as_text=True) == "render 2"
    store.redis.flushdb()


def test_cache_fails_open_when_redis_is_down(cached_app):
    client = cached_app(redis="redis://127.0.0.1:1/0").test_client()
    assert client.get("/cached").get_data(as_text=True) == "render 1"
    assert client.get("/cached").get_data(as_text=True) == "render 2"


def test_query_count_header_when_enabled(client, make_app):
    assert "X-Query-Count" not in client.get("/healthz").headers
    counted = make_app(QUERY_COUNT_HEADER=True).test_client().get("/healthz")
    assert counted.headers["X-Query-Count"] == "1"


def test_signed_out_hits_are_answered_before_flask_with_the_pages_headers(cached_app):
    app = cached_app()
    flask_requests = []
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: flask_requests.append(1))
    reader = app.test_client(use_cookies=False)
    first = reader.get("/cached")
    second = reader.get("/cached", headers={"X-Request-Id": "abc123"})
    assert first.headers["X-Cache"] == "miss" and second.headers["X-Cache"] == "hit"
    assert len(flask_requests) == 1  # the hit never reached Flask
    assert second.headers["X-Request-Id"] == "abc123"
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"):
        assert second.headers[header] == first.headers[header]
    assert second.get_data(as_text=True) == "render 1"
    # A reader holding any session cookie is decided by Flask, with the session itself.
    with_cookie = reader.get("/cached", headers={"Cookie": "session=not-even-valid"})
    assert with_cookie.headers["X-Cache"] == "hit"
    assert len(flask_requests) == 2


def test_a_request_with_authorization_is_never_stored_nor_served_from_the_cache(cached_app):
    client = cached_app().test_client()
    bearer = {"Authorization": "Bearer a-personal-token"}
    assert client.get("/cached", headers=bearer).get_data(as_text=True) == "render 1"
    assert client.get("/cached").get_data(as_text=True) == "render 2"  # nothing was stored
    assert client.get("/cached").headers["X-Cache"] == "hit"
    held = client.get("/cached", headers=bearer)
    assert held.get_data(as_text=True) == "render 3" and "X-Cache" not in held.headers
