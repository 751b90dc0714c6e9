"""Review items and post status changes: what reports, screening and decisions share.

A review item is one post that needs a moderator's decision (reported, held, or matched as
a crisis). Search and cached pages follow each change of a post's or a thread's status by
themselves (``forum/sync.py``).
"""

from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from forum.extensions import db
from forum.models import ItemStatus, Post, PostStatus, Report, ReportReason, ReviewItem, utcnow

# Queue priority: 3 crisis, 2 misinformation or harassment, 1 any other report, 0 held only.
SEVERITY_CRISIS = 3
SEVERITY = {
    ReportReason.CRISIS: SEVERITY_CRISIS,
    ReportReason.MISINFORMATION: 2,
    ReportReason.HARASSMENT: 2,
}
SEVERITY_OTHER = 1


def config_int(name: str) -> int:
    return int(current_app.config[name])


def is_crisis_item(item: ReviewItem) -> bool:
    return item.is_crisis or item.severity >= SEVERITY_CRISIS


def snapshot_text(post: Post) -> str:
    """The text a report keeps: the title too for an opening post, since both can change."""
    if post.is_opening:
        return f"{post.thread.title}\n\n{post.body}"
    return post.body


def excerpt(text: str, length: int = 160) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def pending_item(post: Post, now: datetime | None = None) -> ReviewItem:
    """The post's pending review item, created if there is none.

    The row is locked (PostgreSQL) so concurrent reports on one post are counted one after
    the other; a concurrent creation trips the partial unique index and we take the winner's.
    """
    db.session.flush()
    lookup = (
        select(ReviewItem)
        .where(ReviewItem.post_id == post.id, ReviewItem.status == ItemStatus.PENDING)
        .with_for_update()
    )
    item = db.session.scalar(lookup)
    if item is not None:
        return item
    item = ReviewItem(post_id=post.id, status=ItemStatus.PENDING, created_at=now or utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(item)
    except IntegrityError:
        item = db.session.scalar(lookup)
        if item is None:
            raise
    return item


def refresh_item(item: ReviewItem) -> None:
    """Recount distinct open reporters and the item's severity from its open reports."""
    db.session.flush()
    rows = db.session.execute(
        select(Report.reason, Report.reporter_id).where(
            Report.post_id == item.post_id, Report.is_open
        )
    ).all()
    item.reporter_count = len({row.reporter_id for row in rows})
    levels = [SEVERITY.get(row.reason, SEVERITY_OTHER) for row in rows]
    if item.is_crisis:
        levels.append(SEVERITY_CRISIS)
    item.severity = max(levels, default=0)


def set_status(post: Post, status: PostStatus, reason: str | None) -> None:
    """Change a post's status; an opening post carries its whole thread with it."""
    post.status = status
    post.status_reason = reason
    if post.is_opening:
        post.thread.status = status


def publish(post: Post) -> None:
    if post.status in (PostStatus.PENDING, PostStatus.HIDDEN):
        set_status(post, PostStatus.VISIBLE, None)
