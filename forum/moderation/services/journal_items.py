"""A crisis note in a shared treatment journal, as a review item (issue #14).

A journal entry is not a post: it has no thread, no reports and no public status, so its
item offers two decisions, not the post's list. ``followed_up`` records how the moderator
followed it up (reached out, resources shown, nothing needed); ``hide`` makes the entry
private, so it stays in the member's journal but nobody else reads it. Both resolve the
item and are logged as safety actions (the public log names no target); a resolved item
can be reopened. The moderator reads the note only while the journal rule lets them: a
member who made their journal private since keeps it private, and the item says so.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forum.errors import ForumError, InvalidAction, NotFound, PermissionDenied
from forum.extensions import db
from forum.models import (
    ItemStatus,
    Journal,
    JournalEntry,
    ModAction,
    ModerationAction,
    ReviewItem,
    Role,
    User,
    utcnow,
)
from forum.models.moderation import Decision, FollowUp
from forum.moderation import labels
from forum.moderation.services.audit import log_action
from forum.moderation.services.notes import notes_about
from forum.moderation.services.queue import claim_is_active, open_decision
from forum.notifications.services import Kind, notify
from forum.permissions import require_role
from forum.visibility.journals import can_see_journal_entry

PENDING_DECISIONS = (Decision.FOLLOWED_UP, Decision.HIDE)


@dataclass
class JournalItemDetail:
    item: ReviewItem
    entry: JournalEntry
    member: User
    readable: bool  # whether the journal rule lets this moderator read the note now
    offered: list[Decision]
    item_actions: list[ModerationAction]
    notes: list
    claim_active: bool


def is_journal_item(item: ReviewItem) -> bool:
    return item.journal_entry_id is not None


def offered_journal_decisions(item: ReviewItem, moderator: User) -> list[Decision]:
    if item.status != ItemStatus.PENDING:
        return [Decision.REOPEN]
    if item.journal_entry.is_private:
        return [Decision.FOLLOWED_UP]  # already out of others' sight
    return list(PENDING_DECISIONS)


def _journal_of(user_id: int) -> Journal | None:
    return db.session.scalar(select(Journal).where(Journal.user_id == user_id))


def journal_item_detail(item: ReviewItem, moderator: User) -> JournalItemDetail:
    require_role(moderator, Role.MODERATOR)
    entry = db.session.scalar(
        select(JournalEntry)
        .where(JournalEntry.id == item.journal_entry_id)
        .options(joinedload(JournalEntry.user))
    )
    if entry is None:
        raise NotFound("There is no such review item.")
    actions = db.session.scalars(
        select(ModerationAction)
        .where(ModerationAction.item_id == item.id)
        .options(joinedload(ModerationAction.moderator))
        .order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc())
    )
    return JournalItemDetail(
        item=item,
        entry=entry,
        member=entry.user,
        readable=can_see_journal_entry(entry, _journal_of(entry.user_id), moderator),
        offered=offered_journal_decisions(item, moderator),
        item_actions=list(actions),
        notes=notes_about(entry.user, moderator),
        claim_active=claim_is_active(item),
    )


def act_on_journal_item(
    item: ReviewItem,
    moderator: User,
    action: str,
    reason: str,
    *,
    follow_up: str | None = None,
    now: datetime | None = None,
) -> None:
    """Decide a journal crisis item (see the module docstring).

    Raises PermissionDenied (403) for non-moderators and for the moderator's own journal;
    InvalidAction (409) when the item is resolved, claimed by someone else, or the decision
    is not offered; ForumError (422) for an unknown action, a missing follow-up, or a
    missing reason for ``hide`` (the member is told it).
    """
    require_role(moderator, Role.MODERATOR)
    now = now or utcnow()
    decision = open_decision(item, moderator, action, now)
    entry = item.journal_entry
    if entry.user_id == moderator.id:
        raise PermissionDenied(
            "You can't decide on your own journal; leave it to another moderator."
        )
    if decision not in offered_journal_decisions(item, moderator):
        raise InvalidAction("That decision doesn't apply to this journal note now.")
    reason = (reason or "").strip()
    member = entry.user

    def log(act: ModAction, detail: str | None = None) -> None:
        log_action(moderator, act, user=member, item=item, reason=reason, detail=detail)

    if decision == Decision.REOPEN:
        item.status = ItemStatus.PENDING
        item.resolved_by_id = item.resolved_at = item.outcome = None
        item.claimed_by_id, item.claimed_at = moderator.id, now
        log(ModAction.ITEM_REOPEN)
        db.session.flush()
        return
    if decision == Decision.FOLLOWED_UP:
        try:
            outcome = FollowUp(follow_up or "")
        except ValueError:
            raise ForumError("Say how you followed it up.", status=422) from None
        log(ModAction.ITEM_FOLLOW_UP, labels.FOLLOW_UP_LABELS[outcome])
    else:
        if not reason:
            raise ForumError("Give a reason: the member sees it.", status=422)
        entry.is_private = True
        log(ModAction.JOURNAL_HIDE)
        notify(
            member,
            Kind.JOURNAL_HIDDEN,
            labels.NOTICE_JOURNAL_HIDDEN.format(day=entry.day.isoformat(), reason=reason),
        )
    item.status = ItemStatus.RESOLVED
    item.resolved_by_id, item.resolved_at, item.outcome = moderator.id, now, str(decision)
    db.session.flush()
