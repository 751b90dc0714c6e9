"""Search follows every write made through the site (issue #4 phase 2): what readers can't
see on a thread page never shows in /search, and approved content shows at once."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import ItemStatus, Post, ReviewItem, Thread, utcnow
from tests.conftest import login
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("shipped_tags")


@pytest.fixture
def writer(app):
    user = make_user("writer", created_at=utcnow() - timedelta(days=100))
    db.session.commit()
    return user


def results(client, words: str) -> int:
    """How many results a signed-out reader gets for ``words``."""
    response = client.application.test_client().get("/search", query_string={"q": words})
    assert response.status_code == 200
    return len(re.findall(r'<li class="card search-hit">', response.get_data(as_text=True)))


def start_thread(client, title, body) -> Thread:
    data = {"title": title, "body": body, "tags": ["dryness"]}
    assert client.post("/t/new", data=data).status_code == 302
    return db.session.scalar(select(Thread).where(Thread.title == title))


def reply(client, thread, body) -> Post:
    assert client.post(f"/t/{thread.id}/reply", data={"body": body}).status_code == 302
    return db.session.scalar(select(Post).where(Post.body == body))


def opening(thread) -> Post:
    return db.session.scalar(
        select(Post).where(Post.thread_id == thread.id, Post.parent_id.is_(None))
    )


def item_for(post) -> ReviewItem:
    return db.session.scalar(
        select(ReviewItem).where(
            ReviewItem.post_id == post.id, ReviewItem.status == ItemStatus.PENDING
        )
    )


def act(client, moderator, post, action, reason="Decided."):
    login(client, moderator)
    response = client.post(
        f"/mod/items/{item_for(post).id}/act", data={"action": action, "reason": reason}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def test_new_threads_replies_edits_and_deletes_reach_search_at_once(client, writer):
    login(client, writer)
    thread = start_thread(client, "Kumquat balm review", "Marmalade texture, works well.")
    assert results(client, "kumquat") == results(client, "marmalade") == 1
    answer = reply(client, thread, "Zeppelin brand is cheaper.")
    assert results(client, "zeppelin") == 1

    first = opening(thread)
    response = client.post(
        f"/p/{first.id}/edit", data={"title": "Quince balm review", "body": "Custard texture."}
    )
    assert response.status_code == 302
    assert results(client, "kumquat") == results(client, "marmalade") == 0
    assert results(client, "quince") == results(client, "custard") == 1

    response = client.post(f"/p/{answer.id}/edit", data={"body": "Walrus brand is cheaper."})
    assert response.status_code == 302
    assert results(client, "zeppelin") == 0 and results(client, "walrus") == 1

    assert client.post(f"/p/{answer.id}/delete").status_code == 302
    assert results(client, "walrus") == 0
    assert client.post(f"/p/{first.id}/delete").status_code == 302
    assert results(client, "quince") == 0


def test_held_posts_stay_out_of_search_until_approved(app, client, moderator, monkeypatch):
    monkeypatch.setitem(app.config, "NEW_MEMBER_HELD_POSTS", 1)
    newcomer = make_user("newcomer")
    db.session.commit()
    login(client, newcomer)
    thread = start_thread(client, "Kumquat diary", "Marmalade on day one.")
    assert results(client, "kumquat") == 0

    act(client, moderator, opening(thread), "approve")
    assert results(client, "kumquat") == 1


def test_links_from_young_accounts_stay_out_of_search_until_approved(client, writer, moderator):
    login(client, writer)
    thread = start_thread(client, "Lip balm thread", "Which balm?")
    login(client, make_user("young"))
    held = reply(client, thread, "Zeppelin balm at https://example.org/zeppelin")
    assert results(client, "zeppelin") == 0
    act(client, moderator, held, "approve")
    assert results(client, "zeppelin") == 1

    # An edit that adds a link waits again, out of search.
    login(client, held.author)
    response = client.post(
        f"/p/{held.id}/edit", data={"body": "Zeppelin balm, see www.example.org/walrus"}
    )
    assert response.status_code == 302
    assert results(client, "zeppelin") == 0


def test_hidden_and_removed_content_leaves_search(app, client, writer, moderator):
    login(client, writer)
    thread = start_thread(client, "Kumquat thread", "Opening words.")
    spam = reply(client, thread, "Zeppelin pills for sale.")
    rude = reply(client, thread, "Walrus insults.")
    for n in range(app.config["AUTO_HIDE_REPORTS"]):
        login(client, make_user(f"reporter{n}"))
        response = client.post(f"/p/{spam.id}/report", data={"reason": "spam"})
        assert response.status_code == 302
    assert results(client, "zeppelin") == 0  # hidden automatically after the reports

    act(client, moderator, spam, "approve")  # approving brings it back
    assert results(client, "zeppelin") == 1

    login(client, make_user("offended"))
    assert client.post(f"/p/{rude.id}/report", data={"reason": "harassment"}).status_code == 302
    assert results(client, "walrus") == 1  # one report hides nothing
    act(client, moderator, rude, "remove")
    assert results(client, "walrus") == 0


def test_hiding_an_opening_post_takes_the_whole_thread_out_of_search(client, writer, moderator):
    login(client, writer)
    thread = start_thread(client, "Kumquat thread", "Opening words.")
    reply(client, thread, "Zeppelin reply.")
    login(client, make_user("reporter"))
    response = client.post(f"/p/{opening(thread).id}/report", data={"reason": "personal_info"})
    assert response.status_code == 302
    act(client, moderator, opening(thread), "hide")
    assert results(client, "kumquat") == 0 and results(client, "zeppelin") == 0
