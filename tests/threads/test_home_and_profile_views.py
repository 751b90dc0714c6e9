"""The home page and member profiles."""

import re
from html import unescape

import pytest

from forum.extensions import db
from forum.models import PostStatus
from forum.threads import services
from tests.conftest import login
from tests.factories import make_post, make_thread, make_user
from tests.threads.pages import head_link

pytestmark = pytest.mark.usefixtures("shipped_tags")


def titles(html: str) -> list[str]:
    return [
        unescape(t) for t in re.findall(r'class="thread-title"><a href="[^"]+">([^<]+)</a>', html)
    ]


def test_home_shows_latest_active_threads_across_tags_and_the_topics(client):
    make_thread(title="About dryness only", tags=("dryness",))
    busy = make_thread(title="About mood and more", tags=("mood", "side-effects"))
    make_post(busy)
    make_thread(title="Hidden from readers", tags=("mood",), status=PostStatus.HIDDEN)
    db.session.commit()

    html = client.get("/").get_data(as_text=True)

    assert titles(html) == ["About mood and more", "About dryness only"]
    assert re.search(r'href="/tags/mood">Mood</a>\s*<span[^>]*>1 thread<', html)
    assert "Results after finishing" in html


def test_home_is_cursor_paged(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LIST_PAGE_SIZE", 2)
    for n in range(3):
        make_thread(title=f"Home thread number {n}")
    db.session.commit()
    first = client.get("/").get_data(as_text=True)
    second = client.get(head_link(first, "next")).get_data(as_text=True)
    assert len(titles(first)) == 2 and len(titles(second)) == 1
    assert head_link(second, "next") is None
    assert client.get("/?after=garbage").status_code == 400


def test_profile_lists_visible_threads_and_replies_never_the_email(client):
    member = make_user("Writer_1", email="secret@example.org")
    thread = make_thread(member, title="My whole course story")
    elsewhere = make_thread(title="Somebody else asks")
    make_post(elsewhere, member, body="My answer over there.")
    make_thread(member, title="A hidden thread of mine", status=PostStatus.HIDDEN)
    make_post(thread, member, body="A held reply of mine", status=PostStatus.PENDING)
    db.session.commit()

    response = client.get("/u/WRITER_1")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "writer_1" in html and "Member since" in html
    assert "My whole course story" in html
    assert "Somebody else asks" in html and "My answer over there." in html
    assert "A hidden thread of mine" not in html and "A held reply of mine" not in html
    assert "secret@example.org" not in html

    login(client, member)
    own = client.get("/u/writer_1").get_data(as_text=True)
    assert "A hidden thread of mine" in own and "A held reply of mine" in own


def test_profile_shows_a_role_badge_for_moderators(client, moderator):
    assert '<span class="role">moderator</span>' in client.get("/u/mod1").get_data(as_text=True)


def test_unknown_profile_is_404(client):
    assert client.get("/u/nobody-here").status_code == 404


def test_profile_reply_links_go_through_the_permalink(client):
    member = make_user("linker")
    thread = make_thread(title="Thread to link into")
    post = make_post(thread, member)
    db.session.commit()
    html = client.get("/u/linker").get_data(as_text=True)
    assert f'href="/p/{post.id}"' in html
    assert client.get(f"/p/{post.id}").location.endswith(f"#p{post.id}")
    assert services.opening_post(thread).author.username != "linker"
