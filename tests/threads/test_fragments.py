"""The reply tree rendered once for every member (issue #6): each member's page is exactly
what a fresh render for them would be, helpful counts are current, and nothing a moderator
hides is shown from it."""

import re

import pytest

from forum.extensions import db
from forum.models import Post
from forum.moderation import services as moderation
from forum.threads import fragments
from tests.conftest import login
from tests.factories import make_post
from tests.threads.shared_tree import make_people, make_shared_thread

pytestmark = pytest.mark.usefixtures("shipped_tags")


@pytest.fixture
def people(app):
    return make_people()


@pytest.fixture
def thread(people):
    return make_shared_thread(people, "Shared tree thread")


def page_for(client, thread) -> str:
    response = client.get(f"/t/{thread.id}/{thread.slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def without_tokens(html: str) -> str:
    """The page less what is random on every render: the CSRF token and the form's nonce."""
    return re.sub(r'name="(csrf_token|nonce)"( type="hidden")? value="[^"]+"', "", html)


@pytest.fixture
def stored(monkeypatch):
    """Count what the page takes from, and puts in, the shared store."""
    seen = {"hits": 0, "stores": 0}
    lookup, store = fragments.lookup, fragments.store

    def counting_lookup(*args):
        generation, shared = lookup(*args)
        seen["hits"] += shared is not None
        return generation, shared

    def counting_store(*args):
        seen["stores"] += 1
        return store(*args)

    monkeypatch.setattr(fragments, "lookup", counting_lookup)
    monkeypatch.setattr(fragments, "store", counting_store)
    return seen


def fresh_page(app, client, thread) -> str:
    app.config["TREE_CACHE_SECONDS"] = 0
    try:
        return page_for(client, thread)
    finally:
        app.config["TREE_CACHE_SECONDS"] = 60


@pytest.mark.parametrize("reader", ["starter", "alice", "bea", "cal"])
def test_each_member_gets_exactly_the_page_a_fresh_render_gives(
    app, client, people, thread, stored, reader
):
    login(app.test_client(), people["mod"])  # moderators never use the shared tree
    page_for(login(app.test_client(), people["cal" if reader != "cal" else "bea"]), thread)
    assert stored == {"hits": 0, "stores": 1}
    member = login(client, people[reader])
    shared = page_for(member, thread)
    assert stored["hits"] == 1
    assert without_tokens(shared) == without_tokens(fresh_page(app, member, thread))


def test_a_members_own_posts_and_marks_are_theirs_alone(app, people, thread, stored):
    alice = page_for(login(app.test_client(), people["alice"]), thread)
    bea = page_for(login(app.test_client(), people["bea"]), thread)
    assert stored == {"hits": 1, "stores": 1}
    first = thread_post_id(thread, "Alice writes first.")
    assert f'href="/p/{first}/edit"' in alice and f'href="/p/{first}/edit"' not in bea
    assert f'href="/p/{first}/report"' in bea and f'href="/p/{first}/report"' not in alice
    assert 'aria-pressed="true">Marked helpful (1)' in bea
    assert "Marked helpful" not in alice


def thread_post_id(thread, body: str) -> int:
    return db.session.scalar(
        db.select(Post.id).where(Post.thread_id == thread.id, Post.body == body)
    )


def test_helpful_counts_are_current_without_a_new_render(app, people, thread, stored):
    cal = login(app.test_client(), people["cal"])
    page_for(cal, thread)
    first = thread_post_id(thread, "Alice writes first.")
    assert cal.post(f"/p/{first}/helpful").status_code == 302
    page = page_for(cal, thread)
    assert stored == {"hits": 1, "stores": 1}
    assert 'aria-pressed="true">Marked helpful (2)' in page


def test_a_reply_a_moderator_hides_leaves_every_members_page_at_once(app, people, thread, stored):
    bea = login(app.test_client(), people["bea"])
    assert "Cal replies here." in page_for(bea, thread)
    reply = db.session.get(Post, thread_post_id(thread, "Cal replies here."))
    moderation.report_post(reply, people["mod"], "spam")  # a moderator's report hides at once
    db.session.commit()
    page = page_for(bea, thread)
    # Hidden by a moderator's report, waiting for a decision: readers are told so (#10).
    assert "Cal replies here." not in page
    assert "[hidden after reports, waiting for a moderator]" in page


def test_the_author_of_a_held_reply_sees_it_while_others_share_the_tree(
    app, people, thread, stored
):
    held = make_post(thread, people["cal"], body="Cal waits for review.")
    moderation.hold_post(held)
    db.session.commit()
    assert "Cal waits for review." not in page_for(login(app.test_client(), people["bea"]), thread)
    assert "Cal waits for review." not in page_for(
        login(app.test_client(), people["alice"]), thread
    )
    assert stored == {"hits": 1, "stores": 1}
    own = page_for(login(app.test_client(), people["cal"]), thread)
    # The shared tree is found, and not used: it lacks what only its author may see.
    assert "Cal waits for review." in own and "Waiting for review" in own


def test_moderators_get_their_own_render(app, people, thread, stored):
    page_for(login(app.test_client(), people["bea"]), thread)
    page_for(login(app.test_client(), people["mod"]), thread)
    assert stored == {"hits": 0, "stores": 1}


def test_a_shared_page_costs_three_queries(app, client, people, thread, count_queries):
    page_for(login(app.test_client(), people["bea"]), thread)
    member = login(client, people["alice"])
    path = f"/t/{thread.id}/{thread.slug}"
    with count_queries() as log:
        assert member.get(path).status_code == 200
    # The session and user, the thread, and the member's marks with the helpful counts.
    assert log.count == 3, str(log)


def test_a_members_watch_and_bookmarks_come_with_the_shared_tree(app, people, thread, stored):
    page_for(login(app.test_client(), people["cal"]), thread)  # stores the tree
    bea = login(app.test_client(), people["bea"])
    first = thread_post_id(thread, "Alice writes first.")
    assert bea.post(f"/t/{thread.id}/watch").status_code == 302
    assert bea.post(f"/p/{first}/bookmark").status_code == 302
    page_for(bea, thread)  # shows the two flashed messages
    page = page_for(bea, thread)
    assert stored == {"hits": 2, "stores": 1}
    assert "Stop watching" in page
    assert f'formaction="/p/{first}/unbookmark"' in page
    assert without_tokens(page) == without_tokens(fresh_page(app, bea, thread))
    other = page_for(login(app.test_client(), people["alice"]), thread)
    assert "Stop watching" not in other and f'formaction="/p/{first}/unbookmark"' not in other
