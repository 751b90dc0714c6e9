"""SQL facts about a thread that visibility rests on: its opening post was deleted, it has
a reply every reader can read. Each is built once per process: SQL constructs never change,
and building them cost a list page more than running its query (issue #17)."""

import functools

from sqlalchemy import and_, exists, or_
from sqlalchemy.orm import aliased

from forum.models import Post, PostStatus, Thread


def _opening():
    return aliased(Post, name="opening_post")


@functools.cache
def opening_deleted_sql():
    """SQL: the thread's opening post was deleted (correlated to ``Thread``)."""
    opening = _opening()
    return exists().where(
        opening.thread_id == Thread.id,
        opening.branch == 0,
        opening.parent_id.is_(None),
        opening.deleted_at.is_not(None),
    )


@functools.cache
def public_replies_exist_sql():
    """SQL: the thread has a reply every reader can read (thread status aside)."""
    reply = aliased(Post, name="public_reply")
    return exists().where(
        reply.thread_id == Thread.id,
        reply.parent_id.is_not(None),
        reply.status == PostStatus.VISIBLE,
        reply.deleted_at.is_(None),
    )


@functools.cache
def gone_sql():
    """SQL: the thread is gone for all but staff (see ``forum.visibility._is_gone``)."""
    return and_(
        opening_deleted_sql(),
        or_(Thread.status != PostStatus.VISIBLE, ~public_replies_exist_sql()),
    )
