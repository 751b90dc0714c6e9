"""A member's treatment journal (issue #14): the course and its dose periods, daily entries,
check-ins after finishing, and the journal's settings.

Plain functions: no request, no flash, no commit. The course dates live on ``User`` (posts
take their experience badge from them); the dose in effect today is copied to
``User.course_dose_mg`` whenever the periods change, so the badge follows the journal.
"""

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import delete, select

from forum.cache import purge_after_commit
from forum.errors import FieldErrors, InvalidAction, NotFound
from forum.extensions import db
from forum.markup import render_user_text
from forum.models import (
    CheckIn,
    DosePeriod,
    Journal,
    JournalEntry,
    JournalVisibility,
    User,
    utcnow,
)
from forum.models.journal import CHECKIN_MONTHS, SkinNow
from forum.moderation.crisis import find_crisis_phrase
from forum.moderation.services.screening import flag_journal_crisis
from forum.threads.services import whole_months_between
from forum.users.services import MAX_DOSE_MG, update_course

SIDE_EFFECTS_FILE = Path(__file__).with_name("side_effects.json")
NOTE_MAX = 5000
WEIGHT_MIN, WEIGHT_MAX = 20, 350


@dataclass(frozen=True)
class SideEffect:
    slug: str
    name: str


@cache
def side_effects() -> tuple[SideEffect, ...]:
    """The fixed list of side effects, shipped as data."""
    data = json.loads(SIDE_EFFECTS_FILE.read_text(encoding="utf-8"))
    return tuple(SideEffect(item["slug"], item["name"]) for item in data)


def side_effect_slugs() -> tuple[str, ...]:
    return tuple(item.slug for item in side_effects())


SIDE_EFFECT_LEVELS = {0: "None", 1: "Mild", 2: "Moderate", 3: "Severe"}
SKIN_NOW_LABELS = {
    SkinNow.CLEAR: "Clear",
    SkinNow.FEW_SPOTS: "A few spots",
    SkinNow.RELAPSE: "Relapse that needed treatment",
}
VISIBILITY_LABELS = {
    JournalVisibility.PRIVATE: "Only me",
    JournalVisibility.MEMBERS: "Signed-in members",
    JournalVisibility.EVERYONE: "Everyone",
}


# --- The journal row ---------------------------------------------------------------------------


def journal_of(user: User) -> Journal | None:
    return db.session.scalar(select(Journal).where(Journal.user_id == user.id))


def ensure_journal(user: User) -> Journal:
    """The member's journal row, created (private, not contributing) if there is none."""
    journal = journal_of(user)
    if journal is None:
        journal = Journal(user_id=user.id, visibility=JournalVisibility.PRIVATE)
        db.session.add(journal)
        db.session.flush()
    return journal


def update_settings(user: User, *, visibility: str, contribute: bool) -> Journal:
    """Who may read the journal and whether it counts in the statistics. Raises FieldErrors."""
    if visibility not in tuple(JournalVisibility):
        raise FieldErrors({"visibility": "Choose who may read your journal."})
    journal = ensure_journal(user)
    if journal.visibility != visibility:
        purge_after_commit(db.session)  # the cached profile links to a shared journal
    journal.visibility = visibility
    user.contribute = bool(contribute)  # the one setting, also on /settings/privacy
    return journal


def set_weight(user: User, weight_kg: float | None, *, remember: bool) -> float | None:
    """Keep the weight only when asked to (else forget any kept one); returns the weight to
    use for this page. Raises FieldErrors."""
    if weight_kg is not None and not WEIGHT_MIN <= weight_kg <= WEIGHT_MAX:
        raise FieldErrors(
            {"weight_kg": f"Enter a weight between {WEIGHT_MIN} and {WEIGHT_MAX} kg."}
        )
    journal = ensure_journal(user)
    journal.weight_kg = weight_kg if remember else None
    return weight_kg


# --- The course and its dose periods -----------------------------------------------------------


def dose_periods(user: User) -> list[DosePeriod]:
    stmt = select(DosePeriod).where(DosePeriod.user_id == user.id).order_by(DosePeriod.starts_on)
    return list(db.session.scalars(stmt))


def update_dates(user: User, *, start: date | None, end: date | None) -> None:
    """Record the start and end of the course (the dose stays as the periods say).

    Raises FieldErrors."""
    update_course(user, start=start, dose_mg=user.course_dose_mg, end=end)


def _sync_current_dose(user: User, periods: list[DosePeriod], today: date) -> None:
    current = [p for p in periods if p.starts_on <= today]
    if periods:
        user.course_dose_mg = (current[-1] if current else periods[0]).dose_mg


def add_dose_period(user: User, *, starts_on: date, dose_mg: int) -> DosePeriod:
    """From ``starts_on``, ``dose_mg`` a day (replaces a period starting that day).

    Raises FieldErrors."""
    errors = {}
    if starts_on > utcnow().date():
        errors["dose_from"] = "The date can't be in the future."
    elif user.course_start and starts_on < user.course_start:
        errors["dose_from"] = "The date can't be before the start of your course."
    if not 1 <= dose_mg <= MAX_DOSE_MG:
        errors["dose_mg"] = f"Enter a daily dose between 1 and {MAX_DOSE_MG} mg."
    if errors:
        raise FieldErrors(errors)
    db.session.execute(
        delete(DosePeriod).where(DosePeriod.user_id == user.id, DosePeriod.starts_on == starts_on)
    )
    period = DosePeriod(user_id=user.id, starts_on=starts_on, dose_mg=dose_mg)
    db.session.add(period)
    db.session.flush()
    _sync_current_dose(user, dose_periods(user), utcnow().date())
    return period


def remove_dose_period(user: User, period_id: int) -> None:
    """Delete one of the member's dose periods. Raises NotFound."""
    period = db.session.get(DosePeriod, period_id)
    if period is None or period.user_id != user.id:
        raise NotFound("There is no such dose period.")
    db.session.delete(period)
    db.session.flush()
    _sync_current_dose(user, dose_periods(user), utcnow().date())


@dataclass
class Course:
    start: date | None
    end: date | None
    periods: list[DosePeriod]
    cumulative_mg: int
    days: int
    weight_kg: float | None = None

    @property
    def mg_per_kg(self) -> float | None:
        if not self.weight_kg:
            return None
        return round(self.cumulative_mg / self.weight_kg, 1)


def spans(periods, start: date | None, end: date) -> list[tuple[date, date, int]]:
    """Each period as (first day, last day, mg a day), clipped to the course up to ``end``."""
    result = []
    for n, period in enumerate(periods):
        first = max(period.starts_on, start) if start else period.starts_on
        following = periods[n + 1].starts_on - timedelta(days=1) if n + 1 < len(periods) else end
        last = min(following, end)
        if last >= first:
            result.append((first, last, period.dose_mg))
    return result


def course_of(user: User, periods: list[DosePeriod], today: date | None = None) -> Course:
    """The course with its cumulative dose (mg) up to the end, or today while it goes on."""
    today = today or utcnow().date()
    end = min(user.course_end, today) if user.course_end else today
    if not periods and user.course_start and user.course_dose_mg:
        # A course typed in the settings before the journal: one dose all along.
        periods = [DosePeriod(starts_on=user.course_start, dose_mg=user.course_dose_mg)]
    total = sum(
        ((last - first).days + 1) * mg for first, last, mg in spans(periods, user.course_start, end)
    )
    days = (
        (end - user.course_start).days + 1 if user.course_start and end >= user.course_start else 0
    )
    return Course(user.course_start, user.course_end, periods, total, days)


def dose_on(periods, day: date) -> int | None:
    """The daily dose in effect on ``day`` (periods sorted by start)."""
    dose = None
    for period in periods:
        if period.starts_on <= day:
            dose = period.dose_mg
    return dose


def treatment_month(start: date | None, end: date | None, day: date) -> int | None:
    """The month of treatment ``day`` falls in (1 from the first day), None outside it."""
    if start is None or day < start or (end is not None and day > end):
        return None
    return whole_months_between(start, day) + 1


# --- Entries -----------------------------------------------------------------------------------


@dataclass
class EntryResult:
    entry: JournalEntry
    crisis: str | None = None  # the crisis phrase in the note: show the author help
    created: bool = True


def _check_levels(values: dict[str, int | None], errors: dict) -> dict[str, int]:
    levels = {}
    for slug in side_effect_slugs():
        level = values.get(slug)
        if level is None:
            level = 0
        if not 0 <= level <= 3:
            errors[f"se_{slug}"] = "Choose none, mild, moderate or severe."
        levels[slug] = level
    return levels


def save_entry(
    user: User,
    *,
    day: date,
    skin: int,
    mood: int,
    levels: dict[str, int | None],
    note: str = "",
    private: bool = False,
) -> EntryResult:
    """Add or replace the member's entry for ``day`` (one a day). A note with a crisis
    phrase shows the author help; in a shared journal (and not a private entry) it also goes
    to the top of the moderators' queue. Raises FieldErrors."""
    errors: dict[str, str] = {}
    today = utcnow().date()
    if day > today:
        errors["date"] = "The date can't be in the future."
    for name, value in (("skin", skin), ("mood", mood)):
        if not 1 <= value <= 5:
            errors[name] = "Choose from 1 to 5."
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = f"Keep the note under {NOTE_MAX:,} characters."
    clean = _check_levels(levels, errors)
    if errors:
        raise FieldErrors(errors)
    journal = ensure_journal(user)
    entry = db.session.scalar(
        select(JournalEntry).where(JournalEntry.user_id == user.id, JournalEntry.day == day)
    )
    created = entry is None
    if created:
        entry = JournalEntry(user_id=user.id, day=day)
        db.session.add(entry)
    entry.skin, entry.mood, entry.side_effects = skin, mood, clean
    entry.note, entry.note_html = note, render_user_text(note) if note else ""
    entry.is_private = bool(private)
    entry.updated_at = utcnow()
    db.session.flush()
    phrase = find_crisis_phrase(note) if note else None
    if phrase and journal.visibility != JournalVisibility.PRIVATE and not entry.is_private:
        flag_journal_crisis(entry, phrase)
    return EntryResult(entry, phrase, created)


def entries_of(user: User, *, only=None) -> list[JournalEntry]:
    """The member's entries, oldest first; ``only`` is an extra SQL clause (visibility)."""
    stmt = select(JournalEntry).where(JournalEntry.user_id == user.id)
    if only is not None:
        stmt = stmt.where(only)
    return list(db.session.scalars(stmt.order_by(JournalEntry.day)))


def defaults_for_today(entries: list[JournalEntry]) -> dict:
    """What the entry form starts with: today, and the ratings of the last entry."""
    last = entries[-1] if entries else None
    values = {"date": utcnow().date(), "skin": 3, "mood": 3}
    if last is not None:
        values.update(skin=last.skin, mood=last.mood)
        values.update({f"se_{slug}": level for slug, level in last.side_effects.items()})
    return values


# --- Check-ins after finishing -----------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last_day in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last_day))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover: day 28 exists in every month


@dataclass
class CheckInState:
    months: int
    due_on: date
    is_due: bool
    answer: CheckIn | None = None


def checkin_states(user: User, today: date | None = None) -> list[CheckInState]:
    """Each check-in after the course's end date: when it falls due and what was answered."""
    if user.course_end is None:
        return []
    today = today or utcnow().date()
    rows = {
        c.months: c for c in db.session.scalars(select(CheckIn).where(CheckIn.user_id == user.id))
    }
    states = []
    for months in CHECKIN_MONTHS:
        due = add_months(user.course_end, months)
        states.append(CheckInState(months, due, due <= today, rows.get(months)))
    return states


def pending_prompt(states: list[CheckInState]) -> CheckInState | None:
    """The latest check-in that is due and not answered: the prompt the site shows."""
    waiting = [s for s in states if s.is_due and (s.answer is None or s.answer.answered_at is None)]
    return waiting[-1] if waiting else None


@dataclass
class CheckInAnswer:
    skin_now: str
    levels: dict[str, int | None] = field(default_factory=dict)
    second_course: bool = False
    note: str = ""


def answer_checkin(user: User, months: int, answer: CheckInAnswer) -> CheckIn:
    """Record (or correct) the check-in ``months`` after finishing.

    Raises NotFound for a number other than 1, 3, 6, 12; InvalidAction (409) before the
    course has an end date or before the check-in is due; FieldErrors."""
    if months not in CHECKIN_MONTHS:
        raise NotFound("There is no such check-in.")
    state = next((s for s in checkin_states(user) if s.months == months), None)
    if state is None:
        raise InvalidAction("Add the day you finished treatment to your journal first.")
    if not state.is_due:
        raise InvalidAction(f"This check-in opens on {state.due_on:%-d %B %Y}.")
    errors: dict[str, str] = {}
    if answer.skin_now not in tuple(SkinNow):
        errors["skin_now"] = "Choose how your skin is now."
    note = (answer.note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = f"Keep the note under {NOTE_MAX:,} characters."
    levels = _check_levels(answer.levels, errors)
    if errors:
        raise FieldErrors(errors)
    checkin = state.answer or CheckIn(user_id=user.id, months=months, due_on=state.due_on)
    db.session.add(checkin)
    checkin.skin_now, checkin.side_effects = answer.skin_now, levels
    checkin.second_course = bool(answer.second_course)
    checkin.note, checkin.note_html = note, render_user_text(note) if note else ""
    checkin.answered_at = utcnow()
    db.session.flush()
    return checkin
