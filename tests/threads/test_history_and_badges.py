"""Edit history is private to the author and moderators; staff names carry their role on
every page (issue #9)."""

from datetime import timedelta

import pytest

from forum import cache
from forum.extensions import db
from forum.models import Role, utcnow
from forum.threads import services
from forum.users.services import SYSTEM, set_role
from tests.conftest import login
from tests.factories import make_post, make_thread, make_user

REMOVED = "I'm Jane Doe from Leeds"


pytestmark = pytest.mark.usefixtures("shipped_tags")


@pytest.fixture
def edited(app):
    author = make_user("storyteller", created_at=utcnow() - timedelta(days=100))
    thread = make_thread(author, title="Month two", body="Opening story.", tags=("mood",))
    post = make_post(thread, author, body=f"{REMOVED}, and my lips crack.")
    services.edit_post(post, author, body="My lips crack.")
    db.session.commit()
    return post


def history_of(client, post):
    response = client.get(f"/p/{post.id}/history")
    assert response.status_code == 200
    return response.text


def test_anonymous_readers_see_when_but_not_what_was_edited(client, edited):
    html = history_of(client, edited)
    assert "My lips crack." in html  # the post as it stands
    assert REMOVED not in html.replace("&#39;", "'")
    assert "Edited <time" in html
    assert "only to the author and the moderators" in html


def test_other_members_see_no_earlier_text(client, edited, other_member):
    login(client, other_member)
    html = history_of(client, edited).replace("&#39;", "'")
    assert REMOVED not in html
    assert "Edited <time" in html


def test_the_author_and_moderators_read_every_version(client, app, edited, moderator):
    login(client, edited.author)
    assert REMOVED in history_of(client, edited).replace("&#39;", "'")
    moderator_client = login(app.test_client(), moderator)
    assert REMOVED in history_of(moderator_client, edited).replace("&#39;", "'")


def test_the_page_cache_never_gives_the_authors_view_to_readers(make_app, tmp_path, edited):
    site = make_app(ANON_CACHE_SECONDS=10)
    site.config["REDIS_URL"] = ""
    site.instance_path = str(tmp_path)
    cache.init_store(site)
    writer = edited.author
    db.session.commit()  # the site writes through its own connection
    author = login(site.test_client(), writer)
    assert REMOVED in history_of(author, edited).replace("&#39;", "'")
    for _ in range(2):  # a miss, then whatever the cache holds
        assert REMOVED not in history_of(site.test_client(), edited).replace("&#39;", "'")


# --- Role badges ---------------------------------------------------------------------------


def test_a_moderators_name_carries_the_badge_on_thread_reply_and_profile(client, moderator):
    member = make_user("plainmember")
    thread = make_thread(moderator, title="Welcome, read this first", tags=("mood",))
    make_post(thread, moderator, body="Moderator reply.")
    make_post(thread, member, body="Member reply.")
    db.session.commit()
    page = client.get(f"/t/{thread.id}").text
    assert 'Started by <a href="/u/mod1">mod1</a> <span class="role">moderator</span>' in page
    assert '>mod1</a> <span class="role">moderator</span>' in page.split("Moderator reply.")[0]
    assert '>plainmember</a> <span class="role">' not in page
    assert '<span class="role">moderator</span>' in client.get("/u/mod1").text
    assert '<span class="role">' not in client.get("/u/plainmember").text
    listing = client.get("/tags/mood").text
    assert '<a href="/u/mod1">mod1</a> <span class="role">moderator</span>' in listing


def test_a_role_change_reaches_the_cached_reply_tree(app, client, member, other_member):
    thread = make_thread(member, title="A thread", tags=("mood",))
    make_post(thread, other_member, body="A reply by the future moderator.")
    db.session.commit()
    reader = login(client, member)
    assert '>member2</a> <span class="role">' not in reader.get(f"/t/{thread.id}").text
    set_role(SYSTEM, db.session.merge(other_member), Role.MODERATOR, reason="Joins the team.")
    db.session.commit()
    assert '>member2</a> <span class="role">moderator</span>' in reader.get(f"/t/{thread.id}").text
