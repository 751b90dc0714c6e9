"""The experience details that make stories comparable: stage, treatment month or months
since finishing, daily dose (issue #3)."""

from dataclasses import asdict, dataclass
from datetime import date

from forum.models import Stage, User, utcnow


@dataclass(frozen=True)
class Experience:
    """The comparable details of a story: stage, treatment month or months since, dose."""

    stage: str | None = None
    treatment_month: int | None = None
    months_since: int | None = None
    daily_dose_mg: int | None = None

    def __bool__(self) -> bool:
        return any(value is not None for value in asdict(self).values())

    def columns(self) -> dict:
        return asdict(self)


def whole_months_between(start: date, end: date) -> int:
    """Completed calendar months from ``start`` to ``end`` (0 if ``end`` is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(0, months)


def experience_snapshot(user: User, today: date | None = None) -> Experience:
    """The member's treatment course (from settings) as it stands ``today``."""
    today = today or utcnow().date()
    start, end = user.course_start, user.course_end
    if start is None:
        return Experience()
    if start > today:
        return Experience(stage=Stage.CONSIDERING)
    if end is not None and end <= today:
        return Experience(stage=Stage.FINISHED, months_since=whole_months_between(end, today))
    return Experience(
        stage=Stage.ON_TREATMENT,
        treatment_month=whole_months_between(start, today) + 1,
        daily_dose_mg=user.course_dose_mg,
    )


def explicit_experience(
    stage: str | None = None,
    treatment_month: int | None = None,
    months_since: int | None = None,
    daily_dose_mg: int | None = None,
) -> Experience:
    """Details typed on a new thread; the stage follows from a month when it was left out."""
    if not stage:
        if treatment_month is not None:
            stage = Stage.ON_TREATMENT
        elif months_since is not None:
            stage = Stage.FINISHED
    return Experience(stage or None, treatment_month, months_since, daily_dose_mg)
