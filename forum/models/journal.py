"""Treatment journals (issue #14): a member's journal settings, dose periods, daily entries,
the check-ins after finishing, and the community statistics computed from contributors.

The course dates themselves stay on ``User`` (``course_start``, ``course_end``,
``course_dose_mg``) because posts take their experience badge from them.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import db
from forum.models.base import utcnow
from forum.models.user import User


class JournalVisibility(StrEnum):
    PRIVATE = "private"
    MEMBERS = "members"
    EVERYONE = "everyone"


class SkinNow(StrEnum):
    CLEAR = "clear"
    FEW_SPOTS = "few_spots"
    RELAPSE = "relapse"


CHECKIN_MONTHS = (1, 3, 6, 12)
SIDE_EFFECT_SLUGS = (
    "dry_lips",
    "dry_skin",
    "dry_eyes",
    "nosebleeds",
    "joint_pain",
    "back_pain",
    "headache",
    "hair_thinning",
    "sun_sensitivity",
    "low_mood",
    "fatigue",
    "initial_breakout",
)


def _level():
    return mapped_column(SmallInteger, default=0, server_default="0")


class Journal(db.Model):
    """One a member: who may read the journal and whether it counts in the statistics."""

    __tablename__ = "journals"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    visibility: Mapped[str] = mapped_column(
        String(16), default=JournalVisibility.PRIVATE, server_default="private"
    )
    # Whether it counts in the community statistics is the member's one privacy choice,
    # ``User.contribute`` (/settings/privacy and /journal/settings both set it).
    # Kept only when the member ticks "remember"; private to them, never aggregated.
    weight_kg: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship()


class DosePeriod(db.Model):
    """From ``starts_on`` (until the next period or the end of the course), ``dose_mg`` a day."""

    __tablename__ = "journal_dose_periods"
    __table_args__ = (UniqueConstraint("user_id", "starts_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    starts_on: Mapped[date] = mapped_column(Date)
    dose_mg: Mapped[int] = mapped_column(Integer)


class JournalEntry(db.Model):
    """At most one a day: skin and mood (1–5), side effects (slug: 0–3), an optional note."""

    __tablename__ = "journal_entries"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    skin: Mapped[int] = mapped_column(Integer)
    mood: Mapped[int] = mapped_column(Integer)
    # One column a side effect (0–3), so the statistics are counted in SQL (issue #14); the
    # names follow forum/journals/side_effects.json (a test checks they agree).
    se_dry_lips: Mapped[int] = _level()
    se_dry_skin: Mapped[int] = _level()
    se_dry_eyes: Mapped[int] = _level()
    se_nosebleeds: Mapped[int] = _level()
    se_joint_pain: Mapped[int] = _level()
    se_back_pain: Mapped[int] = _level()
    se_headache: Mapped[int] = _level()
    se_hair_thinning: Mapped[int] = _level()
    se_sun_sensitivity: Mapped[int] = _level()
    se_low_mood: Mapped[int] = _level()
    se_fatigue: Mapped[int] = _level()
    se_initial_breakout: Mapped[int] = _level()
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    note_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    # A private entry stays private inside a shared journal, and is never counted.
    is_private: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship()

    @property
    def side_effects(self) -> dict[str, int]:
        """Every side effect's level, by slug, in the order of the columns."""
        return {slug: getattr(self, f"se_{slug}") or 0 for slug in SIDE_EFFECT_SLUGS}

    @side_effects.setter
    def side_effects(self, levels: dict[str, int]) -> None:
        for slug in SIDE_EFFECT_SLUGS:
            setattr(self, f"se_{slug}", levels.get(slug, 0))


class CheckIn(db.Model):
    """A check-in 1, 3, 6 or 12 months after the course ended: the row is made when it falls
    due (``reminded_at``) or when the member answers first (``answered_at``)."""

    __tablename__ = "journal_checkins"
    __table_args__ = (UniqueConstraint("user_id", "months"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    months: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    skin_now: Mapped[str | None] = mapped_column(String(16))
    side_effects: Mapped[dict] = mapped_column(JSON, default=dict)
    second_course: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    note_html: Mapped[str] = mapped_column(Text, default="", server_default="")

    user: Mapped[User] = relationship()


class JournalStat(db.Model):
    """One cell of the community statistics, written by ``flask journals aggregate``.

    ``value`` is a share (0–1) or a median; it is None when fewer than the threshold of
    members are in the cell (``n`` is then None too, so nothing smaller is published).
    """

    __tablename__ = "journal_stats"
    __table_args__ = (Index("ix_journal_stats_measure", "measure", "axis", "band", "bucket"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure: Mapped[str] = mapped_column(String(40))  # a side-effect slug, skin, mood, ...
    axis: Mapped[str] = mapped_column(String(16))  # "month" on treatment, "after" finishing
    band: Mapped[str] = mapped_column(String(16), default="", server_default="")  # "" = all
    bucket: Mapped[int] = mapped_column(Integer)  # treatment month, or months after
    value: Mapped[float | None] = mapped_column(Float)
    n: Mapped[int | None] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
