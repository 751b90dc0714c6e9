"""What brings a member back (issue #12): watched threads, followed tags, bookmarks, mail
preferences, the pending fan-out of a new post, and the leases of periodic tasks."""

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.base import utcnow
from forum.models.tag import Tag
from forum.models.thread import Post, Thread


class ThreadWatch(db.Model):
    """A member hears of every new reply in this thread."""

    __tablename__ = "thread_watches"
    __table_args__ = (Index("ix_thread_watches_thread_user", "thread_id", "user_id"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    thread: Mapped[Thread] = relationship()


class TagFollow(db.Model):
    """A member hears of every new thread in this topic."""

    __tablename__ = "tag_follows"
    __table_args__ = (Index("ix_tag_follows_tag_user", "tag_id", "user_id"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    tag: Mapped[Tag] = relationship()


class Bookmark(db.Model):
    """A post (an opening post stands for its thread) a member saved for later."""

    __tablename__ = "bookmarks"
    __table_args__ = (UniqueConstraint("user_id", "post_id", name="uq_bookmarks_user_post"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    post: Mapped[Post] = relationship()


class NotificationPrefs(db.Model):
    """A member's choices at /settings/notifications; no row means the defaults."""

    __tablename__ = "notification_prefs"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # Per kind: "off", "each" or "digest". Nothing is mailed unless the member asks.
    email_reply: Mapped[str] = mapped_column(String(8), default="off", server_default="off")
    email_watched: Mapped[str] = mapped_column(String(8), default="off", server_default="off")
    email_mention: Mapped[str] = mapped_column(String(8), default="off", server_default="off")
    email_moderation: Mapped[str] = mapped_column(String(8), default="off", server_default="off")
    email_checkin: Mapped[str] = mapped_column(String(8), default="off", server_default="off")
    auto_watch: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    include_excerpts: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class FanoutJob(db.Model):
    """The notifications a new post owes, delivered after the response (issue #12).

    The request inserts this one row; ``forum.notifications.fanout`` claims it, tells the
    recipients in batches ordered by user id and records the last one done in ``cursor``
    in the same transaction as their notifications, so a crash resumes where it stopped
    and nobody is told twice.
    """

    __tablename__ = "fanout_jobs"
    __table_args__ = (Index("ix_fanout_jobs_pending", "done_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    cursor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    # "sent", or "skipped" when the post was not public when its turn came: approving it
    # later sets the job going again.
    outcome: Mapped[str | None] = mapped_column(String(16))
    notified: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class JobLease(db.Model):
    """One periodic task of ``flask jobs run``: who runs it now, and when it last ran."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(32))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
