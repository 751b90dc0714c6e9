"""Numbering a new post in the reply tree (see ``forum.threads.tree``): its sibling ordinal
taken from the parent's ``child_count``, incremented in SQL with RETURNING, so concurrent
replies never share one."""

import functools

from sqlalchemy import and_, bindparam, update
from sqlalchemy.orm.attributes import set_committed_value

from forum.errors import InvalidAction
from forum.extensions import db
from forum.models import Post
from forum.threads.tree import MAX_ORDINAL, segment

_posts = Post.__table__


def allocate_ordinal(parent: Post) -> int:
    """Take the next sibling ordinal under ``parent``, atomically in SQL.

    Raises InvalidAction when the parent has run out of ordinals.
    """
    ordinal = db.session.execute(_next_ordinal(), {"of_parent": parent.id}).scalar_one()
    _refuse_past_the_last(ordinal)
    set_committed_value(parent, "child_count", ordinal)
    return ordinal


def allocate_under_opening(thread_id: int):
    """Take the next top-level ordinal of a thread: the opening post's counter incremented
    in SQL, the opening post's tree columns returned by the same statement (a plain reply
    needs no read of its parent). A row with ``id, thread_id, depth, path, branch`` and
    ``ordinal``, or None when the thread has no opening post."""
    row = db.session.execute(_next_top_level_ordinal(), {"of_thread": thread_id}).first()
    if row is not None:
        _refuse_past_the_last(row.ordinal)
    return row


def _refuse_past_the_last(ordinal: int) -> None:
    if ordinal > MAX_ORDINAL:
        raise InvalidAction("This post has as many replies as it can take; reply elsewhere.")


# The write path's statements are built once, their values bound at run time: building one
# cost more than running it, on every reply (issue #17).


@functools.cache
def _next_ordinal():
    return (
        update(_posts)
        .where(_posts.c.id == bindparam("of_parent"))
        .values(child_count=_posts.c.child_count + 1)
        .returning(_posts.c.child_count)
    )


@functools.cache
def _next_top_level_ordinal():
    opening = and_(
        _posts.c.thread_id == bindparam("of_thread"),
        _posts.c.branch == 0,
        _posts.c.parent_id.is_(None),
    )
    return (
        update(_posts)
        .where(opening)
        .values(child_count=_posts.c.child_count + 1)
        .returning(
            _posts.c.id,
            _posts.c.thread_id,
            _posts.c.depth,
            _posts.c.path,
            _posts.c.branch,
            _posts.c.child_count.label("ordinal"),
        )
    )


def place_under(post: Post, parent, ordinal: int) -> None:
    """Set the tree columns of a new ``post`` that is ``parent``'s child number ``ordinal``
    (``parent``: a Post, or a row with its id and tree columns)."""
    post.thread_id = parent.thread_id
    post.parent_id = parent.id
    post.depth = parent.depth + 1
    post.path = parent.path + segment(ordinal)
    post.branch = ordinal if parent.depth == 0 else parent.branch
