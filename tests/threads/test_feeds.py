"""Atom feeds: valid Atom 1.0, visible threads only, absolute links from BASE_URL."""

import feedparser
import pytest

from forum.extensions import db
from forum.models import PostStatus
from forum.threads import services
from tests.factories import make_post, make_thread, make_user

pytestmark = pytest.mark.usefixtures("shipped_tags")


def parse(response):
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.get_data())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def test_latest_feed_is_valid_atom_with_visible_threads_only(client):
    author = make_user("feeder")
    shown = make_thread(
        author, title="Visible in the feed", body="Text with **bold** & <tags>.", tags=("mood",)
    )
    for status in (PostStatus.HIDDEN, PostStatus.PENDING, PostStatus.REMOVED):
        make_thread(title=f"Never in a feed {status}", status=status)
    db.session.commit()

    feed = parse(client.get("/feeds/latest.atom"))

    assert [entry.title for entry in feed.entries] == ["Visible in the feed"]
    entry = feed.entries[0]
    assert entry.link == f"http://127.0.0.1:5000/t/{shown.id}/visible-in-the-feed"
    assert entry.id == entry.link
    assert entry.author == "feeder"
    assert "<strong>bold</strong>" in entry.content[0].value
    assert "&lt;tags&gt;" in entry.content[0].value
    assert [tag.term for tag in entry.tags] == ["mood"]
    assert feed.feed.link.startswith("http://127.0.0.1:5000/")


def test_tag_feed_lists_that_tags_threads(client):
    make_thread(title="Dryness thread here", tags=("dryness",))
    make_thread(title="Mood thread here", tags=("mood",))
    db.session.commit()
    feed = parse(client.get("/feeds/tags/dryness.atom"))
    assert [entry.title for entry in feed.entries] == ["Dryness thread here"]
    assert feed.feed.title.startswith("Dryness")


def test_empty_feed_is_still_valid(client):
    assert parse(client.get("/feeds/latest.atom")).entries == []


def test_feed_links_use_base_url(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://forum.example.org")
    thread = make_thread(title="Absolute links please")
    db.session.commit()
    entry = parse(client.get("/feeds/latest.atom")).entries[0]
    assert entry.link == f"https://forum.example.org/t/{thread.id}/absolute-links-please"


def test_deleted_opening_post_leaves_no_text_in_the_feed(client):
    author = make_user()
    thread = make_thread(author, title="Opening post deleted", body="private words")
    make_post(thread, make_user(), body="An answer that keeps the thread.")
    services.delete_post(services.opening_post(thread), author)
    db.session.commit()
    entry = parse(client.get("/feeds/latest.atom")).entries[0]
    assert "private words" not in entry.content[0].value
    assert entry.author == "[deleted]"
