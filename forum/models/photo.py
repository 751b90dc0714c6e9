"""Progress photos (issue #15): one row per uploaded photo, the files named by ``key``.

The original bytes are never kept: a row stands for two re-encoded files (the display size
and the thumbnail) stored under ``key`` by ``forum/photos/storage.py``. A photo belongs to
a post or to a journal entry, and its author chose who may see it (``PhotoVisibility``),
never more than may see what it belongs to (``forum/visibility/photos.py``).
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db
from forum.models.base import utcnow


class PhotoVisibility(StrEnum):
    PRIVATE = "private"
    MEMBERS = "members"
    EVERYONE = "everyone"


PHOTO_VISIBILITY_LABELS = {
    PhotoVisibility.PRIVATE: "Only me",
    PhotoVisibility.MEMBERS: "Signed-in members",
    PhotoVisibility.EVERYONE: "Everyone who can read the post",
}


class Photo(db.Model):
    __tablename__ = "photos"
    __table_args__ = (
        Index("ix_photos_post_id", "post_id"),
        Index("ix_photos_journal_entry_id", "journal_entry_id"),
        Index("ix_photos_author_created", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A random id, the files' only name: nothing the member typed or sent names a file.
    key: Mapped[str] = mapped_column(String(32), unique=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    journal_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="CASCADE")
    )
    visibility: Mapped[str] = mapped_column(String(16), default=PhotoVisibility.PRIVATE)
    format: Mapped[str] = mapped_column(String(8))  # "webp" or "jpeg": the files' format
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)  # order within its post
    # The day the photo was taken (from its EXIF, which is not kept) or else sent: shown
    # under a before/after pair.
    taken_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def extension(self) -> str:
        return "jpg" if self.format == "jpeg" else self.format

    @property
    def mimetype(self) -> str:
        return f"image/{self.format}"
