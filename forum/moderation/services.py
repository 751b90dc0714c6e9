"""Moderation rules (issue #4): reports, held posts, crisis flags, the review queue,
moderators' actions and the public log.

Every function here checks its own permissions, adds and flushes, and never commits: the
caller (a view, a command, the thread services) commits once. Each change of a post's or a
thread's status is followed by ``refresh_thread`` so search never shows hidden content, and
each change readers would see purges the signed-out page cache once it is committed.

Hooks for the thread services, called on creation and on every edit:

- ``should_hold(author, text, editing=...)`` then, if it returns a reason, ``hold_post(post,
  reason)``;
- ``flag_crisis(post, phrase)`` when the crisis matcher finds a phrase.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app
from sqlalchemy import and_, event, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from forum import ratelimit
from forum.auth.services import revoke_account_tokens
from forum.auth.sessions import end_all_sessions
from forum.cache import purge_after_commit
from forum.errors import ForumError, InvalidAction, NotFound, PermissionDenied
from forum.extensions import db
from forum.models import (
    GuideArticle,
    ItemStatus,
    ModAction,
    ModerationAction,
    Post,
    PostStatus,
    Report,
    ReportReason,
    ReviewItem,
    Role,
    Thread,
    User,
    UserStatus,
    utcnow,
)
from forum.notifications import Kind, notify
from forum.permissions import require_can_write, require_role
from forum.search.backend import refresh_thread

NOTE_MAX = 1000
REASON_MAX = 1000
SUSPEND_MAX_DAYS = 365
QUEUE_PAGE_SIZE = 25
LOG_PAGE_SIZE = 50
MAX_PAGE = 10_000
AUTHOR_HISTORY_SIZE = 20

# Queue priority: 3 crisis, 2 misinformation or harassment, 1 any other report, 0 held only.
SEVERITY_CRISIS = 3
SEVERITY = {
    ReportReason.CRISIS: SEVERITY_CRISIS,
    ReportReason.MISINFORMATION: 2,
    ReportReason.HARASSMENT: 2,
}
SEVERITY_OTHER = 1

# Neutral reasons shown to the author while a post waits for a moderator.
AUTO_HIDDEN_REASON = "Hidden automatically after several reports, waiting for a moderator."
MODERATOR_REPORT_REASON = "Hidden while a moderator reviews it."
HELD_REASON = (
    "Waiting for review: a moderator checks new members' first posts, and links from new "
    "accounts, before everyone can see them."
)
# What readers see in place of a reply they may not read, so the replies below keep their
# place (DESIGN.md, Conventions).
PLACEHOLDERS = {
    PostStatus.HIDDEN: "[hidden by a moderator]",
    PostStatus.REMOVED: "[removed by a moderator]",
    PostStatus.PENDING: "[waiting for review]",
}

HOLD_NEW_MEMBER = "new_member"
HOLD_LINKS = "links"
HOLD_LABELS = {HOLD_NEW_MEMBER: "Held: new member", HOLD_LINKS: "Held: links from a new account"}

REASON_BADGES = {
    ReportReason.CRISIS: "Crisis",
    ReportReason.MISINFORMATION: "Misinformation",
    ReportReason.HARASSMENT: "Harassment",
    ReportReason.SPAM: "Spam",
    ReportReason.SOURCING: "Sourcing",
    ReportReason.PERSONAL_INFO: "Personal info",
    ReportReason.OTHER: "Other",
}
FILTER_HELD = "held"
QUEUE_FILTERS = {FILTER_HELD: "Held for approval"} | {
    str(reason): label for reason, label in REASON_BADGES.items()
}

# A link, for the held-post rule: a scheme, a "www." host, or Markdown link syntax (inline
# "[text](url)" or a reference definition "[id]: url"). Bare domains such as "example.com"
# are not caught on purpose: too many false positives ("month 2.5", "acne.org" in prose).
LINK_RE = re.compile(r"https?://|\bwww\.|\]\s*\(|^\s{0,3}\[[^\]]+\]:\s*\S", re.IGNORECASE | re.M)


class Decision(StrEnum):
    """What a moderator decides about a review item (the ``action`` field)."""

    APPROVE = "approve"
    DISMISS = "dismiss"
    HIDE = "hide"
    REMOVE = "remove"
    LABEL = "label"
    LOCK = "lock"
    WARN = "warn"
    SUSPEND = "suspend"
    BAN = "ban"


DECISION_LABELS = {
    Decision.APPROVE: "Approve: publish the post",
    Decision.DISMISS: "Dismiss the reports: the post stays",
    Decision.HIDE: "Hide the post (its author still sees it, with your reason)",
    Decision.REMOVE: "Remove the post (final for readers)",
    Decision.LABEL: "Label as medical misinformation (the post stays, with a label)",
    Decision.LOCK: "Lock the thread (no new replies)",
    Decision.WARN: "Warn the author",
    Decision.SUSPEND: "Suspend the author",
    Decision.BAN: "Ban the author",
}

# Told to each reporter: the outcome in plain words, nothing more.
REPORTER_OUTCOMES = {
    Decision.APPROVE: "found that it keeps to the community guidelines, so it stays up",
    Decision.DISMISS: "found that it keeps to the community guidelines, so it stays up",
    Decision.HIDE: "hid it",
    Decision.REMOVE: "removed it",
    Decision.LABEL: "labelled it as medical misinformation",
    Decision.LOCK: "locked the thread",
    Decision.WARN: "warned its author",
    Decision.SUSPEND: "suspended its author",
    Decision.BAN: "banned its author",
}


def _config(name: str) -> int:
    return int(current_app.config[name])


# --- Who sees what ---------------------------------------------------------------------------


def is_public(post: Post) -> bool:
    """Whether anyone, signed in or not, may read ``post``."""
    return (
        post.deleted_at is None
        and post.status == PostStatus.VISIBLE
        and post.thread.status == PostStatus.VISIBLE
    )


def can_see_post(post: Post, viewer: User | None) -> bool:
    """Readers see public posts; authors also see their own held, hidden or removed posts
    (with the reason); moderators see everything."""
    if is_public(post):
        return True
    if viewer is None or not viewer.is_authenticated:
        return False
    return viewer.is_moderator or (post.author_id == viewer.id and post.deleted_at is None)


def reader_placeholder(post: Post, viewer: User | None) -> str | None:
    """For the thread page: None when ``viewer`` may read the post's text, else what stands
    in its place ("[hidden by a moderator]", ...) so the replies below keep their place."""
    if can_see_post(post, viewer):
        return None
    if post.deleted_at is not None:
        return "[deleted]"
    return PLACEHOLDERS.get(PostStatus(post.status), PLACEHOLDERS[PostStatus.HIDDEN])


def label_articles(posts: list[Post]) -> dict[int, GuideArticle]:
    """The guide articles that labelled posts link to, by id, in one query."""
    ids = {post.label_article_id for post in posts if post.label_article_id}
    if not ids:
        return {}
    articles = db.session.scalars(
        select(GuideArticle).where(GuideArticle.id.in_(ids), GuideArticle.published)
    )
    return {article.id: article for article in articles}


def snapshot_text(post: Post) -> str:
    """The text a report keeps: the title too for an opening post, since both can change."""
    if post.is_opening:
        return f"{post.thread.title}\n\n{post.body}"
    return post.body


def excerpt(text: str, length: int = 160) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


# --- The audit log ---------------------------------------------------------------------------


def _refuse_change(_mapper, _connection, _target) -> None:
    raise RuntimeError("The moderation log is append-only: entries are never edited or deleted.")


event.listen(ModerationAction, "before_update", _refuse_change)
event.listen(ModerationAction, "before_delete", _refuse_change)


def is_crisis_item(item: ReviewItem) -> bool:
    return item.is_crisis or item.severity >= SEVERITY_CRISIS


def log_action(
    moderator: User | None,
    action: ModAction,
    *,
    post: Post | None = None,
    thread: Thread | None = None,
    user: User | None = None,
    item: ReviewItem | None = None,
    reason: str,
    detail: str | None = None,
) -> ModerationAction:
    """Append one entry to the moderation log, in the caller's transaction.

    ``moderator`` is None for what the site does by itself (hiding after several reports).
    Entries about a crisis item are marked as safety actions: the public log names no target.
    """
    if thread is None and post is not None:
        thread = post.thread
    entry = ModerationAction(
        moderator_id=moderator.id if moderator is not None else None,
        action=str(ModAction(action)),
        target_post_id=post.id if post is not None else None,
        target_thread_id=thread.id if thread is not None else None,
        target_user_id=user.id if user is not None else None,
        item_id=item.id if item is not None else None,
        reason=reason,
        detail=detail[:120] if detail else None,
        is_safety=item is not None and is_crisis_item(item),
        created_at=utcnow(),
    )
    db.session.add(entry)
    return entry


# --- Review items ----------------------------------------------------------------------------


def _pending_item(post: Post, now: datetime | None = None) -> ReviewItem:
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


def _refresh_item(item: ReviewItem) -> None:
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


def _set_status(post: Post, status: PostStatus, reason: str | None) -> None:
    """Change a post's status; an opening post carries its whole thread with it."""
    post.status = status
    post.status_reason = reason
    if post.is_opening:
        post.thread.status = status


def _publish(post: Post) -> None:
    if post.status in (PostStatus.PENDING, PostStatus.HIDDEN):
        _set_status(post, PostStatus.VISIBLE, None)


def _refresh_search(post: Post) -> None:
    db.session.flush()
    refresh_thread(post.thread)


# --- Reporting -------------------------------------------------------------------------------


def check_can_report(post: Post, reporter: User) -> None:
    """Raise unless ``reporter`` may report ``post``.

    NotFound (404) for a post the reporter cannot see; PermissionDenied (403) for a member
    who may not write (with the reason and end date of a suspension) or for their own post;
    InvalidAction (409) for a post already removed.
    """
    if post.deleted_at is not None or not can_see_post(post, reporter):
        raise NotFound("There is no such post.")
    require_can_write(reporter)
    if post.author_id == reporter.id:
        raise PermissionDenied(
            "You can't report your own post. You can edit it or delete it instead."
        )
    if post.status == PostStatus.REMOVED:
        raise InvalidAction("A moderator has already removed this post.")


def report_post(
    post: Post, reporter: User, reason: str, note: str = "", *, now: datetime | None = None
) -> Report:
    """Report ``post`` to the moderators, or update the reporter's open report on it.

    The first report keeps the snapshot of the text as it was then: that is what the member
    saw and objected to, and moderators always see the current text beside it, so a later
    edit can neither hide nor overwrite the evidence. Reporting again updates the reason and
    note only. Raises what ``check_can_report`` raises, ForumError (422) for an unknown
    reason or a note over 1,000 characters, and RateLimited (429) past REPORT_LIMIT.
    """
    check_can_report(post, reporter)
    try:
        reason = ReportReason(reason)
    except ValueError:
        raise ForumError("Choose one of the reasons.", status=422) from None
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ForumError(f"Keep the note under {NOTE_MAX:,} characters.", status=422)
    ratelimit.hit("REPORT_LIMIT", f"user:{reporter.id}")
    now = now or utcnow()

    item = _pending_item(post, now)
    report = db.session.scalar(
        select(Report).where(
            Report.post_id == post.id, Report.reporter_id == reporter.id, Report.is_open
        )
    )
    if report is None:
        report = Report(
            post_id=post.id,
            reporter_id=reporter.id,
            item_id=item.id,
            reason=str(reason),
            note=note,
            snapshot=snapshot_text(post),
            is_open=True,
            created_at=now,
            updated_at=now,
        )
        db.session.add(report)
    else:
        report.reason = str(reason)
        report.note = note
        report.item_id = item.id
        report.updated_at = now
    _refresh_item(item)
    _hide_when_reported(post, item, reporter)
    return report


def _hide_when_reported(post: Post, item: ReviewItem, reporter: User) -> None:
    """Hide a post at AUTO_HIDE_REPORTS distinct reporters, or at once on a moderator's word."""
    if post.status != PostStatus.VISIBLE:
        return
    if reporter.is_moderator:
        reason = MODERATOR_REPORT_REASON
    elif item.reporter_count >= _config("AUTO_HIDE_REPORTS"):
        reason = AUTO_HIDDEN_REASON
    else:
        return
    _set_status(post, PostStatus.HIDDEN, reason)
    # Logged as the site's own action: naming the moderator would name a reporter.
    log_action(
        None,
        ModAction.POST_HIDE,
        post=post,
        user=post.author,
        item=item,
        reason=reason,
        detail="automatic",
    )
    _refresh_search(post)
    purge_after_commit(db.session)


# --- Held posts and crisis flags (hooks for the thread services) ----------------------------


def has_links(text: str) -> bool:
    return bool(LINK_RE.search(text or ""))


def should_hold(
    author: User, text: str, now: datetime | None = None, *, editing: bool = False
) -> str | None:
    """Why a new or edited post must wait for a moderator, or None to publish it.

    ``text`` is everything the author typed (title and body for a thread). Returns
    HOLD_LINKS for links from an account younger than NEW_MEMBER_DAYS (on creation and on
    edits), HOLD_NEW_MEMBER while fewer than NEW_MEMBER_HELD_POSTS of the author's posts have
    been published (on creation only: an approved post is not held again for being early).
    Moderators and admins are never held. On creation, call it before the new post is
    flushed, or the post counts itself.
    """
    if author.has_role(Role.MODERATOR):
        return None
    now = now or utcnow()
    young = author.created_at is None or author.created_at > now - timedelta(
        days=_config("NEW_MEMBER_DAYS")
    )
    if young and has_links(text):
        return HOLD_LINKS
    wanted = _config("NEW_MEMBER_HELD_POSTS")
    if editing or wanted <= 0:
        return None
    published = (
        select(Post.id)
        .where(Post.author_id == author.id, Post.status == PostStatus.VISIBLE)
        .limit(wanted)
        .subquery()
    )
    with db.session.no_autoflush:
        count = db.session.scalar(select(func.count()).select_from(published))
    return HOLD_NEW_MEMBER if count < wanted else None


def hold_post(
    post: Post, reason: str = HOLD_NEW_MEMBER, *, now: datetime | None = None
) -> ReviewItem:
    """Keep ``post`` from readers until a moderator approves it (held opening post: its whole
    thread). Its author sees HELD_REASON. Returns the pending review item."""
    item = _pending_item(post, now)
    item.is_held = True
    item.held_reason = reason
    if post.status in (PostStatus.VISIBLE, PostStatus.PENDING):
        _set_status(post, PostStatus.PENDING, HELD_REASON)
    _refresh_search(post)
    return item


def flag_crisis(post: Post, phrase: str, *, now: datetime | None = None) -> ReviewItem:
    """Queue ``post`` at the top of the queue as a crisis item; the post stays published."""
    item = _pending_item(post, now)
    item.is_crisis = True
    item.crisis_phrase = (phrase or "")[:200] or None
    item.severity = SEVERITY_CRISIS
    db.session.flush()
    return item


# --- The queue -------------------------------------------------------------------------------


@dataclass
class QueueRow:
    item: ReviewItem
    badges: list[tuple[str, str]]  # (text, css modifier)
    excerpt: str
    claim_active: bool


@dataclass
class QueuePage:
    rows: list[QueueRow]
    status: str
    reason: str | None
    page: int
    has_next: bool


def _parse_page(page: str | int | None) -> int:
    if page in (None, ""):
        return 1
    try:
        number = int(page)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= MAX_PAGE:
        raise ForumError("Page must be a number from 1.", status=400)
    return number


def claim_is_active(item: ReviewItem, now: datetime | None = None) -> bool:
    minutes = _config("CLAIM_MINUTES")
    return (
        item.claimed_by_id is not None
        and item.claimed_at is not None
        and item.claimed_at > (now or utcnow()) - timedelta(minutes=minutes)
    )


def badges(item: ReviewItem) -> list[tuple[str, str]]:
    """Why the item is in the queue, most urgent first: "Crisis", "3 reporters", ..."""
    reasons = {report.reason for report in item.reports}
    result = []
    if item.is_crisis or ReportReason.CRISIS in reasons:
        result.append(("Crisis", "crisis"))
    for reason in (ReportReason.MISINFORMATION, ReportReason.HARASSMENT):
        if reason in reasons:
            result.append((REASON_BADGES[reason], "high"))
    for reason in (
        ReportReason.SPAM,
        ReportReason.SOURCING,
        ReportReason.PERSONAL_INFO,
        ReportReason.OTHER,
    ):
        if reason in reasons:
            result.append((REASON_BADGES[reason], "normal"))
    count = len({report.reporter_id for report in item.reports})
    if count:
        result.append((f"{count} reporter{'s' if count != 1 else ''}", "count"))
    if item.is_held:
        result.append((HOLD_LABELS.get(item.held_reason or "", "Held"), "held"))
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
    then more distinct reporters, then oldest first. Resolved: the latest decisions first.

    Raises PermissionDenied for non-moderators, ForumError (400) for an unknown filter.
    """
    require_role(moderator, Role.MODERATOR)
    status = status or ItemStatus.PENDING
    if status not in tuple(ItemStatus):
        raise ForumError("Status must be pending or resolved.", status=400)
    if reason and reason not in QUEUE_FILTERS:
        raise ForumError("There is no such filter.", status=400)
    number = _parse_page(page)

    stmt = select(ReviewItem).where(ReviewItem.status == status)
    if reason == FILTER_HELD:
        stmt = stmt.where(ReviewItem.is_held)
    elif reason:
        has_reason = exists().where(Report.item_id == ReviewItem.id, Report.reason == reason)
        if reason == ReportReason.CRISIS:
            has_reason = or_(ReviewItem.is_crisis, has_reason)
        stmt = stmt.where(has_reason)
    if status == ItemStatus.PENDING:
        stmt = stmt.order_by(
            ReviewItem.severity.desc(),
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
        joinedload(ReviewItem.claimed_by),
        joinedload(ReviewItem.resolved_by),
    )
    items = list(db.session.scalars(stmt.offset((number - 1) * per_page).limit(per_page + 1)))
    now = utcnow()
    rows = [
        QueueRow(
            item=item,
            badges=badges(item),
            excerpt=excerpt(item.post.body),
            claim_active=claim_is_active(item, now),
        )
        for item in items[:per_page]
    ]
    return QueuePage(rows, status, reason or None, number, len(items) > per_page)


@dataclass
class ItemDetail:
    item: ReviewItem
    post: Post
    parent: Post | None
    current_text: str
    author_post_count: int
    author_actions: list[ModerationAction]
    item_actions: list[ModerationAction]
    badges: list[tuple[str, str]]
    claim_active: bool


def get_item(item_id: int, moderator: User) -> ReviewItem:
    """The item, for moderators; NotFound when there is none."""
    require_role(moderator, Role.MODERATOR)
    item = db.session.get(ReviewItem, item_id)
    if item is None:
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
    if item is None:
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
    )


# --- Claiming --------------------------------------------------------------------------------


def _require_pending(item: ReviewItem) -> None:
    if item.status != ItemStatus.PENDING:
        who = item.resolved_by.username if item.resolved_by else "another moderator"
        raise InvalidAction(f"This item was already resolved by {who}.")


def _check_claim(item: ReviewItem, moderator: User, now: datetime) -> None:
    if item.claimed_by_id in (None, moderator.id) or not claim_is_active(item, now):
        return
    name = item.claimed_by.username if item.claimed_by else "another moderator"
    minutes = max(1, int((now - item.claimed_at).total_seconds() // 60))
    raise InvalidAction(
        f"{name} is working on this item (claimed {minutes} minute"
        f"{'s' if minutes != 1 else ''} ago). Leave it to them, or ask them to release it."
    )


def claim_item(item: ReviewItem, moderator: User, *, now: datetime | None = None) -> None:
    """Mark the item as being worked on by ``moderator``.

    Raises InvalidAction (409) while another moderator's claim is less than CLAIM_MINUTES
    old, or when the item is resolved.
    """
    require_role(moderator, Role.MODERATOR)
    now = now or utcnow()
    _require_pending(item)
    _check_claim(item, moderator, now)
    item.claimed_by_id = moderator.id
    item.claimed_at = now


def release_item(item: ReviewItem, moderator: User, *, now: datetime | None = None) -> None:
    """Give up a claim; another moderator's live claim cannot be released (409)."""
    require_role(moderator, Role.MODERATOR)
    now = now or utcnow()
    _require_pending(item)
    _check_claim(item, moderator, now)
    item.claimed_by_id = None
    item.claimed_at = None


# --- Deciding --------------------------------------------------------------------------------


def find_article(ref: str | int | None) -> GuideArticle | None:
    """A published guide article by id or slug; ForumError (422) if ``ref`` names none."""
    if ref in (None, ""):
        return None
    ref = str(ref).strip()
    column = GuideArticle.id if ref.isdigit() else GuideArticle.slug
    value = int(ref) if ref.isdigit() else ref
    article = db.session.scalar(select(GuideArticle).where(column == value, GuideArticle.published))
    if article is None:
        raise ForumError("There is no published guide article with that name.", status=422)
    return article


def _where(post: Post) -> str:
    kind = "thread" if post.is_opening else "reply"
    return f"your {kind} in “{post.thread.title}”"


def _check_can_sanction(moderator: User, author: User) -> None:
    if author.is_admin:
        raise PermissionDenied("An admin can't be suspended or banned.")
    if author.is_moderator and not moderator.is_admin:
        raise PermissionDenied("Only an admin can suspend or ban a moderator.")
    if author.is_banned:
        raise InvalidAction("This member is already banned.")


def act_on_item(
    item: ReviewItem,
    moderator: User,
    action: str,
    reason: str,
    *,
    days: int | None = None,
    article: str | int | None = None,
    now: datetime | None = None,
) -> None:
    """Decide a pending item: change the post, thread or author as ``action`` says, resolve
    the item, close its reports, tell the author (except approve and dismiss) and each
    reporter, and log it.

    Only approve, dismiss, label and lock publish the post. Warn, suspend and ban leave a
    published post up, and keep a post that was waiting (held or hidden after reports) hidden
    with the moderator's reason.

    Raises PermissionDenied (403) for non-moderators, for an item about the moderator's own
    post, or for sanctions above the moderator's role; InvalidAction (409) when the item is
    resolved or claimed by someone else; ForumError (422) for a missing reason, an unknown
    action, days out of range or an unknown article.
    """
    require_role(moderator, Role.MODERATOR)
    now = now or utcnow()
    _require_pending(item)
    _check_claim(item, moderator, now)
    try:
        decision = Decision(action)
    except ValueError:
        raise ForumError("Choose one of the actions.", status=422) from None
    reason = (reason or "").strip()
    if not reason:
        raise ForumError("Give a reason: the author sees it.", status=422)
    if len(reason) > REASON_MAX:
        raise ForumError(f"Keep the reason under {REASON_MAX:,} characters.", status=422)
    post, thread, author = item.post, item.post.thread, item.post.author
    if post.author_id == moderator.id:
        raise PermissionDenied("You can't decide on your own post; leave it to another moderator.")

    def log(mod_action, **extra):
        log_action(moderator, mod_action, post=post, user=author, item=item, reason=reason, **extra)

    where = _where(post)
    link = f"/p/{post.id}"
    if decision in (Decision.APPROVE, Decision.DISMISS):
        if post.status == PostStatus.REMOVED:
            raise InvalidAction("This post was removed; removal is final.")
        _publish(post)
        detail = "reports dismissed" if decision == Decision.DISMISS else None
        log(ModAction.POST_APPROVE, detail=detail)
    elif decision == Decision.HIDE:
        _set_status(post, PostStatus.HIDDEN, reason)
        log(ModAction.POST_HIDE)
        notify(author, Kind.POST_HIDDEN, f"A moderator hid {where}. Reason: {reason}", link=link)
    elif decision == Decision.REMOVE:
        _set_status(post, PostStatus.REMOVED, reason)
        log(ModAction.POST_REMOVE)
        notify(
            author, Kind.POST_REMOVED, f"A moderator removed {where}. Reason: {reason}", link=link
        )
    elif decision == Decision.LABEL:
        found = find_article(article)
        post.label = "misinformation"
        post.label_article_id = found.id if found else None
        _publish(post)
        log(ModAction.POST_LABEL, detail=f"misinformation{f' → {found.slug}' if found else ''}")
        notify(
            author,
            Kind.POST_LABELLED,
            f"A moderator labelled {where} as medical misinformation. Reason: {reason}",
            link=link,
        )
    elif decision == Decision.LOCK:
        if thread.locked:
            raise InvalidAction("This thread is already locked; choose another action.")
        thread.locked = True
        _publish(post)
        log(ModAction.THREAD_LOCK)
        notify(
            author,
            Kind.THREAD_LOCKED,
            f"A moderator locked the thread “{thread.title}”, so it takes no new replies. "
            f"Reason: {reason}",
            link=link,
        )
    else:
        _sanction(decision, item, moderator, reason, days=days, now=now, log=log)
    _resolve(item, moderator, decision, now)
    _refresh_search(post)
    # Every decision can change what readers see (a hidden or published post, a label, a
    # lock), so no cached page may outlive it (issue #6).
    purge_after_commit(db.session)


def _sanction(decision, item, moderator, reason, *, days, now, log) -> None:
    """Warn, suspend or ban the author of the item's post."""
    post, author = item.post, item.post.author
    where = _where(post)
    if decision in (Decision.SUSPEND, Decision.BAN):
        _check_can_sanction(moderator, author)
    if decision == Decision.SUSPEND and (days is None or not 1 <= int(days) <= SUSPEND_MAX_DAYS):
        raise ForumError(
            f"Give the length of the suspension: 1 to {SUSPEND_MAX_DAYS} days.", status=422
        )
    if post.status in (PostStatus.PENDING, PostStatus.HIDDEN):
        was_pending = post.status == PostStatus.PENDING
        _set_status(post, PostStatus.HIDDEN, reason)
        if was_pending:
            log(ModAction.POST_HIDE)
    if decision == Decision.WARN:
        log(ModAction.USER_WARN)
        notify(
            author,
            Kind.WARNING,
            f"A moderator warned you about {where}. Reason: {reason} "
            "Please read the community guidelines.",
            link=f"/p/{post.id}",
        )
    elif decision == Decision.SUSPEND:
        days = int(days)
        until = now + timedelta(days=days)
        author.status = UserStatus.SUSPENDED
        author.suspended_until = until
        author.status_reason = reason
        log(ModAction.USER_SUSPEND, detail=f"{days} day{'s' if days != 1 else ''}")
        notify(
            author,
            Kind.SUSPENSION,
            f"Your account is suspended until {until:%d %B %Y at %H:%M} UTC because of "
            f"{where}. Reason: {reason} You can still log in and read.",
            link=f"/p/{post.id}",
        )
    else:
        author.status = UserStatus.BANNED
        author.suspended_until = None
        author.status_reason = reason
        end_all_sessions(author)
        revoke_account_tokens(author)
        log(ModAction.USER_BAN)
        notify(author, Kind.BAN, f"Your account is banned because of {where}. Reason: {reason}")


def _resolve(item: ReviewItem, moderator: User, decision: Decision, now: datetime) -> None:
    """Resolve the item, close its open reports and tell each reporter the outcome."""
    reports = list(
        db.session.scalars(
            select(Report)
            .where(Report.post_id == item.post_id, Report.is_open)
            .options(joinedload(Report.reporter))
        )
    )
    title = item.post.thread.title
    outcome = REPORTER_OUTCOMES[decision]
    for report in reports:
        report.is_open = False
        report.item_id = item.id
        notify(
            report.reporter,
            Kind.REPORT_OUTCOME,
            f"Thanks for your report about a post in “{title}”. A moderator reviewed it and "
            f"{outcome}.",
        )
    item.status = ItemStatus.RESOLVED
    item.resolved_by_id = moderator.id
    item.resolved_at = now
    item.outcome = str(decision)


# --- The public log --------------------------------------------------------------------------


ACTION_VERBS = {
    ModAction.POST_APPROVE: "Approved",
    ModAction.POST_HIDE: "Hid",
    ModAction.POST_REMOVE: "Removed",
    ModAction.POST_LABEL: "Labelled as medical misinformation",
    ModAction.THREAD_LOCK: "Locked",
    ModAction.THREAD_UNLOCK: "Unlocked",
    ModAction.USER_WARN: "Warned",
    ModAction.USER_SUSPEND: "Suspended",
    ModAction.USER_BAN: "Banned",
    ModAction.USER_ROLE: "Changed the role of",
}
WITHHELD_THREADS = {
    PostStatus.HIDDEN: "a hidden thread",
    PostStatus.REMOVED: "a removed thread",
    PostStatus.PENDING: "a thread waiting for review",
}


@dataclass
class LogEntry:
    id: int
    created_at: datetime
    moderator: str  # a username, "automatic" or "a former moderator"
    action: str  # "Hid", "Suspended", or "Safety action"
    target: str | None  # "a reply in “Title”", "member1", or None
    target_url: str | None
    reason: str | None
    detail: str | None


@dataclass
class LogPage:
    entries: list[LogEntry]
    next_cursor: str | None


def _parse_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    try:
        stamp, _, raw_id = cursor.partition("_")
        return datetime.strptime(stamp, "%Y%m%dT%H%M%S%f"), int(raw_id)
    except ValueError:
        raise ForumError("That page of the log does not exist.", status=400) from None


def _cursor(entry: ModerationAction) -> str:
    return f"{entry.created_at:%Y%m%dT%H%M%S%f}_{entry.id}"


def public_log(*, before: str | None = None, limit: int = LOG_PAGE_SIZE) -> LogPage:
    """The public moderation log, newest first, paged by a (created_at, id) cursor.

    It shows the action, the target (the thread's title only while the thread is public,
    else "a hidden thread"; a username for actions on members), the reason, the time and the
    moderator. Never the hidden text, never a reporter; safety actions name no target and
    give no reason.
    """
    stmt = (
        select(ModerationAction)
        .options(
            joinedload(ModerationAction.moderator),
            joinedload(ModerationAction.target_user),
            joinedload(ModerationAction.target_thread),
        )
        .order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc())
    )
    position = _parse_cursor(before)
    if position is not None:
        created_at, entry_id = position
        stmt = stmt.where(
            or_(
                ModerationAction.created_at < created_at,
                and_(ModerationAction.created_at == created_at, ModerationAction.id < entry_id),
            )
        )
    rows = list(db.session.scalars(stmt.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    post_ids = {row.target_post_id for row in rows if row.target_post_id}
    opening_ids = set(
        db.session.scalars(select(Post.id).where(Post.id.in_(post_ids), Post.parent_id.is_(None)))
        if post_ids
        else []
    )
    entries = [_public_entry(row, opening_ids) for row in rows]
    return LogPage(entries, _cursor(rows[-1]) if more else None)


def _public_entry(row: ModerationAction, opening_ids: set[int]) -> LogEntry:
    if row.moderator is not None:
        moderator = row.moderator.username
    elif row.detail == "automatic":
        moderator = "automatic"
    else:
        moderator = "a former moderator"
    entry = LogEntry(
        id=row.id,
        created_at=row.created_at,
        moderator=moderator,
        action="Safety action",
        target=None,
        target_url=None,
        reason=None,
        detail=None,
    )
    if row.is_safety:
        return entry
    entry.action = ACTION_VERBS.get(row.action, row.action)
    entry.reason = row.reason
    entry.detail = row.detail if row.detail != "automatic" else None
    subject = row.action.split(":", 1)[0]
    thread = row.target_thread
    if subject == "user" and row.target_user is not None:
        entry.target = row.target_user.username
        entry.target_url = f"/u/{row.target_user.username}"
    elif thread is not None:
        public = thread.status == PostStatus.VISIBLE
        name = f"“{thread.title}”" if public else WITHHELD_THREADS.get(thread.status, "a thread")
        if subject == "post" and row.target_post_id not in opening_ids:
            entry.target = f"a reply in {name}"
        elif public:
            entry.target = f"the thread {name}"
        else:
            entry.target = name
        entry.target_url = f"/t/{thread.id}" if public else None
    return entry
