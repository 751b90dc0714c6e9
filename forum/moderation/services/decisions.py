"""A moderator's decision on a review item (issues #4 and #16): one short handler per
``Decision``.

``act_on_item`` checks what every decision needs (role, claim, reason, that the item offers
it), runs the handler from ``HANDLERS``, then resolves the item and tells each reporter the
outcome. The handlers that take a decision back live in ``undo``; which decisions an item
offers is ``offers.offered_decisions``.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

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
from forum.moderation.services import undo
from forum.moderation.services.case import (
    Case,
    ban,
    check_can_sanction,
    restore_auto_hidden,
)
from forum.moderation.services.items import pending_item, publish, set_status
from forum.moderation.services.offers import offered_decisions, refusal
from forum.moderation.services.queue import open_decision
from forum.notifications import fanout
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


# --- The handlers ----------------------------------------------------------------------------


def _approve(case: Case) -> None:
    publish(case.post)
    case.log(ModAction.POST_APPROVE)


def _dismiss(case: Case) -> None:
    publish(case.post)
    case.log(ModAction.POST_APPROVE, detail=labels.DETAIL_DISMISSED)


def _decline(case: Case) -> None:
    set_status(case.post, PostStatus.REMOVED, case.reason)
    case.log(ModAction.POST_DECLINE)
    case.tell_author(Kind.POST_REMOVED, labels.NOTICE_DECLINED)


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
    restore_auto_hidden(case)
    # The article's title, as readers know it (issue #16: never a slug).
    detail = labels.LABEL_LINKING.format(title=found.title) if found else labels.LABEL_PLAIN
    case.log(ModAction.POST_LABEL, detail=detail)
    case.tell_author(Kind.POST_LABELLED, labels.NOTICE_LABELLED)


def _lock(case: Case) -> None:
    thread = case.post.thread
    if thread.locked:
        raise InvalidAction("This thread is already locked; choose another action.")
    thread.locked = True
    restore_auto_hidden(case)
    case.log(ModAction.THREAD_LOCK)
    case.tell_author(Kind.THREAD_LOCKED, labels.NOTICE_LOCKED)


def _keep_waiting_post_hidden(case: Case) -> None:
    """A sanction does not hide: it leaves a published post up, puts back one the reports
    hid, and keeps a held one hidden with the moderator's reason."""
    post = case.post
    if post.status == PostStatus.PENDING:
        set_status(post, PostStatus.HIDDEN, case.reason)
        case.log(ModAction.POST_HIDE)
    else:
        restore_auto_hidden(case)


def _warn(case: Case) -> None:
    _keep_waiting_post_hidden(case)
    case.log(ModAction.USER_WARN)
    case.tell_author(Kind.WARNING, labels.NOTICE_WARNED)


def _suspend(case: Case) -> None:
    check_can_sanction(case.moderator, case.author)
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
    notify(author, Kind.SUSPENSION, text, post=case.post, action_id=case.last_action_id)


def _ban(case: Case) -> None:
    check_can_sanction(case.moderator, case.author)
    _keep_waiting_post_hidden(case)
    ban(case)
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
    Decision.DECLINE: _decline,
    Decision.UNLOCK: undo.unlock,
    Decision.LIFT_SUSPENSION: undo.lift_suspension,
    Decision.UNBAN: undo.unban,
    Decision.RESTORE: undo.restore,
    Decision.REOPEN: undo.reopen,
    Decision.FOLLOWED_UP: undo.followed_up,
    Decision.PURGE_SPAMMER: undo.purge_spammer,
}


# --- Deciding --------------------------------------------------------------------------------


def _clean_reason(reason: str | None, decision: Decision) -> str:
    reason = (reason or "").strip()
    if not reason and decision not in labels.REASON_OPTIONAL:
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
    follow_up: str | None = None,
    now: datetime | None = None,
) -> None:
    """Decide a pending item: change the post, thread or author as ``action`` says, resolve
    the item, close its reports, tell the author (except approve and dismiss) and each
    reporter, and log it.

    Every decision that does not hide the post puts back what the hide after reports hid;
    warn, suspend and ban keep a held post hidden with the moderator's reason. ``reopen``
    puts a resolved item back in the queue instead.

    Raises PermissionDenied (403) for non-moderators, for an item about the moderator's own
    post, or for sanctions above the moderator's role; InvalidAction (409) when the item is
    resolved or claimed by someone else; ForumError (422) for a missing reason (every
    decision but approve, dismiss and followed up), an unknown action, days out of range or
    an unknown article; InvalidAction (409) for a decision the item does not offer
    (``offers.refusal`` says why).
    """
    require_role(moderator, Role.MODERATOR)
    if item.post_id is None:  # a member's message (issue #13): answered, not decided
        raise InvalidAction("This is a member's message: answer it from its own page.")
    now = now or utcnow()
    decision = open_decision(item, moderator, action, now)
    reason = _clean_reason(reason, decision)
    if item.post.author_id == moderator.id:
        raise PermissionDenied("You can't decide on your own post; leave it to another moderator.")
    if decision in (Decision.SUSPEND, Decision.BAN, Decision.PURGE_SPAMMER):
        check_can_sanction(moderator, item.post.author)
    if decision not in offered_decisions(item, moderator):
        raise InvalidAction(refusal(item, decision))
    was = item.post.status
    HANDLERS[decision](Case(item, moderator, reason, days, article, now, follow_up))
    if was != PostStatus.VISIBLE and item.post.status == PostStatus.VISIBLE:
        _published(item, was)
    if decision != Decision.REOPEN:
        _resolve(item, moderator, decision, now)
    # What readers see changes with the post, thread or author rows: search and cached
    # pages follow them (forum/sync.py).
    db.session.flush()


def _published(item: ReviewItem, was: str) -> None:
    """A held or hidden post is public now: its replies, mentions and watchers are told
    (issue #12), and a held post's author hears it was approved."""
    fanout.post_published(item.post)
    if was == PostStatus.PENDING:
        kind = "thread" if item.post.is_opening else "reply"
        notify(
            item.post.author,
            Kind.POST_APPROVED,
            f"Your {kind} in “{item.post.thread.title}” was approved and is now public.",
            post=item.post,
        )


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


def moderate_post(post: Post, moderator: User, action: str, reason: str, **options) -> ReviewItem:
    """Decide on a post from where the moderator reads it (``/p/<id>/moderate``): its
    pending review item is reused, or created, then decided as ``act_on_item`` does (and
    raises)."""
    require_role(moderator, Role.MODERATOR)
    item = pending_item(post, options.get("now"))
    act_on_item(item, moderator, action, reason, **options)
    return item
