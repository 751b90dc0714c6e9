"""Community statistics from the journals of members who chose to contribute (issue #14).

``aggregate()`` recomputes every cell and replaces the ``journal_stats`` table in the
caller's transaction; pages read the whole table with one query (``load_stats``). It is a
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

from collections import defaultdict
from dataclasses import dataclass
from statistics import mean, median

from sqlalchemy import delete, insert, select

from forum.dose_bands import DOSE_BANDS, band_for
from forum.extensions import db
from forum.journals.charts import StatCell, StatSeries
from forum.journals.services import dose_on, side_effect_slugs, side_effects, treatment_month
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


@dataclass
class _MemberMonth:
    skins: list
    moods: list
    worst: dict
    band: str


def _contributors():
    rows = db.session.execute(
        select(User.id, User.course_start, User.course_end, User.course_dose_mg)
        .join(Journal, Journal.user_id == User.id)
        .where(Journal.contribute, User.course_start.is_not(None))
    ).all()
    periods = defaultdict(list)
    for period in db.session.execute(
        select(DosePeriod.user_id, DosePeriod.starts_on, DosePeriod.dose_mg)
        .join(Journal, Journal.user_id == DosePeriod.user_id)
        .where(Journal.contribute)
        .order_by(DosePeriod.user_id, DosePeriod.starts_on)
    ):
        periods[period.user_id].append(period)
    members = {}
    for row in rows:
        course_periods = periods.get(row.id) or (
            [DosePeriod(starts_on=row.course_start, dose_mg=row.course_dose_mg)]
            if row.course_dose_mg
            else []
        )
        members[row.id] = (row.course_start, row.course_end, course_periods)
    return members


def _band(periods, day) -> str:
    band = band_for(dose_on(periods, day))
    return band.slug if band else ""


def _cell(measure, axis, band, bucket, values, now):
    """A row for ``journal_stats``: ``values`` are one number a member (a share is the mean
    of 0/1 values)."""
    n = len(values)
    if n < MIN_MEMBERS:
        value, n = None, None
    elif measure in MEDIANS:
        value = float(median(values))
    else:
        value = round(sum(values) / n, 4)
    return {
        "measure": measure,
        "axis": axis,
        "band": band,
        "bucket": bucket,
        "value": value,
        "n": n,
        "computed_at": now,
    }


def _month_rows(members, now) -> list[dict]:
    months: dict[tuple[int, int], _MemberMonth] = {}
    stmt = (
        select(
            JournalEntry.user_id,
            JournalEntry.day,
            JournalEntry.skin,
            JournalEntry.mood,
            JournalEntry.side_effects,
        )
        .join(Journal, Journal.user_id == JournalEntry.user_id)
        .where(Journal.contribute, ~JournalEntry.is_private)
        .order_by(JournalEntry.user_id, JournalEntry.day)
        .execution_options(yield_per=5000)
    )
    slugs = side_effect_slugs()
    for user_id, day, skin, mood, levels in db.session.execute(stmt):
        member = members.get(user_id)
        if member is None:
            continue
        start, end, periods = member
        month = treatment_month(start, end, day)
        if month is None or month > 12:
            continue
        cell = months.get((user_id, month))
        if cell is None:
            cell = months[(user_id, month)] = _MemberMonth([], [], {}, _band(periods, day))
        cell.skins.append(skin)
        cell.moods.append(mood)
        for slug in slugs:
            if (levels or {}).get(slug, 0) > cell.worst.get(slug, 0):
                cell.worst[slug] = levels[slug]
    by_bucket = defaultdict(list)  # (band, month) -> member months
    for (_user, month), cell in months.items():
        by_bucket[("", month)].append(cell)
        if cell.band:
            by_bucket[(cell.band, month)].append(cell)
    rows = []
    for band in BANDS:
        for month in MONTHS:
            cells = by_bucket.get((band, month), [])
            for slug in slugs:
                shares = [1 if c.worst.get(slug, 0) >= 1 else 0 for c in cells]
                rows.append(_cell(slug, "month", band, month, shares, now))
            rows.append(_cell("skin", "month", band, month, [mean(c.skins) for c in cells], now))
            rows.append(_cell("mood", "month", band, month, [mean(c.moods) for c in cells], now))
    return rows


def _after_rows(members, now) -> list[dict]:
    answers = defaultdict(list)
    stmt = (
        select(CheckIn.user_id, CheckIn.months, CheckIn.skin_now)
        .join(Journal, Journal.user_id == CheckIn.user_id)
        .where(Journal.contribute, CheckIn.answered_at.is_not(None))
    )
    for user_id, months, skin_now in db.session.execute(stmt):
        member = members.get(user_id)
        if member is None or member[1] is None:
            continue
        band = _band(member[2], member[1])
        answers[("", months)].append(skin_now)
        if band:
            answers[(band, months)].append(skin_now)
    rows = []
    for band in BANDS:
        for months in CHECKIN_MONTHS:
            given = answers.get((band, months), [])
            for measure, wanted in AFTER.items():
                shares = [1 if answer == wanted else 0 for answer in given]
                rows.append(_cell(measure, "after", band, months, shares, now))
    return rows


def aggregate() -> int:
    """Recompute every cell of the statistics from contributors; returns the number of
    cells written. Never commits."""
    now = utcnow()
    members = _contributors()
    rows = _month_rows(members, now) + _after_rows(members, now)
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
