"""Helpful marks: one per member and post, counted in SQL."""

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from forum.errors import InvalidAction, NotFound, PermissionDenied
from forum.extensions import db
from forum.models import HelpfulMark, Post, Thread, User
from forum.permissions import require_can_write
from forum.visibility import Viewer, can_see_thread, post_view

_posts = Post.__table__
_threads = Thread.__table__


def _count_helpful(post: Post, change: int) -> None:
    count = db.session.execute(
        update(_posts)
        .where(_posts.c.id == post.id)
        .values(helpful_count=_posts.c.helpful_count + change)
        .returning(_posts.c.helpful_count)
    ).scalar_one()
    set_committed_value(post, "helpful_count", count)
    if post.parent_id is None:
        # sort=top orders threads by their opening post's marks: keep the copy in step.
        thread_count = db.session.execute(
            update(_threads)
            .where(_threads.c.id == post.thread_id)
            .values(helpful_count=_threads.c.helpful_count + change)
            .returning(_threads.c.helpful_count)
        ).scalar_one()
        set_committed_value(post.thread, "helpful_count", thread_count)


def toggle_helpful(post: Post, user: User) -> bool:
    """Mark a post helpful, or take the mark back; returns whether it is now marked.

    Raises PermissionDenied (own post, or may not write), NotFound, InvalidAction.
    """
    require_can_write(user)
    view = post_view(post, user)
    if view is None or not can_see_thread(post.thread, user):
        raise NotFound("There is no such post.")
    if Viewer.of(user).is_author_of(post):
        raise PermissionDenied("You can't mark your own post as helpful.")
    removed = db.session.execute(
        delete(HelpfulMark).where(HelpfulMark.user_id == user.id, HelpfulMark.post_id == post.id)
    ).rowcount
    if removed:
        _count_helpful(post, -1)
        return False
    if not view.is_plain:
        raise InvalidAction("Only posts everyone can read can be marked helpful.")
    try:
        with db.session.begin_nested():
            db.session.add(HelpfulMark(user_id=user.id, post_id=post.id))
            db.session.flush()
    except IntegrityError:
        return True  # marked by the same member a moment ago
    _count_helpful(post, 1)
    return True
