"""Community statistics from the journals of members who chose to contribute (issue #14).

``aggregate()`` recomputes every cell in SQL (grouped counts, medians from window
functions, the same on SQLite and PostgreSQL) and replaces the ``journal_stats`` table in
the caller's transaction; pages read the whole table with one query (``load_stats``), which
each process keeps until the next ``aggregate`` commits (``forum.journals.stats_cache``). It
is a plain function so a periodic runner can call it; ``flask journals aggregate`` runs it.

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


def _contributors():
    """SQL: the members who contribute and have a course start (id, course dates)."""
    return (
        select(User.id, User.course_start, User.course_end, User.course_dose_mg)
        .join(Journal, Journal.user_id == User.id)
        .where(User.contribute, User.course_start.is_not(None))
        .subquery("contributor")
    )


# Where a part of an ISO date starts and how long it is: SQLite stores dates as text, and
# slicing it is half the cost of strftime on a million rows.
_ISO_PARTS = {"year": (1, 4), "month": (6, 2), "day": (9, 2)}


def _date_part(part, day, dialect):
    if dialect == "sqlite":
        return cast(func.substr(day, *_ISO_PARTS[part]), Integer)
    return extract(part, day)


def _treatment_month(start, day, dialect):
    """SQL twin of ``services.treatment_month``: whole calendar months from ``start`` to
    ``day``, plus one (``day`` on or after ``start``)."""

    def part(name, column):
        return _date_part(name, column, dialect)

    months = (part("year", day) - part("year", start)) * 12 + part("month", day)
    months = months - part("month", start)
    early = case((part("day", day) < part("day", start), 1), else_=0)
    return cast(months - early + 1, Integer)


def _dose_spans(contributors):
    """SQL: each contributor's doses as spans [starts_on, until) with their band, as
    ``services.dose_on`` reads the periods (a period lasts until the next one starts);
    without periods, the course's dose from its start."""
    following = func.lead(DosePeriod.starts_on).over(
        partition_by=DosePeriod.user_id, order_by=DosePeriod.starts_on
    )
    periods = select(
        DosePeriod.user_id,
        DosePeriod.starts_on,
        following.label("until"),
        DosePeriod.dose_mg,
    ).join(contributors, contributors.c.id == DosePeriod.user_id)
    typed = select(
        contributors.c.id,
        contributors.c.course_start,
        literal_column("NULL").label("until"),
        func.nullif(contributors.c.course_dose_mg, 0),
    ).where(~exists().where(DosePeriod.user_id == contributors.c.id))
    spans = union_all(periods, typed).subquery("span")
    band = case(*((band.clause(spans.c.dose_mg), band.slug) for band in DOSE_BANDS), else_="")
    return select(spans.c.user_id, spans.c.starts_on, spans.c.until, band.label("band")).subquery(
        "dose_span"
    )


def _band_on(spans, user_id, day):
    """The span holding ``day`` for an outer join, and the band it gives ("" for none)."""
    holds = and_(
        spans.c.user_id == user_id,
        spans.c.starts_on <= day,
        or_(spans.c.until.is_(None), day < spans.c.until),
    )
    return holds, func.coalesce(spans.c.band, "")


def _member_months():
    """One row a contributor and treatment month (1–12): the band on their first entry of
    the month, their mean skin and mood, and 1 for each side effect rated mild or worse."""
    slugs = side_effect_slugs()
    contributors = _contributors()
    dialect = db.session.get_bind().dialect.name
    month = _treatment_month(contributors.c.course_start, JournalEntry.day, dialect)
    entry = (
        select(
            JournalEntry.user_id,
            month.label("month"),
            JournalEntry.day,
            JournalEntry.skin,
            JournalEntry.mood,
            *(getattr(JournalEntry, f"se_{slug}").label(slug) for slug in slugs),
        )
        .join(contributors, contributors.c.id == JournalEntry.user_id)
        .where(
            ~JournalEntry.is_private,
            JournalEntry.day >= contributors.c.course_start,
            or_(
                contributors.c.course_end.is_(None),
                JournalEntry.day <= contributors.c.course_end,
            ),
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
    spans = _dose_spans(contributors)
    holds, band = _band_on(spans, grouped.c.user_id, grouped.c.first_day)
    # Materialised: the groups below read every member month twice.
    return (
        select(grouped, band.label("band"))
        .select_from(grouped)
        .outerjoin(spans, holds)
        .cte("member_month")
        .prefix_with("MATERIALIZED")
    )


def _median_of(rank, n, value):
    """Inside a group: the middle value, or the mean of the two middle ones (as
    ``statistics.median``); ``rank`` runs 1..n in the order of ``value``."""
    return func.avg(case((and_(rank * 2 >= n, rank * 2 <= n + 2), value), else_=None))


def _month_rows(now) -> list[dict]:
    slugs = side_effect_slugs()
    months = _member_months()
    columns = [months.c.month, months.c.skin, months.c.mood, *(months.c[s] for s in slugs)]
    # Each member month counts in the "all doses" group (copy 0) and in its band's (copy 1),
    # from one pass over the member months.
    copies = union_all(
        select(literal_column("0").label("copy")), select(literal_column("1").label("copy"))
    ).subquery("copies")
    grp = case((copies.c.copy == 0, literal_column("''")), else_=months.c.band)
    groups = (
        select(grp.label("grp"), *columns)
        .select_from(months)
        .join(copies, or_(copies.c.copy == 0, months.c.band != ""))
        .subquery("groups")
    )
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
    contributors = _contributors()
    spans = _dose_spans(contributors)
    holds, band = _band_on(spans, contributors.c.id, contributors.c.course_end)
    answered = (
        select(band.label("band"), CheckIn.months, CheckIn.skin_now)
        .join(contributors, contributors.c.id == CheckIn.user_id)
        .outerjoin(spans, holds)
        .where(contributors.c.course_end.is_not(None), CheckIn.answered_at.is_not(None))
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
    from forum.journals.stats_cache import note_written

    note_written(db.session, rows)
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
