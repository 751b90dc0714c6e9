"""Which decisions an item offers (issue #16): one function of the item, so the form shows
only what makes sense and ``act_on_item`` refuses the rest."""

from forum.models import ItemStatus, PostStatus, ReviewItem, User
from forum.models.moderation import Decision
from forum.moderation.services.items import is_crisis_item
from forum.visibility import hidden_by_reports


def offered_decisions(item: ReviewItem, moderator: User) -> list[Decision]:
    """The decisions that make sense for ``item`` now, in the form's order.

    A resolved item offers only reopen. A held post: approve, decline, or purge the
    spammer. A crisis item: followed up, hide, remove. Otherwise approve only for a post
    readers don't see, dismiss only where there are open reports, and each undo only where
    there is something to undo (restoring a removed post is for admins).
    """
    if item.status != ItemStatus.PENDING:
        return [Decision.REOPEN]
    post, author = item.post, item.post.author
    status = post.status
    sanctionable = not author.is_admin and (moderator.is_admin or not author.is_moderator)
    if status == PostStatus.PENDING:
        offered = [Decision.APPROVE, Decision.DECLINE]
        return offered + ([Decision.PURGE_SPAMMER] if sanctionable else [])
    auto_hidden = hidden_by_reports(post)
    has_reports = any(report.is_open for report in item.reports)
    if is_crisis_item(item):
        offered = [Decision.FOLLOWED_UP]
        offered += [Decision.HIDE] if status == PostStatus.VISIBLE or auto_hidden else []
        return offered + ([Decision.REMOVE] if status != PostStatus.REMOVED else [])
    rules = [
        (Decision.APPROVE, auto_hidden),
        (Decision.DISMISS, has_reports and status != PostStatus.REMOVED),
        (Decision.HIDE, status == PostStatus.VISIBLE or auto_hidden),
        (Decision.RESTORE, status == PostStatus.HIDDEN and not auto_hidden),
        (Decision.RESTORE, status == PostStatus.REMOVED and moderator.is_admin),
        (Decision.REMOVE, status != PostStatus.REMOVED),
        (Decision.LABEL, not post.label and status != PostStatus.REMOVED),
        (Decision.LOCK, not post.thread.locked),
        (Decision.UNLOCK, post.thread.locked),
        (Decision.WARN, True),
        (Decision.SUSPEND, sanctionable and not author.is_suspended and not author.is_banned),
        (Decision.LIFT_SUSPENSION, author.is_suspended),
        (Decision.BAN, sanctionable and not author.is_banned),
        (Decision.UNBAN, author.is_banned),
        (Decision.PURGE_SPAMMER, sanctionable and not author.is_banned),
    ]
    return [decision for decision, applies in rules if applies]


def refusal(item: ReviewItem, decision: Decision) -> str:
    """Why ``decision`` is not offered for ``item``, in words a moderator can act on."""
    post = item.post
    if post.status == PostStatus.REMOVED and decision != Decision.RESTORE:
        return "This post was removed; removal is final."
    if decision == Decision.LOCK and post.thread.locked:
        return "This thread is already locked; choose another action."
    if post.status == PostStatus.PENDING:
        return "A held post can be approved or declined."
    return "That decision doesn't apply to this item now; choose one of those offered."
