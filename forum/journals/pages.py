"""What the journal pages show (issue #14): builders the views call, returning the values a
template reads. Each costs a fixed number of queries whatever the journal's size."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from sqlalchemy import select

from forum.errors import NotFound
from forum.extensions import db
from forum.guide.content import load_article_files
from forum.journals import charts, services
from forum.journals.aggregate import LABELS, TAG_MEASURES, Stats
from forum.journals.stats_cache import cached_stats
from forum.models import JournalEntry, Photo, User
from forum.photos.services import photos_by_owner
from forum.visibility import Viewer
from forum.visibility.journals import can_see_journal, can_see_journal_entry
from forum.visibility.photos import can_see_photo

DISCLAIMER = (
    "These are self-reports from members who chose to share their journals, not a clinical "
    "study. They are not advice: ask your prescriber about your own treatment."
)


@dataclass
class JournalView:
    member: User
    journal: object
    course: services.Course
    entries: list[JournalEntry]
    timeline: charts.Timeline
    checkins: list
    prompt: object
    photos: dict = field(default_factory=dict)  # entry id -> the photos the viewer may see


def journal_view(member: User, viewer) -> JournalView:
    """The member's journal as ``viewer`` may read it. Raises NotFound when they may not."""
    journal = services.journal_of(member)
    if not can_see_journal(journal, viewer, user_id=member.id):
        raise NotFound("There is no such journal.")
    own = Viewer.of(viewer).id == member.id
    entries = [e for e in services.entries_of(member) if can_see_journal_entry(e, journal, viewer)]
    periods = services.dose_periods(member)
    course = services.course_of(member, periods)
    if own and journal is not None:
        course.weight_kg = journal.weight_kg
    states = services.checkin_states(member) if own else []
    return JournalView(
        member,
        journal,
        course,
        entries,
        charts.timeline(entries, course.periods, member.course_start, member.course_end),
        states,
        services.pending_prompt(states),
        photos=entry_photos(entries, journal, viewer),
    )


@dataclass
class EntryPage:
    entries: list[JournalEntry]
    next_cursor: date | None  # the day to pass as ``before`` for earlier entries


def own_entries(member: User, *, before: date | None = None, limit: int) -> EntryPage:
    """The member's own entries, private ones too, newest first, ``limit`` at a time
    (``before``: a day, the cursor); one query."""
    stmt = select(JournalEntry).where(JournalEntry.user_id == member.id)
    if before is not None:
        stmt = stmt.where(JournalEntry.day < before)
    rows = list(db.session.scalars(stmt.order_by(JournalEntry.day.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return EntryPage(rows, rows[-1].day if more else None)


def entry_photos(entries, journal, viewer) -> dict:
    """The photos of these entries that ``viewer`` may see, by entry (one query)."""
    by_entry = photos_by_owner(Photo.journal_entry_id, (entry.id for entry in entries))
    entries_by_id = {entry.id: entry for entry in entries}
    return {
        entry_id: shown
        for entry_id, photos in by_entry.items()
        if (
            shown := [
                photo
                for photo in photos
                if can_see_photo(photo, viewer, entry=entries_by_id[entry_id], journal=journal)
            ]
        )
    }


def find_member(username: str) -> User:
    member = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if member is None:
        raise NotFound("There is no such member.")
    return member


@dataclass
class Insight:
    series: charts.StatSeries
    svg: object
    axis_label: str


def insights(stats: Stats, measures, band: str = "") -> list[Insight]:
    result = []
    for measure in measures:
        series = stats.series(measure, band)
        axis = (
            "Months after finishing"
            if series.cells and measure in ("clear", "relapse")
            else "Treatment month"
        )
        result.append(Insight(series, charts.bar_chart(series, axis_label=axis), axis))
    return result


def insights_for(measures) -> list[Insight]:
    """Charts for a guide article or a tag page: no query while this process's copy of the
    statistics is current."""
    if not measures:
        return []
    return insights(cached_stats(), measures)


@cache
def _article_measures() -> dict[str, tuple[str, ...]]:
    return {a.slug: tuple(m for m in a.insights if m in LABELS) for a in load_article_files()}


def article_insights(slug: str) -> list[Insight]:
    """The charts a guide article's front matter names (``insights:``)."""
    return insights_for(_article_measures().get(slug, ()))


def tag_insights(slug: str) -> list[Insight]:
    return insights_for(TAG_MEASURES.get(slug, ()))


ALL_MEASURES = tuple(LABELS)


def export_csv(view: JournalView) -> str:
    """The journal as CSV: one row an entry, with the course and dose periods first."""
    out = io.StringIO()
    writer = csv.writer(out)
    course = view.course
    writer.writerow(["course_start", course.start or "", "course_end", course.end or ""])
    writer.writerow(["cumulative_mg", course.cumulative_mg])
    if course.weight_kg:
        writer.writerow(["weight_kg", course.weight_kg, "mg_per_kg", course.mg_per_kg])
    for period in course.periods:
        writer.writerow(["dose_period", period.starts_on, period.dose_mg])
    slugs = services.side_effect_slugs()
    writer.writerow(["date", "skin", "mood", *slugs, "private", "note"])
    for entry in view.entries:
        levels = [entry.side_effects.get(slug, 0) for slug in slugs]
        note = entry.note
        if note[:1] in ("=", "+", "-", "@"):
            note = "'" + note  # never a formula in a spreadsheet
        writer.writerow([entry.day, entry.skin, entry.mood, *levels, int(entry.is_private), note])
    return out.getvalue()
