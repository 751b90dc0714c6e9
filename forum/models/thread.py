import re
from datetime import datetime
from enum import StrEnum
from types import SimpleNamespace
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.base import utcnow
from forum.models.tag import Tag, thread_tags
from forum.models.user import User

if TYPE_CHECKING:
    from forum.models.guide import GuideArticle


class Stage(StrEnum):
    CONSIDERING = "considering"
    ON_TREATMENT = "on_treatment"
    FINISHED = "finished"


STAGE_LABELS = {
    Stage.CONSIDERING: "Considering",
    Stage.ON_TREATMENT: "On treatment",
    Stage.FINISHED: "Finished",
}


class PostStatus(StrEnum):
    VISIBLE = "visible"
    PENDING = "pending"  # held for a moderator's approval
    HIDDEN = "hidden"
    REMOVED = "removed"


class Audience(StrEnum):
    """Who reads a thread in full (issue #13): everyone, or signed-in members only."""

    EVERYONE = "everyone"
    MEMBERS = "members"


AUDIENCE_LABELS = {
    Audience.EVERYONE: "Everyone",
    Audience.MEMBERS: "Members only (signed-out visitors see the title and the first lines)",
}

DETAIL_COLUMNS = ("stage", "treatment_month", "months_since", "daily_dose_mg")


class ExperienceDetails:
    """The comparable details shared by threads and post snapshots."""

    stage: Mapped[str | None] = mapped_column(String(16))
    treatment_month: Mapped[int | None] = mapped_column(SmallInteger)
    months_since: Mapped[int | None] = mapped_column(SmallInteger)
    daily_dose_mg: Mapped[int | None] = mapped_column(SmallInteger)

    @property
    def badge(self) -> str:
        """ "Month 3 · 40 mg/day", "8 months after" or ""."""
        parts = []
        if self.treatment_month is not None:
            parts.append(f"Month {self.treatment_month}")
        if self.months_since is not None:
            unit = "month" if self.months_since == 1 else "months"
            parts.append(f"{self.months_since} {unit} after")
        elif self.stage == Stage.FINISHED and self.treatment_month is None:
            parts.append("Finished")
        elif self.stage == Stage.CONSIDERING:
            parts.append("Considering")
        elif self.stage == Stage.ON_TREATMENT and self.treatment_month is None:
            parts.append("On treatment")
        if self.daily_dose_mg is not None:
            parts.append(f"{self.daily_dose_mg} mg/day")
        return " · ".join(parts)


class Thread(ExperienceDetails, db.Model):
    __tablename__ = "threads"
    __table_args__ = (
        Index("ix_threads_status_activity", "status", "last_activity_at", "id"),
        Index("ix_threads_status_created", "status", "created_at", "id"),
        Index("ix_threads_status_helpful", "status", "helpful_count", "id"),
        Index("ix_threads_author", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(150))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    reply_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # How many top-level replies were ever numbered, deleted ones included: the next one is
    # number top_level_count + 1. Kept here rather than in the opening post's child_count
    # (which stays 0), so one UPDATE numbers a reply and counts it (issue #17).
    top_level_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Helpful marks on the opening post, copied here so sort=top is one indexed scan.
    helpful_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Mirrors the opening post: hiding or removing it hides the whole thread.
    status: Mapped[str] = mapped_column(String(16), default=PostStatus.VISIBLE)
    locked: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Members-only threads (issue #13); ``members_since`` is when it last became members
    # only, so going public again can say how many replies were written meanwhile.
    visibility: Mapped[str] = mapped_column(
        String(16), default=Audience.EVERYONE, server_default="everyone"
    )
    members_since: Mapped[datetime | None] = mapped_column(DateTime)

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    tags: Mapped[list[Tag]] = relationship(secondary=thread_tags, order_by=Tag.sort_order)

    # Set by the thread services on a thread just started (a plain attribute, not a column):
    # what the safety checks found in its title and text (threads.services.Screening).
    screening = None

    @property
    def slug(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-")
        return slug[:80].rstrip("-") or "thread"

    @property
    def is_visible(self) -> bool:
        return self.status == PostStatus.VISIBLE

    @property
    def members_only(self) -> bool:
        return self.visibility == Audience.MEMBERS

    def __repr__(self) -> str:
        return f"<Thread {self.id}>"


class Post(ExperienceDetails, db.Model):
    """One node of a thread's reply tree; the opening post has no parent.

    ``path`` is a materialised path: one fixed-width segment per ancestor, each the node's
    ordinal among its siblings, so ``ORDER BY path`` is a depth-first walk in reply order.
    ``branch`` is the ordinal of the top-level reply the node sits under (0 for the opening
    post), so one page of a thread is ``branch BETWEEN a AND b`` on an index.
    """

    __tablename__ = "posts"
    __table_args__ = (
        Index("ix_posts_thread_branch", "thread_id", "branch"),
        Index("ix_posts_author_created", "author_id", "created_at"),
        # The few threads whose opening post was deleted. Every thread list asks of each row
        # whether its opening post was deleted; at 1,000,000 posts PostgreSQL answered that
        # by hashing every opening post (250 ms a members' list page) until this index gave
        # it the answer from a handful of rows (issue #17).
        Index(
            "ix_posts_deleted_opening",
            "thread_id",
            sqlite_where=text("parent_id IS NULL AND deleted_at IS NOT NULL"),
            postgresql_where=text("parent_id IS NULL AND deleted_at IS NOT NULL"),
        ),
        # The posts whose fan-out job is still to be made: none, or the few just written.
        Index(
            "ix_posts_fanout_due",
            "id",
            sqlite_where=text("fanout_due"),
            postgresql_where=text("fanout_due"),
        ),
        UniqueConstraint("author_id", "nonce", name="uq_posts_author_nonce"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default=PostStatus.VISIBLE)
    status_reason: Mapped[str | None] = mapped_column(Text)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    path: Mapped[str] = mapped_column(Text, default="")
    branch: Mapped[int] = mapped_column(Integer, default=0)
    # Children ever numbered under this post; 0 on an opening post, whose replies the thread
    # numbers (``Thread.top_level_count``).
    child_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    helpful_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A moderator's label such as "misinformation", with the guide article it points to.
    label: Mapped[str | None] = mapped_column(String(32))
    label_article_id: Mapped[int | None] = mapped_column(
        ForeignKey("guide_articles.id", ondelete="SET NULL")
    )
    # A per-form random value: a double-submitted form inserts one post (issue #6).
    nonce: Mapped[str | None] = mapped_column(String(64))
    # How many photos it carries (issue #15): a page asks for photos only when one has some.
    photo_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Its notifications are owed and no fan-out job runs them yet: set in the post's INSERT,
    # cleared when its job is made (``forum.notifications.fanout``), so writing a post costs
    # no statement for them (issue #17).
    fanout_due: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    thread: Mapped[Thread] = relationship(foreign_keys=[thread_id])
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    # The guide article a label points to, while it is published; the thread page loads it
    # in the same query as the posts.
    label_article: Mapped["GuideArticle | None"] = relationship(
        primaryjoin="and_(Post.label_article_id == GuideArticle.id, GuideArticle.published)",
        viewonly=True,
    )

    # Set by the thread services on a post just written or edited (not a column): what the
    # safety checks found in its text (threads.services.Screening).
    screening = None

    @property
    def is_opening(self) -> bool:
        return self.parent_id is None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def __repr__(self) -> str:
        return f"<Post {self.id} of thread {self.thread_id}>"


class PostRevision(db.Model):
    """The text a post had before an edit."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str | None] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    # An opening post's edit that changed the thread's topics or experience details keeps
    # the earlier ones (issue #11): {"tags": [{"slug", "name"}], "stage", "treatment_month",
    # "months_since", "daily_dose_mg"}; null when they did not change.
    details: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    editor: Mapped[User | None] = relationship()

    @property
    def tag_names(self) -> list[str]:
        return [tag["name"] for tag in (self.details or {}).get("tags", [])]

    @property
    def details_badge(self) -> str:
        """The badge the earlier details made ("" when there was none)."""
        values = {name: (self.details or {}).get(name) for name in DETAIL_COLUMNS}
        return ExperienceDetails.badge.fget(SimpleNamespace(**values))


class HelpfulMark(db.Model):
    __tablename__ = "helpful_marks"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
