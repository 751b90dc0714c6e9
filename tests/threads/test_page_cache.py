"""The signed-out page cache on the real pages (issue #6): public pages are shared for up to
ANON_CACHE_SECONDS, but nothing a moderator hides or an author deletes or edits is ever
served from it, and signed-in members always get a fresh page."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum import cache
from forum.extensions import db
from forum.models import ItemStatus, Post, ReviewItem, Role, utcnow
from forum.threads import services
from tests.conftest import login
from tests.factories import make_post, make_thread, make_user

pytestmark = pytest.mark.usefixtures("shipped_tags")


@pytest.fixture
def site(make_app, tmp_path):
    """A second app with the page cache on, its entries in this process: REDIS_URL in the
    environment must not share them with other tests."""
    site = make_app(ANON_CACHE_SECONDS=10)
    site.config["REDIS_URL"] = ""
    site.instance_path = str(tmp_path)
    cache.init_store(site)
    return site


@pytest.fixture
def author(app):
    user = make_user("storyteller", created_at=utcnow() - timedelta(days=100))
    db.session.commit()
    return user


@pytest.fixture
def thread(author):
    thread = make_thread(author, title="Month two: dry eyes", body="Opening story.", tags=("mood",))
    db.session.commit()
    return thread


@pytest.fixture
def reply(thread):
    post = make_post(thread, make_user("replier"), body="Eye drops every hour.")
    db.session.commit()
    return post


def signed_in(site, user):
    db.session.commit()  # the site writes through its own connection
    return login(site.test_client(), user)


# On SQLite the test's own session opens its transactions with BEGIN IMMEDIATE, so each
# request to the second app first ends whatever the test read (an id, a relationship).


def get(client, path):
    db.session.commit()
    response = client.get(path)
    return response.status_code, response.headers.get("X-Cache"), response.get_data(as_text=True)


def post_(client, path, data=None):
    db.session.commit()
    response = client.post(path, data=data or {})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def cached(site, path) -> str:
    """Fetch ``path`` twice as a signed-out reader; the second answer comes from the cache."""
    reader = site.test_client()
    assert get(reader, path)[:2] == (200, "miss")
    status, source, html = get(reader, path)
    assert (status, source) == (200, "hit")
    return html


def pending_item(post) -> ReviewItem:
    return db.session.scalar(
        select(ReviewItem).where(
            ReviewItem.post_id == post.id, ReviewItem.status == ItemStatus.PENDING
        )
    )


def report_and_decide(site, post, action, reason, **extra):
    """A member reports the post and a moderator decides, both through the site."""
    reporter = signed_in(site, make_user(f"reporter{post.id}"))
    post_(reporter, f"/p/{post.id}/report", {"reason": "other"})
    moderator = signed_in(site, make_user(f"mod{post.id}", role=Role.MODERATOR))
    post_(
        moderator,
        f"/mod/items/{pending_item(post).id}/act",
        {"action": action, "reason": reason, **extra},
    )


# --- Which pages are shared ------------------------------------------------------------------


def test_only_read_only_public_pages_are_cacheable(app):
    marked = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if getattr(app.view_functions[rule.endpoint], "_anon_cacheable", False)
    }
    assert marked == {
        "pages.home",
        "tags.index",
        "tags.show",
        "threads.show",
        "users.profile",
        "threads.feed_latest",
        "threads.feed_tag",
        "guide.index",
        "guide.show",
    }


def test_public_pages_are_served_from_the_cache(site, thread, reply, author):
    assert 'href="/tags/mood"' in cached(site, "/tags")
    for path in (
        "/",
        "/tags/mood",
        f"/t/{thread.id}",
        f"/t/{thread.id}/{thread.slug}",
        f"/t/{thread.id}/{thread.slug}?root={reply.id}",
        f"/u/{author.username}",
        "/feeds/latest.atom",
        "/feeds/tags/mood.atom",
    ):
        assert "Month two: dry eyes" in cached(site, path), path


def test_search_forms_and_moderation_pages_are_never_cached(site, thread):
    reader = site.test_client()
    for path in ("/search?q=dry", "/mod/log", "/login", "/register", "/help"):
        for _ in range(2):
            status, source, _html = get(reader, path)
            assert status == 200 and source is None, path


# --- Moderators' decisions -------------------------------------------------------------------


def test_hiding_the_opening_post_makes_the_cached_thread_404_at_once(site, thread):
    path = f"/t/{thread.id}/{thread.slug}"
    cached(site, path)
    assert "Month two: dry eyes" in cached(site, "/tags/mood")
    report_and_decide(site, services.opening_post(thread), "hide", "Personal details.")
    reader = site.test_client()
    assert get(reader, path)[0] == 404
    assert get(reader, f"/t/{thread.id}")[0] == 404
    assert "Month two: dry eyes" not in get(reader, "/tags/mood")[2]
    assert "Month two: dry eyes" not in get(reader, "/feeds/tags/mood.atom")[2]


def test_a_hidden_reply_is_replaced_by_its_placeholder_at_once(site, thread, reply):
    path = f"/t/{thread.id}"
    assert "Eye drops every hour." in cached(site, path)
    report_and_decide(site, reply, "hide", "Unsafe advice.")
    status, source, html = get(site.test_client(), path)
    assert (status, source) == (200, "miss")
    assert "Eye drops every hour." not in html and "[hidden by a moderator]" in html


def test_automatic_hiding_after_reports_purges_at_once(app, site, thread, reply):
    path = f"/t/{thread.id}"
    cached(site, path)
    for n in range(app.config["AUTO_HIDE_REPORTS"]):
        member = signed_in(site, make_user(f"worried{n}"))
        post_(member, f"/p/{reply.id}/report", {"reason": "spam"})
    html = get(site.test_client(), path)[2]
    assert "Eye drops every hour." not in html
    assert "[hidden after reports, waiting for a moderator]" in html


@pytest.mark.parametrize(
    ("action", "extra", "shows"),
    [
        ("label", {}, "Medical misinformation:"),
        ("lock", {}, "This thread is locked"),
        ("remove", {}, "[removed by a moderator]"),
    ],
)
def test_other_decisions_show_at_once(site, thread, reply, action, extra, shows):
    path = f"/t/{thread.id}"
    assert shows not in cached(site, path)
    report_and_decide(site, reply, action, "Decided.", **extra)
    assert shows in get(site.test_client(), path)[2]


def test_an_approved_held_reply_shows_at_once(site, thread, monkeypatch):
    path = f"/t/{thread.id}"
    monkeypatch.setitem(site.config, "NEW_MEMBER_HELD_POSTS", 1)
    newcomer = signed_in(site, make_user("newcomer"))
    post_(newcomer, f"/t/{thread.id}/reply", {"body": "My first words here."})
    assert "My first words here." not in cached(site, path)
    held = db.session.scalar(select(Post).where(Post.body == "My first words here."))
    moderator = signed_in(site, make_user(role=Role.MODERATOR))
    post_(
        moderator, f"/mod/items/{pending_item(held).id}/act", {"action": "approve", "reason": "OK"}
    )
    assert "My first words here." in get(site.test_client(), path)[2]


# --- Authors ---------------------------------------------------------------------------------


def test_an_authors_delete_is_visible_at_once(site, thread, reply):
    path = f"/t/{thread.id}"
    assert "Eye drops every hour." in cached(site, path)
    replier = signed_in(site, reply.author)
    post_(replier, f"/p/{reply.id}/delete")
    html = get(site.test_client(), path)[2]
    assert "Eye drops every hour." not in html and "[deleted]" in html


def test_an_authors_edit_is_visible_at_once(site, thread, reply):
    path = f"/t/{thread.id}"
    cached(site, path)
    replier = signed_in(site, reply.author)
    post_(replier, f"/p/{reply.id}/edit", {"body": "Gel drops at night."})
    html = get(site.test_client(), path)[2]
    assert "Gel drops at night." in html and "Eye drops every hour." not in html


def test_the_author_sees_a_new_reply_at_once_while_readers_may_wait(site, thread, author):
    path = f"/t/{thread.id}"
    reader = site.test_client()
    get(reader, path)
    writer = signed_in(site, author)
    response = post_(writer, f"/t/{thread.id}/reply", {"body": "An update from week nine."})
    status, source, html = get(writer, response.location)
    assert status == 200 and source is None and "An update from week nine." in html
    # Readers get the shared page for at most ANON_CACHE_SECONDS: a new post purges nothing.
    status, source, html = get(reader, path)
    assert source == "hit" and "An update from week nine." not in html


def test_signed_in_readers_never_get_a_cached_page(site, thread):
    path = f"/t/{thread.id}"
    cached(site, path)
    member = signed_in(site, make_user("regular"))
    for _ in range(2):
        status, source, html = get(member, path)
        assert status == 200 and source is None
        assert 'href="/u/regular"' in html  # their own header, not the shared page
    assert get(member, "/")[1] is None


def test_the_crisis_panel_is_only_ever_on_the_authors_fresh_page(site, thread, author):
    path = f"/t/{thread.id}"
    reader = site.test_client()
    get(reader, path)
    writer = signed_in(site, author)
    response = post_(writer, f"/t/{thread.id}/reply", {"body": "Some nights I want to die."})
    status, source, html = get(writer, response.location)
    assert source is None and 'class="crisis-panel"' in html
    for client in (reader, site.test_client()):
        assert 'class="crisis-panel"' not in get(client, path)[2]


def test_public_pages_are_cached_with_csrf_protection_on_as_in_production(
    make_app, tmp_path, thread, reply, author
):
    """A page that makes a CSRF token writes the session, and a page that writes the session
    is never shared: no public page may make one for a signed-out reader."""
    site = make_app(ANON_CACHE_SECONDS=10, WTF_CSRF_ENABLED=True)
    site.config["REDIS_URL"] = ""
    site.instance_path = str(tmp_path)
    cache.init_store(site)
    for path in (
        "/",
        "/tags",
        "/tags/mood",
        f"/t/{thread.id}/{thread.slug}",
        f"/t/{thread.id}/{thread.slug}?root={reply.id}",
        f"/u/{author.username}",
        "/feeds/latest.atom",
        "/guide",
    ):
        reader = site.test_client()
        assert reader.get(path).headers.get("X-Cache") == "miss", path
        assert reader.get(path).headers.get("X-Cache") == "hit", path
