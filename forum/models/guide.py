from datetime import date, datetime

from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.base import utcnow
from forum.models.tag import Tag
from forum.models.user import User

guide_article_tags = Table(
    "guide_article_tags",
    db.metadata,
    Column("article_id", ForeignKey("guide_articles.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class GuideArticle(db.Model):
    __tablename__ = "guide_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(150))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # When the text last changed, and the editors' names the article page shows (issue #11):
    # who wrote it (the file's ``author``) and who last updated it (that author for a load,
    # the admin for an edit in the browser).
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    written_by: Mapped[str | None] = mapped_column(String(120))
    updated_by: Mapped[str | None] = mapped_column(String(120))
    last_reviewed_on: Mapped[date | None] = mapped_column(Date)
    # Null until an admin names the clinician who reviewed the article.
    reviewed_by: Mapped[str | None] = mapped_column(String(120))
    # SHA-256 of the shipped file at the last load: a load changes the article only when
    # the file changed since then.
    file_hash: Mapped[str | None] = mapped_column(String(64))

    tags: Mapped[list[Tag]] = relationship(secondary=guide_article_tags, order_by=Tag.sort_order)

    @property
    def reviewer_label(self) -> str:
        return self.reviewed_by or "not yet reviewed by a clinician"


class GuideRevision(db.Model):
    __tablename__ = "guide_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("guide_articles.id", ondelete="CASCADE"), index=True
    )
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16), default="file")  # "file" or "web"
    title: Mapped[str] = mapped_column(String(150))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    editor: Mapped[User | None] = relationship()
