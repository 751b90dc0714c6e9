"""Watching threads and following topics (issue #12).

A member watches the threads they start and reply in (unless they turned ``auto_watch``
off: the fan-out does it, so the request pays nothing), and any thread they choose with
the Watch button; following a topic tells them of each new thread in it. Both are the
member's own settings: suspended members may change them too.
"""

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from forum.errors import NotFound
from forum.extensions import db
from forum.models import Tag, TagFollow, Thread, ThreadWatch, User
from forum.visibility import (
    ThreadView,
    can_see_thread,
    opening_deleted_sql,
    remember_facts,
    threads_visible_to,
)


def _insert_once(row) -> bool:
    """Add ``row`` unless it exists (a unique key); returns whether it was added."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        return False
    return True


def is_watching(user: User, thread: Thread) -> bool:
    return db.session.get(ThreadWatch, {"user_id": user.id, "thread_id": thread.id}) is not None


def watch_thread(user: User, thread: Thread) -> bool:
    """Watch ``thread``; False if already watched. Raises NotFound if ``user`` can't see it."""
    if not can_see_thread(thread, user):
        raise NotFound("There is no such thread. It may have been removed.")
    if is_watching(user, thread):
        return False
    return _insert_once(ThreadWatch(user_id=user.id, thread_id=thread.id))


def unwatch_thread(user: User, thread_id: int) -> bool:
    """Stop watching; False if the thread was not watched. Works for a thread the member
    can no longer see, so a stop link never fails."""
    return bool(
        db.session.execute(
            delete(ThreadWatch).where(
                ThreadWatch.user_id == user.id, ThreadWatch.thread_id == thread_id
            )
        ).rowcount
    )


def auto_watch(user_id: int, thread_id: int) -> None:
    """The author of a new thread or reply watches it (the fan-out calls this)."""
    if db.session.get(ThreadWatch, {"user_id": user_id, "thread_id": thread_id}) is None:
        _insert_once(ThreadWatch(user_id=user_id, thread_id=thread_id))


def get_tag(slug: str) -> Tag:
    tag = db.session.scalar(select(Tag).where(Tag.slug == slug))
    if tag is None:
        raise NotFound("There is no such topic.")
    return tag


def is_following(user: User, tag: Tag) -> bool:
    return db.session.get(TagFollow, {"user_id": user.id, "tag_id": tag.id}) is not None


def follow_tag(user: User, tag: Tag) -> bool:
    """Follow a topic; False if already followed."""
    if is_following(user, tag):
        return False
    return _insert_once(TagFollow(user_id=user.id, tag_id=tag.id))


def unfollow_tag(user: User, tag: Tag) -> bool:
    return bool(
        db.session.execute(
            delete(TagFollow).where(TagFollow.user_id == user.id, TagFollow.tag_id == tag.id)
        ).rowcount
    )


@dataclass
class Following:
    threads: list[ThreadView]
    tags: list[Tag]


def following(user: User) -> Following:
    """What ``user`` watches (threads they can still see, newest first) and follows."""
    rows = db.session.execute(
        select(Thread, opening_deleted_sql())
        .join(ThreadWatch, ThreadWatch.thread_id == Thread.id)
        .where(ThreadWatch.user_id == user.id, threads_visible_to(user))
        .order_by(ThreadWatch.created_at.desc(), Thread.id.desc())
    ).all()
    threads = []
    for thread, opening_deleted in rows:
        remember_facts(thread, opening_deleted)
        threads.append(ThreadView(thread))
    tags = list(
        db.session.scalars(
            select(Tag)
            .join(TagFollow, TagFollow.tag_id == Tag.id)
            .where(TagFollow.user_id == user.id)
            .order_by(Tag.sort_order)
        )
    )
    return Following(threads, tags)


def watching_sql(user_id, thread_id):
    """SQL: whether member ``user_id`` watches thread ``thread_id`` (values or bound
    parameters), for the query that already loads the member's marks on a thread page."""
    return (
        select(ThreadWatch.user_id)
        .where(ThreadWatch.user_id == user_id, ThreadWatch.thread_id == thread_id)
        .exists()
    )


def watch_context(tree) -> dict:
    """What a thread page's template needs of the member's state: whether they watch the
    thread (None: signed out, or not known yet) and which posts on the page they saved."""
    return {
        "watching": getattr(tree, "watching", None),
        "bookmarked": getattr(tree, "bookmarked", frozenset()),
    }
