"""A member's inbox at /notifications: report outcomes, warnings, reasons given to authors.

Plain functions used by any area that tells a member something (issue #4). They add rows
and never commit; the header's unread count is loaded with the user (forum.auth.sessions).
A notification keeps the ids of the post and thread it is about, never a URL: the inbox
builds its links from the route map when it is shown (issue #10).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, tuple_, update

from forum.extensions import db
from forum.models import Notification, NotificationPrefs, Post, Thread, User, utcnow
from forum.notifications import email
from forum.notifications.kinds import GROUPED, MAIL_KIND_OF, Kind

__all__ = ["GROUPED", "Kind", "inbox", "mark_all_read", "mark_read", "notify", "notify_grouped"]

INBOX_PAGE_SIZE = 50


def notify(
    user: User,
    kind: str,
    message: str,
    *,
    post: Post | None = None,
    thread: Thread | None = None,
    action_id: int | None = None,
) -> Notification:
    """Add one line to ``user``'s inbox, about ``post`` (and its thread) or ``thread``;
    ``action_id`` names the logged moderation decision it tells of (appealable, issue #16)."""
    if thread is None and post is not None:
        thread = post.thread
    notification = Notification(
        user_id=user.id,
        kind=kind,
        message=message,
        post_id=post.id if post is not None else None,
        thread_id=thread.id if thread is not None else None,
        action_id=action_id,
    )
    db.session.add(notification)
    if kind in MAIL_KIND_OF:
        # Moderators' decisions are rare: the member's mail choice is read right here.
        email.route(user, MAIL_KIND_OF[kind], notification, post=post, thread=thread)
    return notification


def notify_grouped(
    post: Post,
    told: list[tuple[User, str, NotificationPrefs | None]],
    wording: Callable[[str, int], str],
) -> list[Notification]:
    """Tell each ``(member, kind, prefs)`` of ``told`` of ``post`` (a reply, a mention, a new
    thread): one line per thread and kind until read, so a second reply turns "A new reply
    in ..." into "2 new replies in ...". Two statements however many they are (a fan-out's
    batch): the unread lines they replace are deleted, returning what they counted, and
    the new lines inserted together. A line moves to the top of the inbox (a new id) and
    keeps the first unread post it is about, so opening it lands where the member stopped
    reading. ``wording(kind, count)`` words a line; ``prefs`` None: the member's saved
    choices. Returns the lines written (without their ids)."""
    if not told:
        return []
    table = Notification.__table__
    replaced = {
        (row.user_id, row.kind): row
        for row in db.session.execute(
            delete(table)
            .where(
                tuple_(table.c.user_id, table.c.kind).in_([(u.id, kind) for u, kind, _ in told]),
                table.c.thread_id == post.thread_id,
                table.c.read_at.is_(None),
            )
            .returning(
                table.c.user_id, table.c.kind, table.c.count, table.c.post_id, table.c.digest_due
            )
        )
    }
    made = []
    for user, kind, prefs in told:
        earlier = replaced.get((user.id, kind))
        count = earlier.count + 1 if earlier is not None else 1
        notification = Notification(
            user_id=user.id,
            kind=kind,
            message=wording(kind, count),
            post_id=earlier.post_id if earlier is not None and earlier.post_id else post.id,
            thread_id=post.thread_id,
            count=count,
            digest_due=bool(earlier is not None and earlier.digest_due),
        )
        made.append(notification)
        email.route(
            user, MAIL_KIND_OF[kind], notification, post=post, thread=post.thread, prefs=prefs
        )
    # Core, not the unit of work: that would insert them one by one.
    columns = ("user_id", "kind", "message", "post_id", "thread_id", "count", "digest_due")
    db.session.execute(
        insert(table), [{name: getattr(line, name) for name in columns} for line in made]
    )
    return made


@dataclass
class Inbox:
    notifications: list[Notification]
    next_cursor: int | None  # the id to pass as ``before`` for older notifications


def inbox(user: User, *, before: int | None = None, limit: int = INBOX_PAGE_SIZE) -> Inbox:
    """``user``'s notifications, newest first; ``before`` is the cursor of the previous page."""
    stmt = select(Notification).where(Notification.user_id == user.id)
    if before is not None:
        stmt = stmt.where(Notification.id < before)
    rows = list(db.session.scalars(stmt.order_by(Notification.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Inbox(rows, rows[-1].id if more else None)


def mark_read(user: User, notifications: list[Notification], now: datetime | None = None) -> None:
    """Mark the given notifications of ``user`` read (those already read keep their time)."""
    ids = [n.id for n in notifications if n.read_at is None and n.user_id == user.id]
    if ids:
        _mark(user, now, Notification.id.in_(ids))


def mark_all_read(user: User, now: datetime | None = None) -> int:
    """Mark every unread notification of ``user`` read; returns how many."""
    return _mark(user, now)


def _mark(user: User, now: datetime | None, *conditions) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None), *conditions)
        .values(read_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(db.func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )
