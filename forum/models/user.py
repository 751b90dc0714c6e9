from datetime import date, datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.base import utcnow


class Role(StrEnum):
    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"


ROLE_RANK = {Role.MEMBER: 0, Role.MODERATOR: 1, Role.ADMIN: 2}


# The account that keeps the posts of deleted members ("former member", issue #13). Its
# name cannot be registered (brackets are not allowed) and its password hash matches
# no password.
FORMER_MEMBER_USERNAME = "[former member]"


class UserStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    BANNED = "banned"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(30), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER, server_default="member")
    status: Mapped[str] = mapped_column(
        String(16), default=UserStatus.ACTIVE, server_default="active"
    )
    status_reason: Mapped[str | None] = mapped_column(Text)
    suspended_until: Mapped[datetime | None] = mapped_column(DateTime)
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Every emailed link carries this number; raising it cancels them all (issue #9).
    token_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    guidelines_version: Mapped[str | None] = mapped_column(String(20))
    privacy_version: Mapped[str | None] = mapped_column(String(20))
    terms_accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The member's treatment course (issue #3): private, shown only as badges on posts.
    course_start: Mapped[date | None] = mapped_column(Date)
    course_dose_mg: Mapped[int | None] = mapped_column(Integer)
    course_end: Mapped[date | None] = mapped_column(Date)
    # Profile privacy (issue #13): hide the reply list from others, ask search engines not
    # to index the profile and the member's threads, and the journal statistics preference.
    hide_replies: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    noindex: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    contribute: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # A deletion the member asked for (issue #13): "keep" or "erase", done by
    # ``flask data purge`` once ``deletion_due_at`` has passed; logging in cancels it.
    deletion_mode: Mapped[str | None] = mapped_column(String(8))
    deletion_requested_at: Mapped[datetime | None] = mapped_column(DateTime)
    deletion_due_at: Mapped[datetime | None] = mapped_column(DateTime)

    sessions: Mapped[list["UserSession"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    # Read only where it was loaded with the author (the thread page's posts link a shared
    # journal, issue #14); anywhere else it would be a query per member, so it refuses.
    journal: Mapped["Journal | None"] = relationship(  # noqa: F821 (forum.models.journal)
        viewonly=True, uselist=False, lazy="raise_on_sql"
    )

    # Set by the user loader for the request's signed-in user (plain attributes, not columns).
    session_token = None  # the token of the session this request belongs to
    current_session = None  # that session's row
    unread_count = 0  # unread notifications, loaded in the same query
    queue_waiting = 0  # moderators: pending review items, loaded in the same query
    queue_crisis = 0  # of which crisis items

    def get_id(self) -> str | None:
        # Flask-Login keeps this value in the cookie: the server-side session token, not the
        # user id, so ending the session row ends every copy of the cookie.
        return self.session_token

    @property
    def is_former_member(self) -> bool:
        """The one account that stands for every deleted member (forum.data.deletion)."""
        return self.username == FORMER_MEMBER_USERNAME

    @property
    def deletion_pending(self) -> bool:
        return self.deletion_due_at is not None

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_banned(self) -> bool:
        return self.status == UserStatus.BANNED

    @property
    def is_suspended(self) -> bool:
        return (
            self.status == UserStatus.SUSPENDED
            and self.suspended_until is not None
            and self.suspended_until > utcnow()
        )

    @property
    def is_moderator(self) -> bool:
        return ROLE_RANK.get(Role(self.role), 0) >= ROLE_RANK[Role.MODERATOR]

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def has_role(self, role: Role) -> bool:
        return ROLE_RANK.get(Role(self.role), 0) >= ROLE_RANK[role]

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class UserSession(db.Model):
    """One login: the cookie carries a random token whose SHA-256 is stored here."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    browser: Mapped[str] = mapped_column(String(60), default="Unknown browser")
    remember: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship(back_populates="sessions")


class Notification(db.Model):
    """A line in a member's inbox at /notifications (issue #4)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    # What it is about, by id: links are built from the route map when shown (issue #10).
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="SET NULL"))
    # The logged decision a moderation notice tells of, so it can be appealed (issue #16).
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderation_actions.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    # One line per thread and kind until read: "3 new replies in ..." (issue #12).
    count: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Waiting for the member's daily digest mail.
    digest_due: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class UsernameTombstone(db.Model):
    """The lower-cased name of a deleted account, so it is never registered again (#13).

    The only trace a purged account leaves: no id, no address. ``was_banned`` and
    ``ban_reason`` are kept for a banned account, since moderation needs to know that
    the name belonged to someone banned.
    """

    __tablename__ = "username_tombstones"

    username: Mapped[str] = mapped_column(String(30), primary_key=True)
    deleted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    was_banned: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    ban_reason: Mapped[str | None] = mapped_column(Text)
