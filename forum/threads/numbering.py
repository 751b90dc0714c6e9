"""Numbering a new post in the reply tree (see ``forum.threads.tree``): its sibling ordinal
taken from the parent's ``child_count`` (for a top-level reply, the thread's
``top_level_count``), incremented in SQL with RETURNING, so concurrent replies never share
one."""

import functools
from typing import NamedTuple

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm.attributes import set_committed_value

from forum.errors import InvalidAction
from forum.extensions import db
from forum.models import Post, Thread
from forum.moderation.services.screening import published_count_sql
from forum.threads.tree import MAX_ORDINAL, segment

_posts = Post.__table__
_threads = Thread.__table__


def allocate_ordinal(parent: Post) -> int:
    """Take the next sibling ordinal under ``parent``, atomically in SQL.

    Raises InvalidAction when the parent has run out of ordinals.
    """
    ordinal = db.session.execute(_next_ordinal(), {"of_parent": parent.id}).scalar_one()
    _refuse_past_the_last(ordinal)
    set_committed_value(parent, "child_count", ordinal)
    return ordinal


def allocate_top_level(thread_id: int, now, *, author_id: int, published_wanted: int = 0):
    """Number and count a new top-level reply in one statement: the thread's
    ``top_level_count`` and ``reply_count`` incremented in SQL, its ``last_activity_at`` set
    to ``now``, the opening post's id returned beside them (a plain reply needs no read of
    its parent), and how many of the author's posts are published, counted up to
    ``published_wanted`` (the new-member rule's question, ``moderation.should_hold``). A
    row with ``ordinal``, ``reply_count``, ``opening_id`` and ``published``, or None when
    the thread is gone.
    """
    values = {
        "of_thread": thread_id,
        "now": now,
        "by_author": author_id,
        "published_wanted": published_wanted,
    }
    row = db.session.execute(_next_top_level_ordinal(), values).first()
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
    # Named by the bound id, not correlated: SQLite's RETURNING names columns unqualified,
    # so "threads.id" inside the subquery would read as the post's own id.
    opening = (
        select(_posts.c.id)
        .where(
            _posts.c.thread_id == bindparam("of_thread"),
            _posts.c.branch == 0,
            _posts.c.parent_id.is_(None),
        )
        .scalar_subquery()
    )
    return (
        update(_threads)
        .where(_threads.c.id == bindparam("of_thread"))
        .values(
            top_level_count=_threads.c.top_level_count + 1,
            reply_count=_threads.c.reply_count + 1,
            last_activity_at=bindparam("now", type_=_threads.c.last_activity_at.type),
        )
        .returning(
            _threads.c.top_level_count.label("ordinal"),
            _threads.c.reply_count,
            opening.label("opening_id"),
            published_count_sql(bindparam("by_author"), bindparam("published_wanted")).label(
                "published"
            ),
        )
    )


def place_at_top(post: Post, thread_id: int, opening_id: int, ordinal: int) -> None:
    """Set the tree columns of a new top-level reply, number ``ordinal`` of its thread."""
    place_under(post, _Opening(opening_id, thread_id), ordinal)


class _Opening(NamedTuple):
    """An opening post's tree columns, all but its id and thread the same in every thread."""

    id: int
    thread_id: int
    depth: int = 0
    path: str = ""
    branch: int = 0


def place_under(post: Post, parent, ordinal: int) -> None:
    """Set the tree columns of a new ``post`` that is ``parent``'s child number ``ordinal``
    (``parent``: a Post, or a row with its id and tree columns)."""
    post.thread_id = parent.thread_id
    post.parent_id = parent.id
    post.depth = parent.depth + 1
    post.path = parent.path + segment(ordinal)
    post.branch = ordinal if parent.depth == 0 else parent.branch
