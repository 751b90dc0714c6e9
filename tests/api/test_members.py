"""Members-only threads through the API (issues #13 and #18): a token holder reads them as
their pages show them; signed out, only the teaser."""

import re

import pytest

from forum import cache
from forum.api import openapi, tokens
from forum.extensions import db
from forum.models import Audience
from forum.threads import services as threads
from forum.threads.audience import set_audience
from tests.conftest import login
from tests.factories import make_post, make_thread, make_user

OPENING = "Week six and my lips crack every morning. " * 10  # over the teaser's 200 characters


@pytest.fixture
def members(app):
    author = make_user("quietauthor")
    thread = make_thread(author, title="Lips cracking on week six", body=OPENING)
    set_audience(thread, Audience.MEMBERS)
    reply = make_post(thread, make_user("kindreplier"), body="Try a lanolin balm at night.")
    public = make_thread(author, title="Public story", body="Dry lips, nothing else.")
    _, token = tokens.create_token(make_user("reader"), name="Script", days=30)
    db.session.commit()
    return thread, reply, public, {"Authorization": f"Bearer {token}"}


def _ids(response) -> list[int]:
    return [row["id"] for row in response.get_json()["threads"]]


def _hits(response) -> list[int]:
    return [hit["id"] for hit in response.get_json()["results"]]


def test_a_token_holder_reads_a_members_only_thread_everywhere(client, members):
    thread, reply, public, token = members
    listed = client.get("/api/v1/threads", headers=token)
    assert set(_ids(listed)) == {thread.id, public.id}
    row = next(r for r in listed.get_json()["threads"] if r["id"] == thread.id)
    assert row["visibility"] == "members" and row["author"] == "quietauthor"
    assert thread.id in _ids(client.get("/api/v1/threads?tag=dryness", headers=token))

    detail = client.get(f"/api/v1/threads/{thread.id}", headers=token).get_json()
    assert detail["thread"]["visibility"] == "members"
    assert OPENING.strip() in detail["opening_post"]["body_html"]
    assert [r["body_html"] for r in detail["replies"]] == ["<p>Try a lanolin balm at night.</p>"]

    post = client.get(f"/api/v1/posts/{reply.id}", headers=token).get_json()["post"]
    assert post["author"] == "kindreplier" and "lanolin" in post["body_html"]

    assert _hits(client.get("/api/v1/search?q=lanolin", headers=token)) == [reply.id]
    opening = threads.opening_post(thread)
    assert _hits(client.get("/api/v1/search?q=cracking", headers=token)) == [opening.id]


def test_signed_out_the_api_gives_only_the_teaser(client, members):
    thread, reply, public, _ = members
    assert _ids(client.get("/api/v1/threads")) == [public.id]
    assert _ids(client.get("/api/v1/threads?tag=dryness")) == [public.id]
    assert _hits(client.get("/api/v1/search?q=lanolin")) == []
    assert _hits(client.get("/api/v1/search?q=cracking")) == []
    for path in (f"/api/v1/threads/{thread.id}", f"/api/v1/posts/{reply.id}"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "private, no-store"
        assert response.headers["X-Robots-Tag"] == "noindex"
        body = response.get_data(as_text=True)
        assert "quietauthor" not in body and "kindreplier" not in body
        assert "lanolin" not in body and OPENING.strip() not in body
        teaser = response.get_json()["teaser"]
        assert teaser["id"] == thread.id and teaser["title"] == "Lips cracking on week six"
        assert teaser["tags"] == ["dryness"] and teaser["truncated"] is True
        assert OPENING.startswith(teaser["excerpt"]) and len(teaser["excerpt"]) <= 200


def test_a_signed_in_session_without_a_token_changes_nothing(client, members):
    thread, _, public, _ = members
    login(client, make_user("cookie"))
    assert _ids(client.get("/api/v1/threads")) == [public.id]
    assert "teaser" in client.get(f"/api/v1/threads/{thread.id}").get_json()


def test_a_revoked_token_is_refused_with_401_even_on_public_endpoints(client, members):
    thread, reply, _, token = members
    row = tokens.authenticate(token["Authorization"])
    tokens.revoke_token(row.user, row.id)
    db.session.commit()
    for path in (
        "/api/v1/threads",
        f"/api/v1/threads/{thread.id}",
        f"/api/v1/posts/{reply.id}",
        "/api/v1/search?q=lanolin",
        "/api/v1/me",
    ):
        response = client.get(path, headers=token)
        assert response.status_code == 401, path
        assert response.mimetype == "application/problem+json"
        assert "lanolin" not in response.get_data(as_text=True)


def test_answers_with_a_token_are_private_and_never_from_the_page_cache(
    app, client, members, tmp_path, monkeypatch
):
    thread, _, public, token = members
    monkeypatch.setitem(app.config, "ANON_CACHE_SECONDS", 10)
    monkeypatch.setitem(app.config, "REDIS_URL", "")
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    cache.init_store(app)
    try:
        for _ in range(2):
            signed_out = client.get("/api/v1/threads")
            assert signed_out.headers["Cache-Control"] == "no-cache"
            member = client.get("/api/v1/threads", headers=token)
            assert member.headers["Cache-Control"] == "private, no-store"
            assert "X-Cache" not in member.headers
            assert set(_ids(member)) == {thread.id, public.id}
            assert _ids(signed_out) == [public.id]
    finally:
        monkeypatch.undo()
        cache.init_store(app)


def test_etags_differ_between_readers_whose_answers_differ(client, members):
    thread, _, _, token = members
    for path in ("/api/v1/threads", f"/api/v1/threads/{thread.id}"):
        anonymous = client.get(path)
        member = client.get(path, headers=token)
        assert anonymous.headers["ETag"] != member.headers["ETag"], path
        stale = client.get(path, headers={**token, "If-None-Match": anonymous.headers["ETag"]})
        assert stale.status_code == 200 and stale.get_json() == member.get_json()
        again = client.get(path, headers={**token, "If-None-Match": member.headers["ETag"]})
        assert again.status_code == 304 and again.get_data() == b""
        assert again.headers["Cache-Control"] == "private, no-store"
        back = client.get(path, headers={"If-None-Match": anonymous.headers["ETag"]})
        assert back.status_code == 304


def test_members_find_members_only_threads_on_the_search_page_too(app, client, members):
    thread, reply, _, _ = members
    signed_out = client.get("/search?q=lanolin").get_data(as_text=True)
    assert f"/p/{reply.id}" not in signed_out
    reader = login(app.test_client(), make_user("pagereader"))
    assert f"/p/{reply.id}" in reader.get("/search?q=lanolin").get_data(as_text=True)


def _matches_its_schema(app, path: str, status: str, body: dict) -> None:
    from jsonschema import Draft202012Validator

    with app.test_request_context():
        document = openapi.document()
    template = re.sub(r"/\d+", lambda m: "/{id}", path)
    operation = next(
        item["get"]
        for name, item in document["paths"].items()
        if re.sub(r"{[^}]+}", "{id}", name) == template
    )
    schema = operation["responses"][status]["content"]["application/json"]["schema"]
    Draft202012Validator({**schema, "components": document["components"]}).validate(body)


def test_every_answer_about_a_members_only_thread_matches_the_description(app, client, members):
    thread, reply, _, token = members
    for path in (
        f"/api/v1/threads/{thread.id}",
        f"/api/v1/posts/{reply.id}",
        "/api/v1/threads",
        "/api/v1/search?q=lanolin",
    ):
        for headers in ({}, token):
            response = client.get(path, headers=headers)
            assert response.status_code == 200
            _matches_its_schema(app, path.partition("?")[0], "200", response.get_json())
