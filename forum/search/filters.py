"""The experience filters of a search (issue #11): daily-dose band and month range.

Plain SQL over ``search_documents d``, the same on SQLite and PostgreSQL; the bands come
from ``forum.dose_bands`` and the month rule is the lists' one.
"""

from forum.dose_bands import get_band
from forum.models import Stage

# The post behind a thread or reply document: a thread's opening post carries its details.
_POST_OF_DOCUMENT = "SELECT 1 FROM posts p WHERE p.id = d.ref_id"


def experience_filter(
    stage: str | None, dose: str | None, month_min: int | None, month_max: int | None
) -> tuple[str | None, dict]:
    """SQL and parameters narrowing threads and replies to a dose band and a month range,
    read from the post behind each document (an opening post carries its thread's details).
    With the stage "finished" the range is months since finishing, as on the lists."""
    conditions, params = [], {}
    band = get_band(dose)
    if band is not None:
        conditions.append("p.daily_dose_mg >= :dose_low")
        params["dose_low"] = band.low
        if band.high is not None:
            conditions.append("p.daily_dose_mg < :dose_high")
            params["dose_high"] = band.high
    months = "p.months_since" if stage == Stage.FINISHED else "p.treatment_month"
    if month_min is not None:
        conditions.append(f"{months} >= :month_min")
        params["month_min"] = month_min
    if month_max is not None:
        conditions.append(f"{months} <= :month_max")
        params["month_max"] = month_max
    if not conditions:
        return None, {}
    # Only the fixed fragments above are joined; every value is a bound parameter.
    joined = "".join(f" AND {condition}" for condition in conditions)
    sql = f"d.kind IN ('thread', 'reply') AND EXISTS ({_POST_OF_DOCUMENT}{joined})"
    return sql, params
