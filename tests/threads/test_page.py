"""The thread page's parts apart from HTTP (issue #10): the shared tree's protocol (lookup,
store on a miss, fill on a hit) and the one footer builder every post's actions come from."""

from datetime import timedelta

import pytest
from flask import render_template

from forum.extensions import db
from forum.models import Post, Role, utcnow
from forum.moderation import services as moderation
from forum.tags.services import load_shipped_tags
from forum.threads import footers, fragments, services
from tests.conftest import login
from tests.factories import make_post, make_thread, make_user


@pytest.fixture(autouse=True)
def tags(app):
    load_shipped_tags()
    db.session.commit()


@pytest.fixture
def people(app):
    old = utcnow() - timedelta(days=100)
    people = {name: make_user(name, created_at=old) for name in ("starter", "alice", "bea")}
    db.session.commit()
    return people


@pytest.fixture
def thread(people):
    thread = make_thread(people["starter"], title="Footers for each member", body="The story.")
    alices = make_post(thread, people["alice"], body="Alice writes.")
    make_post(thread, people["bea"], parent=alices, body="Bea answers.")
    services.toggle_helpful(alices, people["bea"])
    db.session.commit()
    return thread


def reader_of(user, thread) -> footers.Reader:
    return footers.Reader(user.id, True, thread.locked, "?", footers.paths())


def renderer(thread, tree, calls: list):
    def render(footer_for, *, for_anyone: bool) -> str:
        calls.append(for_anyone)
        return render_template(
            "threads/_tree_fragment.html",
            thread=thread,
            tree=tree,
            thread_url=f"/t/{thread.id}/{thread.slug}",
            reply_query="?",
            reply_target_id=None,
            paths=footers.paths(),
            footer_for=footer_for,
        )

    return render


def fresh(thread, user) -> str:
    """The tree rendered for ``user`` alone, as with the shared tree turned off."""
    tree = services.thread_page(thread, user)
    render = renderer(thread, tree, [])
    return render(footers.footer_for(reader_of(user, thread)), for_anyone=False)


def post_id(thread, body: str) -> int:
    return db.session.scalar(
        db.select(Post.id).where(Post.thread_id == thread.id, Post.body == body)
    )


def test_lookup_miss_store_hit_then_fill_gives_each_member_their_own_footers(app, people, thread):
    alice, bea = people["alice"], people["bea"]
    alices = post_id(thread, "Alice writes.")
    with app.test_request_context():
        missed = fragments.find(thread, alice, 1)
        assert missed.usable and not missed.hit
        tree = services.thread_page(thread, alice)
        calls: list = []
        first = fragments.tree_html(
            missed, thread, alice, tree, reader_of(alice, thread), renderer(thread, tree, calls)
        )
        assert calls == [True]  # rendered once, for "a member", and stored

        hit = fragments.find(thread, bea, 1)
        assert hit.hit and hit.shared.page == 1

        def must_not_render(*args, **kwargs):
            raise AssertionError("a hit renders nothing")

        second = fragments.tree_html(
            hit, thread, bea, hit.outline(), reader_of(bea, thread), must_not_render
        )
        # Each member's footers, and exactly what a render for them alone would give.
        assert str(first.html) == fresh(thread, alice)
        assert str(second.html) == fresh(thread, bea)
        assert f'href="/p/{alices}/edit"' in first.html
        assert f'href="/p/{alices}/edit"' not in second.html
        assert f'href="/p/{alices}/report"' in second.html
        assert 'aria-pressed="true">Marked helpful (1)' in second.html
        assert second.readable_replies == first.readable_replies == 2


def test_the_store_is_not_for_moderators_nor_for_an_author_of_a_held_post(app, people, thread):
    held = make_post(thread, people["bea"], body="Bea waits for review.")
    moderation.hold_post(held)
    mod = make_user("pagemod", role=Role.MODERATOR)
    db.session.commit()
    with app.test_request_context():
        assert not fragments.find(thread, mod, 1).usable
        assert not fragments.find(thread, None, 1).usable
        missed = fragments.find(thread, people["bea"], 1)
        tree = services.thread_page(thread, people["bea"])
        calls: list = []
        own = fragments.tree_html(
            missed,
            thread,
            people["bea"],
            tree,
            reader_of(people["bea"], thread),
            renderer(thread, tree, calls),
        )
        assert calls == [False]  # her page holds what only she may see: nothing stored
        assert "Bea waits for review." in own.html
        assert not fragments.find(thread, people["alice"], 1).hit


def test_one_builder_makes_every_kind_of_footer(app):
    with app.test_request_context():
        paths = footers.paths()
        reader = footers.Reader(7, True, False, "?page=2&", paths)
        other = footers.post_footer(reader, 3, 8, edited=True, helpful_count=2, marked=True)
        own = footers.post_footer(reader, 4, 7, edited=False, helpful_count=1, marked=False)
        held = footers.post_footer(
            reader, 5, 7, edited=True, helpful_count=0, marked=False, plain=False, item_id=9
        )
        gone = footers.post_footer(
            reader,
            6,
            7,
            edited=True,
            helpful_count=3,
            marked=False,
            plain=False,
            shows_body=False,
        )
    assert other == (
        '<footer class="post-actions"><button type="submit" form="helpful-form"'
        ' formaction="/p/3/helpful" class="link-button" aria-pressed="true">Marked helpful'
        ' (2)</button> <a href="?page=2&amp;reply_to=3#reply">Reply</a>'
        ' <a href="/p/3/history">History</a> <a href="/p/3/report">Report</a></footer>'
    )
    assert own == (
        '<footer class="post-actions"><span>1 found this helpful</span>'
        ' <a href="?page=2&amp;reply_to=4#reply">Reply</a>'
        ' <a href="/p/4/edit">Edit</a> <a href="/p/4/delete">Delete</a></footer>'
    )
    # Held for review, seen by its author: no helpful mark, no reply, still theirs to edit.
    assert held == (
        '<footer class="post-actions"> <a href="/p/5/history">History</a>'
        ' <a href="/p/5/edit">Edit</a> <a href="/p/5/delete">Delete</a>'
        ' <a class="review-link" href="/mod/items/9">Review item</a></footer>'
    )
    assert gone == '<footer class="post-actions"></footer>'


def test_footers_follow_the_site_root(app, make_app, people, thread):
    """Under APPLICATION_ROOT every post's links carry the root (they were typed as /p/...)."""
    rooted = make_app(APPLICATION_ROOT="/forum")
    # Two sites sharing one store, as two sites on one Redis do.
    rooted.extensions["page_cache"] = app.extensions["page_cache"]
    client = login(rooted.test_client(), people["alice"])
    page = client.get(f"/forum/t/{thread.id}", base_url="http://localhost/")
    assert page.status_code == 200
    alices, beas = post_id(thread, "Alice writes."), post_id(thread, "Bea answers.")
    for link in (
        f'formaction="/forum/p/{beas}/helpful"',
        f'href="/forum/p/{alices}/edit"',
        f'href="/forum/p/{beas}/report"',
        f'class="when" href="/forum/p/{alices}"',
        f'action="/forum/t/{thread.id}/reply"',
    ):
        assert link in page.text, link
    assert 'href="/p/' not in page.text
    # A site at the root, in the same process and on the same store, has its own paths.
    plain = login(app.test_client(), people["alice"]).get(f"/t/{thread.id}")
    assert f'href="/p/{alices}/edit"' in plain.text and "/forum/" not in plain.text
