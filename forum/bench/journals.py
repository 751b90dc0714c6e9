"""The benchmark seed's treatment journals (issue #14): courses with dose periods, daily
entries, check-ins after finishing, written in bulk like the forum's posts.

Contributors' and shared journals are varied the way real courses go (dryness from the
first weeks, an initial breakout in months one and two, skin improving month by month,
higher doses drier); the private journals of members who do not contribute never reach a
page or a statistic, so their entries repeat one row a member. A generator of its own keeps
the forum's threads and posts the same whatever the number of entries.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache

from forum.bench import tables
from forum.extensions import db
from forum.journals.services import add_months
from forum.markup import render_user_text
from forum.models.journal import CHECKIN_MONTHS, SIDE_EFFECT_SLUGS

BATCH_ENTRIES = 50_000
DOSES = (10, 20, 20, 30, 40, 40, 40, 60, 60, 80)
# How often each side effect is felt at 40 mg a day by a member of average sensitivity.
SIDE_EFFECT_ODDS = {
    "dry_lips": 0.92,
    "dry_skin": 0.65,
    "dry_eyes": 0.35,
    "nosebleeds": 0.18,
    "joint_pain": 0.18,
    "back_pain": 0.12,
    "headache": 0.15,
    "hair_thinning": 0.06,
    "sun_sensitivity": 0.3,
    "low_mood": 0.1,
    "fatigue": 0.2,
    "initial_breakout": 0.5,
}
NOTES = (
    "Lips cracked again, **lip balm** every hour.",
    "Skin clearer this week.",
    "Eyes dry at work; drops help.",
    "Tired after the gym.",
    "Dermatologist visit: bloods fine.",
    "A few new spots on my chin.",
)
BREAKOUT = SIDE_EFFECT_SLUGS.index("initial_breakout")
LOW_MOOD = SIDE_EFFECT_SLUGS.index("low_mood")
JOURNAL_COLUMNS = ("id", "user_id", "visibility", "created_at")
PERIOD_COLUMNS = ("id", "user_id", "starts_on", "dose_mg")
ENTRY_COLUMNS = (
    "id",
    "user_id",
    "day",
    "skin",
    "mood",
    *(f"se_{slug}" for slug in SIDE_EFFECT_SLUGS),
    "note",
    "note_html",
    "is_private",
    "created_at",
    "updated_at",
)
CHECKIN_COLUMNS = (
    "id",
    "user_id",
    "months",
    "due_on",
    "reminded_at",
    "answered_at",
    "skin_now",
    "side_effects",
    "second_course",
    "note",
    "note_html",
)


@dataclass
class Course:
    user_id: int
    start: date
    end: date | None  # None while the course goes on
    periods: list[tuple[date, int]]
    visibility: str
    contribute: bool
    sensitivity: float
    mood: float
    prone: tuple[bool, ...] = ()
    entries: int = 0
    days: list[int] = field(default_factory=list)

    @property
    def is_varied(self) -> bool:
        return self.contribute or self.visibility != "private"


def plan_courses(rng: random.Random, users: list[int], members: int, today: date) -> dict:
    """The members who keep a journal (staff aside) and their courses, by user id."""
    chosen = sorted(rng.sample(users[4:], min(members, max(0, len(users) - 4))))
    courses = {}
    for user_id in chosen:
        start = today - timedelta(days=rng.randint(20, 720))
        end = start + timedelta(days=rng.randint(140, 300))
        end = end if end < today else None
        periods = [(start, rng.choice(DOSES))]
        change = start + timedelta(days=rng.randint(21, 110))
        if rng.random() < 0.45 and change < (end or today):
            periods.append((change, rng.choice(DOSES)))
        roll = rng.random()
        visibility = "private" if roll < 0.55 else "members" if roll < 0.85 else "everyone"
        sensitivity = rng.uniform(0.5, 1.5)
        courses[user_id] = Course(
            user_id,
            start,
            end,
            periods,
            visibility,
            rng.random() < 0.5,
            sensitivity,
            rng.uniform(2.4, 4.0),
            _prone(rng, sensitivity, periods[0][1]),
        )
    return courses


def course_columns(course: Course) -> tuple:
    """``users.course_start``, ``course_end``, ``course_dose_mg`` (the dose in effect)."""
    return course.start, course.end, course.periods[-1][1]


def _allot(rng: random.Random, courses: list[Course], total: int, today: date) -> None:
    """Share ``total`` entries out, a heavy tail (a few log every day), at most one a day."""
    if not courses:
        return
    room = [((c.end or today) - c.start).days + 1 for c in courses]
    weights = [min(rng.paretovariate(1.3), 30.0) for _ in courses]
    scale = total / sum(weights)
    counts = [min(r, int(w * scale)) for r, w in zip(room, weights, strict=True)]
    left = total - sum(counts)
    while left > 0:
        open_ = [i for i, (c, r) in enumerate(zip(counts, room, strict=True)) if c < r]
        if not open_:
            break
        each = max(1, left // len(open_))
        for i in open_:
            add = min(each, room[i] - counts[i], left)
            counts[i] += add
            left -= add
            if not left:
                break
    for course, count, days in zip(courses, counts, room, strict=True):
        course.entries = count
        course.days = sorted(rng.sample(range(days), count))


def _prone(rng: random.Random, sensitivity: float, dose: int) -> tuple[bool, ...]:
    """Which side effects a member gets at all: more of them at higher doses."""
    strength = sensitivity * (0.6 + 0.4 * min(dose, 80) / 40)
    return tuple(
        rng.random() < min(0.97, SIDE_EFFECT_ODDS[slug] * strength) for slug in SIDE_EFFECT_SLUGS
    )


def _levels(rng: random.Random, course: Course, month: int) -> list[int]:
    """One day's levels: what the member is prone to comes and goes, worse when sensitive."""
    levels = []
    for index, prone in enumerate(course.prone):
        odds = 0.7 if prone else 0.01
        if index == BREAKOUT and month > 2:
            odds = 0.02
        if rng.random() >= odds:
            levels.append(0)
        else:
            worse = 0.4 * course.sensitivity
            levels.append(1 + (rng.random() < worse) + (rng.random() < worse / 4))
    return levels


def _clamp(value: float) -> int:
    return max(1, min(5, round(value)))


def _entry(rng: random.Random, course: Course, day: date, plain: list | None) -> tuple:
    if plain is not None:
        skin, mood, levels = plain
    else:
        month = (day - course.start).days // 30 + 1
        levels = _levels(rng, course, month)
        breakout = 0.8 if levels[BREAKOUT] else 0.0
        skin = _clamp(min(4.6, 1.8 + 0.5 * month) - breakout + rng.gauss(0, 0.6))
        mood = _clamp(course.mood + rng.gauss(0, 0.7) - (0.8 if levels[LOW_MOOD] else 0.0))
    note, note_html = ("", "")
    if plain is None and rng.random() < 0.02:
        note, note_html = rng.choice(_notes())
    written = datetime.combine(day, time(21, 0))
    private = plain is None and rng.random() < 0.04
    return (course.user_id, day, skin, mood, *levels, note, note_html, private, written, written)


@cache
def _notes() -> tuple[tuple[str, str], ...]:
    return tuple((note, render_user_text(note)) for note in NOTES)


def _checkins(rng: random.Random, course: Course, now: datetime, first_id: int) -> list[tuple]:
    rows = []
    today = now.date()
    if course.end is None:
        return rows
    for months in CHECKIN_MONTHS:
        due = add_months(course.end, months)
        if due > today:
            break
        reminded = datetime.combine(due, time(8, 0))
        answered = skin_now = None
        relapse = 0.08 + (0.1 if course.periods[-1][1] < 30 else 0.0)
        second = False
        if rng.random() < 0.65:
            answered = min(reminded + timedelta(days=rng.randint(0, 10)), now)
            roll = rng.random()
            skin_now = "relapse" if roll < relapse else "few_spots" if roll < 0.4 else "clear"
            second = skin_now == "relapse" and rng.random() < 0.3
        row = (course.user_id, months, due, reminded, answered, skin_now, "{}", second, "", "")
        rows.append((first_id + len(rows), *row))
    return rows


def seed_journals(
    rng: random.Random,
    courses: dict,
    entries: int,
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the journals of ``courses`` with ``entries`` entries in all; returns how many
    entries were written (fewer only when the courses have too few days)."""
    today = now.date()
    planned = list(courses.values())
    _allot(rng, planned, entries, today)
    tables.bulk_insert(
        "journals",
        JOURNAL_COLUMNS,
        [
            (n, c.user_id, c.visibility, datetime.combine(c.start, time(9, 0)))
            for n, c in enumerate(planned, 1)
        ],
    )
    tables.mark_contributors([c.user_id for c in planned if c.contribute])
    periods = [(c.user_id, day, mg) for c in planned for day, mg in c.periods]
    tables.bulk_insert("journal_dose_periods", PERIOD_COLUMNS, _numbered(periods))
    checkins: list[tuple] = []
    for course in planned:
        checkins.extend(_checkins(rng, course, now, len(checkins) + 1))
    tables.bulk_insert("journal_checkins", CHECKIN_COLUMNS, checkins)
    rows: list[tuple] = []
    written = 0
    for course in planned:
        plain = None
        if not course.is_varied:
            plain = [rng.randint(2, 4), rng.randint(2, 4), _levels(rng, course, 3)]
        for offset in course.days:
            written += 1
            day = course.start + timedelta(days=offset)
            rows.append((written, *_entry(rng, course, day, plain)))
        if len(rows) >= BATCH_ENTRIES:
            _flush(rows, progress)
    _flush(rows, progress)
    return written


def _numbered(rows: list[tuple]) -> list[tuple]:
    return [(n, *row) for n, row in enumerate(rows, 1)]


def _flush(rows: list[tuple], progress) -> None:
    tables.bulk_insert("journal_entries", ENTRY_COLUMNS, rows)
    db.session.commit()
    if progress:
        progress(len(rows))
    rows.clear()
