"""Taking a decision back, following up a crisis, and purging a spammer (issue #16): the
handlers ``decisions.HANDLERS`` adds to the first round's.

Each takes back one thing, with the moderator's reason, logs it and tells the member.
Removal stays final for readers: only an admin may restore a removed post (logged).
"""

from sqlalchemy import select

from forum.errors import ForumError, InvalidAction, PermissionDenied
from forum.extensions import db
from forum.models import ItemStatus, ModAction, Post, PostStatus, ReviewItem, UserStatus
from forum.models.moderation import Decision, FollowUp
from forum.moderation import labels
from forum.moderation.services.case import Case, ban, check_can_sanction, restore_auto_hidden
from forum.moderation.services.items import set_status
from forum.notifications.services import Kind, notify


def unlock(case: Case) -> None:
    case.post.thread.locked = False
    restore_auto_hidden(case)
    case.log(ModAction.THREAD_UNLOCK)
    case.tell_author(Kind.UNDONE, labels.NOTICE_UNLOCKED)


def _reactivate(case: Case, action: ModAction, notice: str) -> None:
    author = case.author
    author.status = UserStatus.ACTIVE
    author.suspended_until = None
    author.status_reason = None
    restore_auto_hidden(case)
    case.log(action)
    case.tell_author(Kind.UNDONE, notice, with_post=False)


def lift_suspension(case: Case) -> None:
    _reactivate(case, ModAction.USER_UNSUSPEND, labels.NOTICE_UNSUSPENDED)


def unban(case: Case) -> None:
    _reactivate(case, ModAction.USER_UNBAN, labels.NOTICE_UNBANNED)


def restore(case: Case) -> None:
    """Put a hidden post back for readers; a removed one only on an admin's word."""
    post = case.post
    if post.status == PostStatus.REMOVED and not case.moderator.is_admin:
        raise PermissionDenied("Removal is final: only an admin can restore a removed post.")
    set_status(post, PostStatus.VISIBLE, None)
    case.log(ModAction.POST_RESTORE)
    case.tell_author(Kind.UNDONE, labels.NOTICE_RESTORED)


def reopen(case: Case) -> None:
    """Put a resolved item back in the queue (the post's only pending item)."""
    item = case.item
    other = db.session.scalar(
        select(ReviewItem.id).where(
            ReviewItem.post_id == item.post_id,
            ReviewItem.status == ItemStatus.PENDING,
            ReviewItem.id != item.id,
        )
    )
    if other is not None:
        raise InvalidAction(f"This post is already in the queue as item {other}.")
    item.status = ItemStatus.PENDING
    item.resolved_by_id = item.resolved_at = item.outcome = None
    item.claimed_by_id, item.claimed_at = case.moderator.id, case.now
    case.log(ModAction.ITEM_REOPEN)
    case.tell_author(Kind.REOPENED, labels.NOTICE_REOPENED)


def followed_up(case: Case) -> None:
    """A crisis item: how the moderator followed it up (logged only as a safety action)."""
    try:
        outcome = FollowUp(case.follow_up or "")
    except ValueError:
        raise ForumError("Say how you followed it up.", status=422) from None
    restore_auto_hidden(case)
    case.log(ModAction.ITEM_FOLLOW_UP, detail=labels.FOLLOW_UP_LABELS[outcome])


def purge_spammer(case: Case) -> None:
    """Remove every post of the author and ban them: one log entry per post, shown as one
    line of the public log; the author's other pending items are resolved too."""
    check_can_sanction(case.moderator, case.author)
    posts = db.session.scalars(
        select(Post).where(
            Post.author_id == case.author.id,
            Post.status != PostStatus.REMOVED,
            Post.deleted_at.is_(None),
        )
    )
    for post in posts:
        set_status(post, PostStatus.REMOVED, case.reason)
        case.log(ModAction.POST_REMOVE, detail=labels.DETAIL_PURGE, post=post)
    others = db.session.scalars(
        select(ReviewItem)
        .join(Post, Post.id == ReviewItem.post_id)
        .where(
            Post.author_id == case.author.id,
            ReviewItem.status == ItemStatus.PENDING,
            ReviewItem.id != case.item.id,
        )
    )
    for other in others:
        other.status = ItemStatus.RESOLVED
        other.resolved_by_id = case.moderator.id
        other.resolved_at = case.now
        other.outcome = str(Decision.PURGE_SPAMMER)
    ban(case, detail=labels.DETAIL_PURGE)
    text = labels.NOTICE_PURGED.format(reason=case.reason)
    notify(case.author, Kind.BAN, text, action_id=case.last_action_id)
