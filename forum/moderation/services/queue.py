"""The moderators' review queue, one item in full, and claiming an item (issue #4)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from forum.errors import ForumError, InvalidAction, NotFound
from forum.extensions import db
from forum.models import (
    ItemStatus,
    JournalEntry,
    ModerationAction,
    Post,
    Report,
    ReportReason,
    ReviewItem,
    Role,
    User,
    utcnow,
)
from forum.models.moderation import Decision
from forum.moderation import labels
from forum.moderation.services.items import config_int, excerpt, snapshot_text
from forum.moderation.services.notes import notes_about
from forum.moderation.services.offers import offered_decisions
from forum.moderation.services.reports import reporter_accuracy
from forum.permissions import require_role
from forum.validation import int_or_none

QUEUE_PAGE_SIZE = 25
MAX_PAGE = 10_000
AUTHOR_HISTORY_SIZE = 20
HIGH_REASONS = (ReportReason.MISINFORMATION, ReportReason.HARASSMENT)
NORMAL_REASONS = (
    ReportReason.SPAM,
    ReportReason.SOURCING,
    ReportReason.PERSONAL_INFO,
    ReportReason.OTHER,
)


class Badge(NamedTuple):
    text: str  # "Crisis", "3 reporters"
    kind: str  # the CSS modifier: labels.BADGE_*


@dataclass
class QueueRow:
    item: ReviewItem
    badges: list[Badge]
    excerpt: str
    claim_active: bool

    @property
    def is_crisis(self) -> bool:
        return any(badge.kind == labels.BADGE_CRISIS for badge in self.badges)


@dataclass
class QueuePage:
    rows: list[QueueRow]
    status: str
    reason: str | None
    page: int
    has_next: bool


@dataclass
class ItemDetail:
    item: ReviewItem
    post: Post
    parent: Post | None
    current_text: str
    author_post_count: int
    author_actions: list[ModerationAction]
    item_actions: list[ModerationAction]
    badges: list[Badge]
    claim_active: bool
    # Issue #16: what the item offers, each reporter's accuracy, moderators' notes on the
    # author, and appeals of this item's decisions.
    offered: list = field(default_factory=list)
    accuracy: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


def _parse_page(page: str | int | None) -> int:
    if page in (None, ""):
        return 1
    number = int_or_none(page, maximum=MAX_PAGE)
    if number is None:
        raise ForumError("Page must be a number from 1.", status=400)
    return number


def claim_is_active(item: ReviewItem, now: datetime | None = None) -> bool:
    minutes = config_int("CLAIM_MINUTES")
    return (
        item.claimed_by_id is not None
        and item.claimed_at is not None
        and item.claimed_at > (now or utcnow()) - timedelta(minutes=minutes)
    )


def badges(item: ReviewItem) -> list[Badge]:
    """Why the item is in the queue, most urgent first: "Crisis", "3 reporters", ..."""
    reasons = {report.reason for report in item.reports}
    result = []
    if item.is_crisis or ReportReason.CRISIS in reasons:
        result.append(Badge(labels.REASON_BADGES[ReportReason.CRISIS], labels.BADGE_CRISIS))
    for reasons_of_kind, kind in (
        (HIGH_REASONS, labels.BADGE_HIGH),
        (NORMAL_REASONS, labels.BADGE_NORMAL),
    ):
        result += [Badge(labels.REASON_BADGES[r], kind) for r in reasons_of_kind if r in reasons]
    count = len({report.reporter_id for report in item.reports})
    if count:
        result.append(Badge(labels.plural(count, "reporter"), labels.BADGE_COUNT))
    if item.is_held:
        text = labels.HOLD_LABELS.get(item.held_reason or "", labels.HOLD_LABEL_DEFAULT)
        result.append(Badge(text, labels.BADGE_HELD))
    return result


def queue_page(
    moderator: User,
    *,
    status: str | None = None,
    reason: str | None = None,
    page: str | int | None = None,
    per_page: int = QUEUE_PAGE_SIZE,
) -> QueuePage:
    """One page of review items. Pending: crisis first, then misinformation and harassment,
    then the reports' weight by their reporters' accuracy (issue #16), then more distinct
    reporters, then oldest first. Resolved: the latest decisions first.

    Raises PermissionDenied for non-moderators, ForumError (400) for an unknown filter.
    """
    require_role(moderator, Role.MODERATOR)
    status = status or ItemStatus.PENDING
    if status not in tuple(ItemStatus):
        raise ForumError("Status must be pending or resolved.", status=400)
    if reason and reason not in labels.QUEUE_FILTERS:
        raise ForumError("There is no such filter.", status=400)
    number = _parse_page(page)

    stmt = select(ReviewItem).where(ReviewItem.status == status)
    if reason == labels.FILTER_HELD:
        stmt = stmt.where(ReviewItem.is_held)
    elif reason:
        has_reason = exists().where(Report.item_id == ReviewItem.id, Report.reason == reason)
        if reason == ReportReason.CRISIS:
            has_reason = or_(ReviewItem.is_crisis, has_reason)
        stmt = stmt.where(has_reason)
    if status == ItemStatus.PENDING:
        stmt = stmt.order_by(
            ReviewItem.severity.desc(),
            ReviewItem.score.desc(),
            ReviewItem.reporter_count.desc(),
            ReviewItem.created_at,
            ReviewItem.id,
        )
    else:
        stmt = stmt.order_by(ReviewItem.resolved_at.desc(), ReviewItem.id.desc())
    stmt = stmt.options(
        selectinload(ReviewItem.post).joinedload(Post.thread),
        selectinload(ReviewItem.post).joinedload(Post.author),
        selectinload(ReviewItem.reports),
        joinedload(ReviewItem.sender),
        selectinload(ReviewItem.journal_entry).joinedload(JournalEntry.user),
        joinedload(ReviewItem.claimed_by),
        joinedload(ReviewItem.resolved_by),
    )
    items = list(db.session.scalars(stmt.offset((number - 1) * per_page).limit(per_page + 1)))
    now = utcnow()
    rows = [
        QueueRow(
            item=item,
            badges=badges(item),
            excerpt=excerpt(
                item.post.body
                if item.post is not None
                else item.journal_entry.note
                if item.journal_entry is not None
                else item.body
            ),
            claim_active=claim_is_active(item, now),
        )
        for item in items[:per_page]
    ]
    return QueuePage(rows, status, reason or None, number, len(items) > per_page)


def get_item(item_id: int, moderator: User) -> ReviewItem:
    """The item, for moderators; NotFound when there is none."""
    require_role(moderator, Role.MODERATOR)
    item = db.session.get(ReviewItem, item_id)
    if item is None or item.post_id is None and item.journal_entry_id is None:
        # A member's message has a page of its own (issue #13).
        raise NotFound("There is no such review item.")
    return item


def item_detail(item_id: int, moderator: User) -> ItemDetail:
    """Everything a moderator needs to decide: the post in context, every report (with its
    reporter), the author's history, and who claimed the item."""
    require_role(moderator, Role.MODERATOR)
    item = db.session.scalar(
        select(ReviewItem)
        .where(ReviewItem.id == item_id)
        .options(
            joinedload(ReviewItem.post).joinedload(Post.thread),
            joinedload(ReviewItem.post).joinedload(Post.author),
            selectinload(ReviewItem.reports).joinedload(Report.reporter),
            joinedload(ReviewItem.claimed_by),
            joinedload(ReviewItem.resolved_by),
        )
    )
    if item is None or item.post is None:  # a member's message has a page of its own
        raise NotFound("There is no such review item.")
    post = item.post
    parent = db.session.get(Post, post.parent_id) if post.parent_id else None
    author_post_count = db.session.scalar(
        select(func.count(Post.id)).where(Post.author_id == post.author_id)
    )
    history = (
        select(ModerationAction)
        .options(joinedload(ModerationAction.moderator))
        .order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc())
    )
    author_actions = list(
        db.session.scalars(
            history.where(
                ModerationAction.target_user_id == post.author_id,
                or_(ModerationAction.item_id.is_(None), ModerationAction.item_id != item.id),
            ).limit(AUTHOR_HISTORY_SIZE)
        )
    )
    item_actions = list(db.session.scalars(history.where(ModerationAction.item_id == item.id)))
    return ItemDetail(
        item=item,
        post=post,
        parent=parent,
        current_text=snapshot_text(post),
        author_post_count=author_post_count,
        author_actions=author_actions,
        item_actions=item_actions,
        badges=badges(item),
        claim_active=claim_is_active(item),
        offered=offered_decisions(item, moderator),
        accuracy=reporter_accuracy(report.reporter_id for report in item.reports),
        notes=notes_about(post.author, moderator),
    )


# --- Claiming --------------------------------------------------------------------------------


def require_pending(item: ReviewItem) -> None:
    """InvalidAction (409) unless the item still waits for a decision."""
    if item.status != ItemStatus.PENDING:
        who = item.resolved_by.username if item.resolved_by else "another moderator"
        raise InvalidAction(f"This item was already resolved by {who}.")


def open_decision(item: ReviewItem, moderator: User, action: str, now: datetime) -> Decision:
    """The decision ``action`` names, once ``item`` may take it: ForumError (422) for an
    unknown action, InvalidAction (409) for a resolved item (but to reopen it) or while
    another moderator's claim is live."""
    try:
        decision = Decision(action)
    except ValueError:
        raise ForumError("Choose one of the actions.", status=422) from None
    if decision != Decision.REOPEN:
        require_pending(item)
    check_claim(item, moderator, now)
    return decision


def check_claim(item: ReviewItem, moderator: User, now: datetime) -> None:
    """InvalidAction (409) while another moderator's claim on the item is live."""
    if item.claimed_by_id in (None, moderator.id) or not claim_is_active(item, now):
        return
    name = item.claimed_by.username if item.claimed_by else "another moderator"
    minutes = max(1, int((now - item.claimed_at).total_seconds() // 60))
    raise InvalidAction(
        f"{name} is working on this item (claimed {labels.plural(minutes, 'minute')} ago). "
        "Leave it to them, or ask them to release it."
    )


def claim_item(item: ReviewItem, moderator: User, *, now: datetime | None = None) -> None:
    """Mark the item as being worked on by ``moderator``.

    Raises InvalidAction (409) while another moderator's claim is less than CLAIM_MINUTES
    old, or when the item is resolved.
    """
    require_role(moderator, Role.MODERATOR)
    now = now or utcnow()
    require_pending(item)
    check_claim(item, moderator, now)
    item.claimed_by_id = moderator.id
    item.claimed_at = now


def release_item(item: ReviewItem, moderator: User, *, now: datetime | None = None) -> None:
    """Give up a claim; another moderator's live claim cannot be released (409)."""
    require_role(moderator, Role.MODERATOR)
    now = now or utcnow()
    require_pending(item)
    check_claim(item, moderator, now)
    item.claimed_by_id = None
    item.claimed_at = None
