"""What every API answer shares: ETags, problem details, rate limits, CORS (issue #18)."""

import pytest

from tests.api.world import build_world

ENDPOINTS = [
    "/api/v1/threads",
    "/api/v1/threads/{thread}",
    "/api/v1/posts/{reply}",
    "/api/v1/tags",
    "/api/v1/guide",
    "/api/v1/guide/managing-dryness",
    "/api/v1/search?q=lips",
    "/api/v1/openapi.json",
]


@pytest.fixture
def paths(app):
    world = build_world()
    values = {"thread": world.thread.id, "reply": world.reply.id}
    return [path.format(**values) for path in ENDPOINTS]


def test_every_get_has_an_etag_and_answers_304_when_it_matches(client, paths):
    for path in paths:
        first = client.get(path)
        etag = first.headers.get("ETag")
        assert first.status_code == 200 and etag, path
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b"", path
        assert again.headers["ETag"] == etag
        stale = client.get(path, headers={"If-None-Match": '"something-else"'})
        assert stale.status_code == 200 and stale.data == first.data, path


def test_the_etag_changes_when_what_readers_see_changes(client, paths):
    from tests.factories import make_thread

    before = client.get("/api/v1/threads").headers["ETag"]
    make_thread(title="Another story")
    from forum.extensions import db

    db.session.commit()
    after = client.get("/api/v1/threads", headers={"If-None-Match": before})
    assert after.status_code == 200 and after.headers["ETag"] != before


def test_public_answers_revalidate_and_vary_on_authorization(client, paths):
    response = client.get("/api/v1/threads")
    assert response.headers["Cache-Control"] == "no-cache"
    assert "Authorization" in response.headers["Vary"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_cors_headers_unless_configured(app, client, paths, monkeypatch):
    origin = {"Origin": "https://tools.example.org"}
    assert "Access-Control-Allow-Origin" not in client.get("/api/v1/tags", headers=origin).headers
    monkeypatch.setitem(app.config, "API_CORS_ORIGINS", ["https://tools.example.org"])
    allowed = client.get("/api/v1/tags", headers=origin)
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://tools.example.org"
    assert "ETag" in allowed.headers["Access-Control-Expose-Headers"]
    other = client.get("/api/v1/tags", headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.options("/api/v1/tags", headers=origin)
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://tools.example.org"
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]


def test_past_api_limit_requests_get_429_problem_with_retry_after(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "API_LIMIT", "3 per minute")
    for _ in range(3):
        assert client.get("/api/v1/tags").status_code == 200
    refused = client.get("/api/v1/tags")
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.get_json()["status"] == 429


def test_an_unreachable_limit_store_lets_api_reads_through(app, client, monkeypatch):
    from forum.extensions import limiter

    def broken(*args, **kwargs):
        raise ConnectionError("storage down")

    monkeypatch.setattr(limiter.limiter, "hit", broken)
    assert client.get("/api/v1/tags").status_code == 200


def test_server_errors_are_problem_details_too(app, client, monkeypatch):
    from forum.tags import services

    def boom():
        raise RuntimeError("a bug")

    monkeypatch.setattr(services, "tags_with_counts", boom)
    response = client.get("/api/v1/tags")
    assert response.status_code == 500 and response.mimetype == "application/problem+json"
    assert "a bug" not in response.text
