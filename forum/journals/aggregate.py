"""Community statistics from the journals of members who chose to contribute (issue #14).

``aggregate()`` recomputes every cell in SQL (grouped counts, medians from window
functions, the same on SQLite and PostgreSQL) and replaces the ``journal_stats`` table in
the caller's transaction; pages read the whole table with one query (``load_stats``). It is a
plain function so a periodic runner can call it; ``flask journals aggregate`` runs it.

What a cell holds:
- axis ``month``, buckets 1–12 (month of treatment): for each side effect, the share of
  members with an entry that month who rated it mild or worse at least once; ``skin`` and
  ``mood``: the median over members of their mean rating that month;
- axis ``after``, buckets 1, 3, 6, 12 (months after finishing): ``clear`` and ``relapse``,
  the share of the members who answered that check-in;
- each again by daily-dose band (``band``: the band of the dose in effect on the member's
  first entry of the month, or on their last day of treatment for check-ins).

Only contributors count, never an entry marked private; a cell with fewer than
``MIN_MEMBERS`` members is stored empty (no value, no n), so nothing smaller is published.
"""

from sqlalchemy import (
    Float,
    Integer,
    and_,
    case,
    cast,
    delete,
    exists,
    extract,
    func,
    insert,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from forum.dose_bands import DOSE_BANDS
from forum.extensions import db
from forum.journals.charts import StatCell, StatSeries
from forum.journals.services import side_effect_slugs, side_effects
from forum.models import CheckIn, DosePeriod, Journal, JournalEntry, JournalStat, User, utcnow
from forum.models.journal import CHECKIN_MONTHS, SkinNow

MIN_MEMBERS = 10
MONTHS = tuple(range(1, 13))
BANDS = ("", *(band.slug for band in DOSE_BANDS))
MEDIANS = ("skin", "mood")
AFTER = {"clear": SkinNow.CLEAR, "relapse": SkinNow.RELAPSE}
LABELS = {
    **{item.slug: item.name for item in side_effects()},
    "skin": "Skin (median, 1–5)",
    "mood": "Mood (median, 1–5)",
    "clear": "Clear skin",
    "relapse": "Relapse that needed treatment",
}
# The topic pages that show statistics, and which (issue #14).
TAG_MEASURES = {
    "dryness": ("dry_lips", "dry_skin", "dry_eyes"),
    "mood": ("mood", "low_mood"),
    "results-after-finishing": ("clear", "relapse"),
}


def _cell(measure, axis, band, bucket, n, total, now):
    """A row for ``journal_stats`` from ``n`` members: ``total`` is the median itself for
    skin and mood, else how many of the ``n`` count (the share is ``total / n``)."""
    if n < MIN_MEMBERS:
        value, n = None, None
    elif measure in MEDIANS:
        value = float(total)
    else:
        value = round(total / n, 4)
    return {
        "measure": measure,
        "axis": axis,
        "band": band,
        "bucket": bucket,
        "value": value,
        "n": n,
        "computed_at": now,
    }


# --- SQL building blocks -------------------------------------------------------------------------
# Every count and median is computed by the database, so the command reads a few hundred
# grouped rows whatever the number of entries (issue #14: a million entries in seconds).


def _contributor(user_id):
    """SQL: the member contributes to the statistics and has a course start."""
    return and_(
        exists().where(Journal.user_id == user_id, Journal.contribute),
        User.course_start.is_not(None),
    )


def _treatment_month(start, day):
    """SQL twin of ``services.treatment_month``: whole calendar months from ``start`` to
    ``day``, plus one (``day`` on or after ``start``)."""
    months = (
        (extract("year", day) - extract("year", start)) * 12
        + extract("month", day)
        - extract("month", start)
    )
    early = case((extract("day", day) < extract("day", start), 1), else_=0)
    return cast(months - early + 1, Integer)


def _band_on(user_id, day):
    """SQL: the dose band (slug, "" for none) of the dose in effect on ``day``, as
    ``services.dose_on`` reads the member's periods; without periods, the course's dose
    from its start."""
    period = aliased(DosePeriod)
    latest = (
        select(period.dose_mg)
        .where(period.user_id == user_id, period.starts_on <= day)
        .order_by(period.starts_on.desc())
        .limit(1)
        .scalar_subquery()
    )
    dose = case(
        (exists().where(DosePeriod.user_id == user_id), latest),
        (User.course_start <= day, func.nullif(User.course_dose_mg, 0)),
        else_=None,
    )
    return case(*((band.clause(dose), band.slug) for band in DOSE_BANDS), else_="")


def _member_months():
    """One row a contributor and treatment month (1–12): the band on their first entry of
    the month, their mean skin and mood, and 1 for each side effect rated mild or worse."""
    slugs = side_effect_slugs()
    entry = (
        select(
            JournalEntry.user_id,
            _treatment_month(User.course_start, JournalEntry.day).label("month"),
            JournalEntry.day,
            JournalEntry.skin,
            JournalEntry.mood,
            *(getattr(JournalEntry, f"se_{slug}").label(slug) for slug in slugs),
        )
        .join(User, User.id == JournalEntry.user_id)
        .where(
            _contributor(JournalEntry.user_id),
            ~JournalEntry.is_private,
            JournalEntry.day >= User.course_start,
            or_(User.course_end.is_(None), JournalEntry.day <= User.course_end),
        )
        .subquery("entry")
    )
    grouped = (
        select(
            entry.c.user_id,
            entry.c.month,
            func.min(entry.c.day).label("first_day"),
            (cast(func.sum(entry.c.skin), Float) / func.count()).label("skin"),
            (cast(func.sum(entry.c.mood), Float) / func.count()).label("mood"),
            *(case((func.max(entry.c[slug]) >= 1, 1), else_=0).label(slug) for slug in slugs),
        )
        .where(entry.c.month <= MONTHS[-1])
        .group_by(entry.c.user_id, entry.c.month)
        .subquery("grouped")
    )
    return (
        select(
            grouped,
            _band_on(grouped.c.user_id, grouped.c.first_day).label("band"),
        )
        .join(User, User.id == grouped.c.user_id)
        .subquery("member_month")
    )


def _median_of(rank, n, value):
    """Inside a group: the middle value, or the mean of the two middle ones (as
    ``statistics.median``); ``rank`` runs 1..n in the order of ``value``."""
    return func.avg(case((and_(rank * 2 >= n, rank * 2 <= n + 2), value), else_=None))


def _month_rows(now) -> list[dict]:
    slugs = side_effect_slugs()
    months = _member_months()
    columns = [months.c.month, months.c.skin, months.c.mood, *(months.c[s] for s in slugs)]
    # Each member month counts in the "all doses" group and in its band's group.
    groups = union_all(
        select(literal_column("''").label("grp"), *columns),
        select(months.c.band.label("grp"), *columns).where(months.c.band != ""),
    ).subquery("groups")
    window = {"partition_by": (groups.c.grp, groups.c.month)}
    ranked = select(
        groups,
        func.row_number().over(**window, order_by=groups.c.skin).label("skin_rank"),
        func.row_number().over(**window, order_by=groups.c.mood).label("mood_rank"),
        func.count().over(**window).label("n"),
    ).subquery("ranked")
    stmt = select(
        ranked.c.grp,
        ranked.c.month,
        func.max(ranked.c.n).label("n"),
        _median_of(ranked.c.skin_rank, ranked.c.n, ranked.c.skin).label("skin"),
        _median_of(ranked.c.mood_rank, ranked.c.n, ranked.c.mood).label("mood"),
        *(func.sum(ranked.c[slug]).label(slug) for slug in slugs),
    ).group_by(ranked.c.grp, ranked.c.month)
    found = {(row.grp, row.month): row for row in db.session.execute(stmt)}
    rows = []
    for band in BANDS:
        for month in MONTHS:
            group = found.get((band, month))
            n = group.n if group else 0
            for measure in (*slugs, "skin", "mood"):
                total = getattr(group, measure) if group else None
                rows.append(_cell(measure, "month", band, month, n, total, now))
    return rows


def _after_rows(now) -> list[dict]:
    answered = (
        select(
            _band_on(CheckIn.user_id, User.course_end).label("band"),
            CheckIn.months,
            CheckIn.skin_now,
        )
        .join(User, User.id == CheckIn.user_id)
        .where(
            _contributor(CheckIn.user_id),
            User.course_end.is_not(None),
            CheckIn.answered_at.is_not(None),
        )
        .subquery("answered")
    )
    counts = [func.count().label("n")] + [
        func.sum(case((answered.c.skin_now == wanted.value, 1), else_=0)).label(measure)
        for measure, wanted in AFTER.items()
    ]
    every = select(literal_column("''").label("band"), answered.c.months, *counts).group_by(
        answered.c.months
    )
    by_band = (
        select(answered.c.band, answered.c.months, *counts)
        .where(answered.c.band != "")
        .group_by(answered.c.band, answered.c.months)
    )
    found = {(r.band, r.months): r for stmt in (every, by_band) for r in db.session.execute(stmt)}
    rows = []
    for band in BANDS:
        for months in CHECKIN_MONTHS:
            group = found.get((band, months))
            n = group.n if group else 0
            for measure in AFTER:
                total = getattr(group, measure) if group else None
                rows.append(_cell(measure, "after", band, months, n, total, now))
    return rows


def aggregate() -> int:
    """Recompute every cell of the statistics from contributors; returns the number of
    cells written. Never commits."""
    now = utcnow()
    rows = _month_rows(now) + _after_rows(now)
    db.session.execute(delete(JournalStat))
    db.session.execute(insert(JournalStat), rows)
    return len(rows)


# --- Reading ---------------------------------------------------------------------------------


class Stats:
    """The statistics table, read once, for a page to pick series from."""

    def __init__(self, rows):
        self.cells = {(r.measure, r.axis, r.band, r.bucket): r for r in rows}
        self.computed_at = max((r.computed_at for r in rows), default=None)

    def series(self, measure: str, band: str = "") -> StatSeries:
        axis = "after" if measure in AFTER else "month"
        buckets = CHECKIN_MONTHS if axis == "after" else MONTHS
        cells = []
        for bucket in buckets:
            row = self.cells.get((measure, axis, band, bucket))
            cells.append(StatCell(bucket, row.value if row else None, row.n if row else None))
        return StatSeries(measure, LABELS[measure], cells, percent=measure not in MEDIANS)

    @property
    def is_empty(self) -> bool:
        return not self.cells


def load_stats() -> Stats:
    """Every cell, in one query."""
    return Stats(db.session.scalars(select(JournalStat)).all())
