from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db
from forum.models.base import utcnow


class ExportStatus(StrEnum):
    PENDING = "pending"
    READY = "ready"


class DataExport(db.Model):
    """A member's "download my data" archive (issue #13).

    Small accounts get the zip in the response and no row; a large account's archive is
    built by ``flask data exports``, kept here (so any worker can serve it) and dropped
    once it expires.
    """

    __tablename__ = "data_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=ExportStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ready_at: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    size: Mapped[int | None] = mapped_column(Integer)
    archive: Mapped[bytes | None] = mapped_column(LargeBinary)

    @property
    def is_ready(self) -> bool:
        return self.status == ExportStatus.READY and self.archive is not None
