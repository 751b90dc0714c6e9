"""Pages for one member and pages with a form stay out of every cache (issue #9)."""

import re

import pytest

from forum import cache
from forum.extensions import db
from tests.conftest import login
from tests.factories import PASSWORD, make_thread

PRIVATE = "private, no-store"

MEMBER_PAGES = [
    "/",
    "/settings",
    "/settings/sessions",
    "/notifications",
    "/tags",
    "/tags/dryness",
    "/guide",
    "/search?q=dry",
    "/u/member1",
    "/t/new",
    "/feeds/latest.atom",
    "/help",
    "/no-such-page",
]
FORM_PAGES = ["/login", "/register", "/reset", "/t/new"]


@pytest.fixture
def cached_app(make_app, tmp_path):
    def build(**settings):
        app = make_app(**settings)
        app.config.update(ANON_CACHE_SECONDS=10, REDIS_URL="")
        app.instance_path = str(tmp_path)
        cache.init_store(app)
        return app

    return build


@pytest.fixture
def thread(app):
    """A thread's path, read before the commit: the suite's session then holds no lock
    while the other app instance writes."""
    thread = make_thread(tags=("dryness",))
    db.session.flush()
    path = f"/t/{thread.id}"
    db.session.commit()
    return path


def test_every_page_for_a_signed_in_member_is_private(cached_app, member, thread):
    client = login(cached_app().test_client(), member)
    for path in [*MEMBER_PAGES, thread, f"{thread}/wrong-slug"]:
        response = client.get(path)
        assert response.status_code in (200, 301, 404), path
        assert response.headers.get("Cache-Control") == PRIVATE, path


def test_a_request_with_a_remember_cookie_gets_a_private_page(cached_app, thread):
    client = cached_app().test_client()
    client.set_cookie("remember_token", "1|not-checked-here")
    assert client.get(thread).headers["Cache-Control"] == PRIVATE


def test_form_pages_are_private_for_everyone(cached_app):
    client = cached_app(WTF_CSRF_ENABLED=True).test_client()
    for path in FORM_PAGES:
        response = client.get(path, follow_redirects=path == "/t/new")
        assert response.status_code == 200, path
        assert 'name="csrf_token"' in response.text, path
        assert response.headers.get("Cache-Control") == PRIVATE, path


def test_a_form_shown_again_with_errors_is_private(cached_app, member):
    client = cached_app(WTF_CSRF_ENABLED=True).test_client()
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"login": "member1", "password": "not " + PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 422
    assert response.headers.get("Cache-Control") == PRIVATE


def test_logging_in_answers_privately(cached_app, member):
    client = cached_app().test_client()
    response = client.post("/login", data={"login": "member1", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == PRIVATE


def test_a_signed_out_thread_page_is_still_served_from_the_cache(cached_app, member, thread):
    app = cached_app(WTF_CSRF_ENABLED=True)
    path = thread
    # A member's page is never stored for readers...
    assert login(app.test_client(), member).get(path).headers["Cache-Control"] == PRIVATE
    reader = app.test_client(use_cookies=False)
    first, second = reader.get(path), reader.get(path)
    assert first.headers["X-Cache"] == "miss" and second.headers["X-Cache"] == "hit"
    assert first.get_data() == second.get_data()
    # ...and a public page keeps its headers: no private Cache-Control, nothing per reader.
    for response in (first, second):
        assert "no-store" not in response.headers.get("Cache-Control", "")
        assert "Set-Cookie" not in response.headers


def test_a_private_response_is_never_stored(cached_app):
    app = cached_app()
    calls = []

    @cache.anon_cacheable
    def marked_private():
        calls.append(1)
        return "yours", 200, {"Cache-Control": PRIVATE}

    app.add_url_rule("/marked-private", "marked_private", marked_private)
    client = app.test_client(use_cookies=False)
    client.get("/marked-private")
    assert "X-Cache" not in client.get("/marked-private").headers
    assert len(calls) == 2


def test_static_files_keep_their_own_cache_headers(cached_app, member):
    client = login(cached_app().test_client(), member)
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != PRIVATE
    response.close()
