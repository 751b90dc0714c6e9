from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.base import utcnow
from forum.models.thread import Post, Thread
from forum.models.user import User


class ReportReason(StrEnum):
    CRISIS = "crisis"
    MISINFORMATION = "misinformation"
    HARASSMENT = "harassment"
    SPAM = "spam"
    SOURCING = "sourcing"
    PERSONAL_INFO = "personal_info"
    OTHER = "other"


REPORT_REASON_LABELS = {
    ReportReason.CRISIS: "Crisis or self-harm",
    ReportReason.MISINFORMATION: "Medical misinformation",
    ReportReason.HARASSMENT: "Harassment",
    ReportReason.SPAM: "Spam",
    ReportReason.SOURCING: "Selling or sourcing the drug, or getting round pregnancy prevention",
    ReportReason.PERSONAL_INFO: "Personal information",
    ReportReason.OTHER: "Something else",
}


class ItemStatus(StrEnum):
    PENDING = "pending"
    RESOLVED = "resolved"


class ModAction(StrEnum):
    """Moderator actions, as ``subject:action``."""

    POST_APPROVE = "post:approve"
    POST_HIDE = "post:hide"
    POST_REMOVE = "post:remove"
    POST_LABEL = "post:label"
    THREAD_LOCK = "thread:lock"
    THREAD_UNLOCK = "thread:unlock"
    USER_WARN = "user:warn"
    USER_SUSPEND = "user:suspend"
    USER_BAN = "user:ban"
    USER_ROLE = "user:role"
    USER_DELETE = "user:delete"
    # Issue #16: undoing, declining, safety follow-ups, reopening and appeals.
    POST_DECLINE = "post:decline"
    POST_RESTORE = "post:restore"
    USER_UNSUSPEND = "user:unsuspend"
    USER_UNBAN = "user:unban"
    ITEM_REOPEN = "item:reopen"
    ITEM_FOLLOW_UP = "item:followed_up"
    APPEAL_UPHELD = "appeal:upheld"
    APPEAL_GRANTED = "appeal:granted"
    # Issue #14: a crisis note in a shared journal made private by a moderator.
    JOURNAL_HIDE = "journal:hide"
    # Issue #15: one photo taken off a post that stays.
    PHOTO_REMOVE = "photo:remove"


class Decision(StrEnum):
    """What a moderator decides about a review item (the ``action`` field, kept as
    ``ReviewItem.outcome``)."""

    APPROVE = "approve"
    DISMISS = "dismiss"
    HIDE = "hide"
    REMOVE = "remove"
    LABEL = "label"
    LOCK = "lock"
    WARN = "warn"
    SUSPEND = "suspend"
    BAN = "ban"
    # Issue #16.
    DECLINE = "decline"
    UNLOCK = "unlock"
    LIFT_SUSPENSION = "lift_suspension"
    UNBAN = "unban"
    RESTORE = "restore"
    REOPEN = "reopen"
    FOLLOWED_UP = "followed_up"
    PURGE_SPAMMER = "purge_spammer"


class FollowUp(StrEnum):
    """How a moderator followed up a crisis item (the ``follow_up`` field)."""

    REACHED_OUT = "reached_out"
    RESOURCES_SHOWN = "resources_shown"
    NO_ACTION = "no_action"


class AppealStatus(StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"  # the decision stands
    GRANTED = "granted"  # the decision is undone


class HoldReason(StrEnum):
    """Why a held post waits for a moderator (``ReviewItem.held_reason``)."""

    NEW_MEMBER = "new_member"
    LINKS = "links"


class Report(db.Model):
    __tablename__ = "reports"
    __table_args__ = (
        # One open report per member per post; reporting again updates it.
        Index(
            "uq_reports_open_per_reporter",
            "post_id",
            "reporter_id",
            unique=True,
            sqlite_where=text("is_open"),
            postgresql_where=text("is_open"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    # None once the reporter deleted their account: the report keeps its reason (#13).
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_items.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    # The post's text when reported, so a later edit cannot hide what was reported.
    snapshot: Mapped[str] = mapped_column(Text, default="")
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    post: Mapped[Post] = relationship()
    reporter: Mapped[User | None] = relationship()


class ItemKind(StrEnum):
    """What a review item is about: a post, or a member's message to the moderators."""

    POST = "post"
    CONTACT = "contact"


class ReviewItem(db.Model):
    """One post that needs a moderator's decision (reported, held, or matched as a
    crisis), or a member's message through /contact (issue #13: ``kind`` "contact", no
    post, the message in ``body`` and the moderators' answer in ``answer``)."""

    __tablename__ = "review_items"
    __table_args__ = (
        Index(
            "uq_review_items_pending_post",
            "post_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_review_items_queue", "status", "severity", "reporter_count", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default=ItemKind.POST, server_default="post")
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    # A contact item: who wrote, what, and the answer they were sent.
    sender_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str | None] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    # A shared journal entry whose note matched a crisis phrase (issue #14).
    journal_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=ItemStatus.PENDING)
    is_held: Mapped[bool] = mapped_column(Boolean, default=False)
    is_crisis: Mapped[bool] = mapped_column(Boolean, default=False)
    # 3 crisis, 2 misinformation or harassment, 1 any other report, 0 held only.
    severity: Mapped[int] = mapped_column(Integer, default=0)
    reporter_count: Mapped[int] = mapped_column(Integer, default=0)
    # Why a held post waits ("new_member" or "links"), and the crisis phrase that matched, so
    # the moderator sees the cause without rerunning the checks (issue #4).
    held_reason: Mapped[str | None] = mapped_column(String(32))
    crisis_phrase: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    outcome: Mapped[str | None] = mapped_column(String(32))
    # Issue #16: the open reports weighed by each reporter's accuracy, in hundredths (a
    # reporter with a good record counts 100), so the queue orders by it after severity.
    score: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    post: Mapped[Post | None] = relationship()
    sender: Mapped[User | None] = relationship(foreign_keys=[sender_id])
    journal_entry: Mapped["JournalEntry | None"] = relationship()  # noqa: F821 (forum.models.journal)
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
    reports: Mapped[list[Report]] = relationship(order_by=Report.created_at, viewonly=True)


class ModerationAction(db.Model):
    """The audit log: appended by moderation.services.log_action, never edited or deleted
    (the ORM refuses both, below)."""

    __tablename__ = "moderation_actions"
    __table_args__ = (
        Index("ix_moderation_actions_created", "created_at", "id"),
        # The first decision on each item (issue #16, /mod/stats).
        Index("ix_moderation_actions_item", "item_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    target_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    target_thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="SET NULL")
    )
    target_post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("review_items.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str | None] = mapped_column(String(120))
    # Crisis cases show in the public log only as "safety action", with no target.
    is_safety: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    moderator: Mapped[User | None] = relationship(foreign_keys=[moderator_id])
    target_user: Mapped[User | None] = relationship(foreign_keys=[target_user_id])
    target_thread: Mapped[Thread | None] = relationship(foreign_keys=[target_thread_id])
    target_post: Mapped[Post | None] = relationship(foreign_keys=[target_post_id])


class Appeal(db.Model):
    """A member asking the moderators to look again at one decision about them (issue #16):
    one per logged decision, decided by another moderator than the one who acted."""

    __tablename__ = "appeals"
    __table_args__ = (Index("ix_appeals_status", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(
        ForeignKey("moderation_actions.id", ondelete="CASCADE"), unique=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=AppealStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)

    action: Mapped[ModerationAction] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class MemberNote(db.Model):
    """What moderators note about a member, for moderators only (issue #16)."""

    __tablename__ = "member_notes"
    __table_args__ = (Index("ix_member_notes_user", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])


@event.listens_for(ModerationAction, "before_update")
@event.listens_for(ModerationAction, "before_delete")
def _refuse_change(_mapper, _connection, _target) -> None:
    raise RuntimeError("The moderation log is append-only: entries are never edited or deleted.")
