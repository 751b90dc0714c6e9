"""A moderator's decision on a review item (issue #4): one short handler per ``Decision``.

``act_on_item`` checks what every decision needs (role, claim, reason), runs the handler
from ``HANDLERS``, then resolves the item and tells each reporter the outcome.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forum.auth.services import revoke_account_tokens
from forum.auth.sessions import end_all_sessions
from forum.errors import ForumError, InvalidAction, PermissionDenied
from forum.extensions import db
from forum.models import (
    GuideArticle,
    ItemStatus,
    ModAction,
    Post,
    PostStatus,
    Report,
    ReviewItem,
    Role,
    User,
    UserStatus,
    utcnow,
)
from forum.models.moderation import Decision
from forum.moderation import labels
from forum.moderation.services.audit import log_action
from forum.moderation.services.items import publish, set_status
from forum.moderation.services.queue import check_claim, require_pending
from forum.notifications.services import Kind, notify
from forum.permissions import require_role
from forum.validation import int_or_none

REASON_MAX = 1000
SUSPEND_MAX_DAYS = 365
MISINFORMATION = "misinformation"  # the value of Post.label


def find_article(ref: str | int | None) -> GuideArticle | None:
    """A published guide article by id or slug; ForumError (422) if ``ref`` names none."""
    if ref in (None, ""):
        return None
    ref = str(ref).strip()
    article_id = int_or_none(ref)
    column = GuideArticle.id if article_id is not None else GuideArticle.slug
    value = article_id if article_id is not None else ref
    article = db.session.scalar(select(GuideArticle).where(column == value, GuideArticle.published))
    if article is None:
        raise ForumError("There is no published guide article with that name.", status=422)
    return article


def label_articles(posts: list[Post]) -> dict[int, GuideArticle]:
    """The guide articles that labelled posts link to, by id, in one query."""
    ids = {post.label_article_id for post in posts if post.label_article_id}
    if not ids:
        return {}
    articles = db.session.scalars(
        select(GuideArticle).where(GuideArticle.id.in_(ids), GuideArticle.published)
    )
    return {article.id: article for article in articles}


@dataclass
class Case:
    """One decision being applied: who decides what about which item, and why."""

    item: ReviewItem
    moderator: User
    reason: str
    days: int | None
    article: str | int | None
    now: datetime

    @property
    def post(self) -> Post:
        return self.item.post

    @property
    def author(self) -> User:
        return self.item.post.author

    @property
    def where(self) -> str:
        kind = "thread" if self.post.is_opening else "reply"
        return labels.WHERE.format(kind=kind, title=self.post.thread.title)

    def log(self, action: ModAction, detail: str | None = None) -> None:
        log_action(
            self.moderator,
            action,
            post=self.post,
            user=self.author,
            item=self.item,
            reason=self.reason,
            detail=detail,
        )

    def tell_author(self, kind: str, message: str, *, with_post: bool = True) -> None:
        text = message.format(where=self.where, reason=self.reason, title=self.post.thread.title)
        notify(self.author, kind, text, post=self.post if with_post else None)


# --- The handlers ----------------------------------------------------------------------------


def _approve(case: Case) -> None:
    if case.post.status == PostStatus.REMOVED:
        raise InvalidAction("This post was removed; removal is final.")
    publish(case.post)
    case.log(ModAction.POST_APPROVE)


def _dismiss(case: Case) -> None:
    if case.post.status == PostStatus.REMOVED:
        raise InvalidAction("This post was removed; removal is final.")
    publish(case.post)
    case.log(ModAction.POST_APPROVE, detail=labels.DETAIL_DISMISSED)


def _hide(case: Case) -> None:
    set_status(case.post, PostStatus.HIDDEN, case.reason)
    case.log(ModAction.POST_HIDE)
    case.tell_author(Kind.POST_HIDDEN, labels.NOTICE_HIDDEN)


def _remove(case: Case) -> None:
    set_status(case.post, PostStatus.REMOVED, case.reason)
    case.log(ModAction.POST_REMOVE)
    case.tell_author(Kind.POST_REMOVED, labels.NOTICE_REMOVED)


def _label(case: Case) -> None:
    found = find_article(case.article)
    case.post.label = MISINFORMATION
    case.post.label_article_id = found.id if found else None
    publish(case.post)
    detail = labels.DETAIL_MISINFORMATION + (f" → {found.slug}" if found else "")
    case.log(ModAction.POST_LABEL, detail=detail)
    case.tell_author(Kind.POST_LABELLED, labels.NOTICE_LABELLED)


def _lock(case: Case) -> None:
    thread = case.post.thread
    if thread.locked:
        raise InvalidAction("This thread is already locked; choose another action.")
    thread.locked = True
    publish(case.post)
    case.log(ModAction.THREAD_LOCK)
    case.tell_author(Kind.THREAD_LOCKED, labels.NOTICE_LOCKED)


def _keep_waiting_post_hidden(case: Case) -> None:
    """A sanction leaves a published post up, and keeps a waiting one hidden with the
    moderator's reason."""
    post = case.post
    if post.status in (PostStatus.PENDING, PostStatus.HIDDEN):
        was_pending = post.status == PostStatus.PENDING
        set_status(post, PostStatus.HIDDEN, case.reason)
        if was_pending:
            case.log(ModAction.POST_HIDE)


def _check_can_sanction(moderator: User, author: User) -> None:
    if author.is_admin:
        raise PermissionDenied("An admin can't be suspended or banned.")
    if author.is_moderator and not moderator.is_admin:
        raise PermissionDenied("Only an admin can suspend or ban a moderator.")
    if author.is_banned:
        raise InvalidAction("This member is already banned.")


def _warn(case: Case) -> None:
    _keep_waiting_post_hidden(case)
    case.log(ModAction.USER_WARN)
    case.tell_author(Kind.WARNING, labels.NOTICE_WARNED)


def _suspend(case: Case) -> None:
    _check_can_sanction(case.moderator, case.author)
    if case.days is None or not 1 <= int(case.days) <= SUSPEND_MAX_DAYS:
        raise ForumError(
            f"Give the length of the suspension: 1 to {SUSPEND_MAX_DAYS} days.", status=422
        )
    _keep_waiting_post_hidden(case)
    days = int(case.days)
    until = case.now + timedelta(days=days)
    author = case.author
    author.status = UserStatus.SUSPENDED
    author.suspended_until = until
    author.status_reason = case.reason
    case.log(ModAction.USER_SUSPEND, detail=labels.plural(days, "day"))
    text = labels.NOTICE_SUSPENDED.format(until=until, where=case.where, reason=case.reason)
    notify(author, Kind.SUSPENSION, text, post=case.post)


def _ban(case: Case) -> None:
    _check_can_sanction(case.moderator, case.author)
    _keep_waiting_post_hidden(case)
    author = case.author
    author.status = UserStatus.BANNED
    author.suspended_until = None
    author.status_reason = case.reason
    end_all_sessions(author)
    revoke_account_tokens(author)
    case.log(ModAction.USER_BAN)
    case.tell_author(Kind.BAN, labels.NOTICE_BANNED, with_post=False)


HANDLERS: dict[Decision, Callable[[Case], None]] = {
    Decision.APPROVE: _approve,
    Decision.DISMISS: _dismiss,
    Decision.HIDE: _hide,
    Decision.REMOVE: _remove,
    Decision.LABEL: _label,
    Decision.LOCK: _lock,
    Decision.WARN: _warn,
    Decision.SUSPEND: _suspend,
    Decision.BAN: _ban,
}


# --- Deciding --------------------------------------------------------------------------------


def _clean_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ForumError("Give a reason: the author sees it.", status=422)
    if len(reason) > REASON_MAX:
        raise ForumError(f"Keep the reason under {REASON_MAX:,} characters.", status=422)
    return reason


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
    require_pending(item)
    check_claim(item, moderator, now)
    try:
        decision = Decision(action)
    except ValueError:
        raise ForumError("Choose one of the actions.", status=422) from None
    reason = _clean_reason(reason)
    if item.post.author_id == moderator.id:
        raise PermissionDenied("You can't decide on your own post; leave it to another moderator.")
    HANDLERS[decision](Case(item, moderator, reason, days, article, now))
    _resolve(item, moderator, decision, now)
    # What readers see changes with the post, thread or author rows: search and cached
    # pages follow them (forum/sync.py).
    db.session.flush()


def _resolve(item: ReviewItem, moderator: User, decision: Decision, now: datetime) -> None:
    """Resolve the item, close its open reports and tell each reporter the outcome."""
    reports = list(
        db.session.scalars(
            select(Report)
            .where(Report.post_id == item.post_id, Report.is_open)
            .options(joinedload(Report.reporter))
        )
    )
    message = labels.NOTICE_REPORT_OUTCOME.format(
        title=item.post.thread.title, outcome=labels.REPORTER_OUTCOMES[decision]
    )
    for report in reports:
        report.is_open = False
        report.item_id = item.id
        notify(report.reporter, Kind.REPORT_OUTCOME, message)
    item.status = ItemStatus.RESOLVED
    item.resolved_by_id = moderator.id
    item.resolved_at = now
    item.outcome = str(decision)
