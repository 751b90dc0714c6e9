"""The factories build what production builds (issue #10): the same tree columns and
counters as a reply posted through the form, and statuses reached through moderation."""

import ast
from pathlib import Path

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import (
    ModAction,
    ModerationAction,
    Post,
    PostStatus,
    ReviewItem,
    Role,
    Thread,
    UserStatus,
)
from forum.models.moderation import ItemStatus
from forum.threads import tree
from forum.visibility import Viewer, can_see_post
from tests.conftest import login
from tests.factories import make_post, make_thread, make_user, opening_post
from tests.search.support import searchable

TESTS = Path(__file__).resolve().parent


def columns(post: Post) -> tuple:
    return (len(post.path), post.depth, post.branch, post.path[: -tree.SEGMENT_WIDTH])


def test_a_factory_reply_has_the_tree_columns_and_counters_of_one_posted_through_the_form(
    client, member
):
    thread = make_thread(make_user("host"))
    first = make_post(thread, make_user("early"))
    db.session.commit()
    posted = login(client, member).post(
        f"/t/{thread.id}/reply", data={"body": "Posted through the form.", "parent_id": first.id}
    )
    assert posted.status_code == 302
    from_form = db.session.scalar(select(Post).where(Post.author_id == member.id))
    from_factory = make_post(thread, make_user("late"), parent=first)
    db.session.commit()

    assert columns(from_factory) == columns(from_form)
    assert from_form.path == first.path + tree.segment(1)
    assert from_factory.path == first.path + tree.segment(2)
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).reply_count == 3
    assert db.session.get(Post, first.id).child_count == 2
    assert db.session.get(Thread, thread.id).top_level_count == 1
    assert opening_post(thread).child_count == 0  # the thread numbers its top level


@pytest.mark.parametrize(
    ("status", "action"),
    [(PostStatus.HIDDEN, ModAction.POST_HIDE), (PostStatus.REMOVED, ModAction.POST_REMOVE)],
)
def test_a_hidden_or_removed_post_is_decided_by_a_moderator_and_logged(status, action):
    thread = make_thread()
    post = make_post(thread, status=status)
    db.session.commit()

    assert post.status == status
    [entry] = db.session.scalars(select(ModerationAction))
    assert (entry.action, entry.target_post_id) == (action, post.id)
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.post_id == post.id))
    assert item.status == ItemStatus.RESOLVED
    assert not searchable(post)
    assert not can_see_post(post, Viewer.of(None))


def test_a_pending_thread_is_held_in_the_queue_with_its_opening_post():
    thread = make_thread(status=PostStatus.PENDING)
    db.session.commit()
    opening = opening_post(thread)
    assert (thread.status, opening.status) == (PostStatus.PENDING, PostStatus.PENDING)
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.post_id == opening.id))
    assert (item.status, item.is_held) == (ItemStatus.PENDING, True)
    assert not searchable(opening)


def test_member_traits_give_role_status_and_verification(client):
    suspended = make_user(status=UserStatus.SUSPENDED)
    moderator = make_user(role=Role.MODERATOR, verified=False)
    db.session.commit()
    assert suspended.suspended_until is not None and suspended.status_reason
    assert moderator.is_moderator and not moderator.is_verified
    thread = make_thread()
    db.session.commit()
    refused = login(client, suspended).post(f"/t/{thread.id}/reply", data={"body": "Hello."})
    assert refused.status_code == 403


def _hand_built_rows(path: Path) -> list[int]:
    """Lines where a test module builds a stored Thread or Post itself: a Thread with an
    author, or a Post with a thread or a tree path (transient objects are left alone)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        keywords = {kw.arg for kw in node.keywords}
        if (node.func.id == "Thread" and "author" in keywords) or (
            node.func.id == "Post" and keywords & {"thread", "thread_id", "path"}
        ):
            lines.append(node.lineno)
    return lines


def test_no_test_builds_threads_or_posts_around_the_services():
    found = {
        str(path.relative_to(TESTS)): lines
        for path in sorted(TESTS.rglob("*.py"))
        if (lines := _hand_built_rows(path))
    }
    assert found == {}, "build threads and replies with tests/factories.py"
