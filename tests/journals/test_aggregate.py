"""The statistics are counted in SQL (issue #14): on a varied set of journals they equal a
plain per-member computation in Python, cell by cell, on SQLite and PostgreSQL."""

import json
import random
from collections import defaultdict
from datetime import date, timedelta
from statistics import mean, median

from click.testing import CliRunner
from sqlalchemy import select

from forum.dose_bands import band_for
from forum.extensions import db
from forum.journals import services
from forum.journals.aggregate import BANDS, MIN_MEMBERS, MONTHS, aggregate
from forum.models import JournalStat
from forum.models.journal import CHECKIN_MONTHS, SIDE_EFFECT_SLUGS
from tests.factories import make_user

START = date(2024, 1, 31)  # a 31st: month boundaries fall on shorter months too
SLUGS = services.side_effect_slugs()


def test_the_side_effect_columns_follow_the_shipped_list():
    data = json.loads(services.SIDE_EFFECTS_FILE.read_text(encoding="utf-8"))
    assert tuple(item["slug"] for item in data) == SIDE_EFFECT_SLUGS


def _journals(rng):
    """Members with courses, dose changes mid-month, private entries, entries after the
    course and past month 12, non-contributors and answered check-ins."""
    people = []
    for n in range(40):
        user = make_user(f"m{n}")
        start = START + timedelta(days=rng.randint(0, 40))
        end = start + timedelta(days=rng.randint(150, 420)) if n % 3 else None
        user.course_start, user.course_end = start, end
        contribute = n % 9 != 0
        if n % 7:
            services.add_dose_period(user, starts_on=start, dose_mg=rng.choice((10, 20, 40, 60)))
            if n % 2:
                later = start + timedelta(days=rng.randint(20, 120))
                services.add_dose_period(user, starts_on=later, dose_mg=rng.choice((20, 40, 80)))
        else:  # a course typed in the settings: one dose from the start
            user.course_dose_mg = rng.choice((30, 50))
        services.update_settings(user, visibility="private", contribute=contribute)
        days = sorted(rng.sample(range(430), 28))
        for offset in days:
            services.save_entry(
                user,
                day=start + timedelta(days=offset),
                skin=rng.randint(1, 5),
                mood=rng.randint(1, 5),
                levels={slug: rng.choice((0, 0, 0, 1, 2, 3)) for slug in SLUGS},
                private=rng.random() < 0.1,
            )
        if end is not None:
            for months in CHECKIN_MONTHS[: rng.randint(0, 4)]:
                skin = rng.choice(("clear", "few_spots", "relapse"))
                services.answer_checkin(user, months, services.CheckInAnswer(skin))
        people.append((user, contribute))
    db.session.flush()
    return people


def _reference(people) -> dict:
    """The cells as the statistics define them, member by member."""
    months = defaultdict(lambda: {"skins": [], "moods": [], "worst": defaultdict(int)})
    bands, after = {}, defaultdict(list)
    for user, contribute in people:
        if not contribute:
            continue
        periods = services.course_of(user, services.dose_periods(user)).periods

        def band(day, periods=periods):
            found = band_for(services.dose_on(periods, day))
            return found.slug if found else ""

        for entry in services.entries_of(user):
            month = services.treatment_month(user.course_start, user.course_end, entry.day)
            if entry.is_private or month is None or month > 12:
                continue
            cell = months[(user.id, month)]
            bands.setdefault((user.id, month), band(entry.day))
            cell["skins"].append(entry.skin)
            cell["moods"].append(entry.mood)
            for slug, level in entry.side_effects.items():
                cell["worst"][slug] = max(cell["worst"][slug], level)
        for state in services.checkin_states(user, today=date(2030, 1, 1)):
            if state.answer is not None and state.answer.answered_at is not None:
                for group in {"", band(user.course_end)}:
                    after[(group, state.months)].append(state.answer.skin_now)
    grouped = defaultdict(list)
    for key, cell in months.items():
        grouped[("", key[1])].append(cell)
        if bands[key]:
            grouped[(bands[key], key[1])].append(cell)
    expected = {}
    for band in BANDS:
        for month in MONTHS:
            cells = grouped[(band, month)]
            shown = len(cells) >= MIN_MEMBERS
            n = len(cells) if shown else None
            for slug in SLUGS:
                share = sum(c["worst"][slug] >= 1 for c in cells) / len(cells) if shown else None
                expected[(slug, "month", band, month)] = (
                    round(share, 4) if shown else None,
                    n,
                )
            for name in ("skin", "mood"):
                values = [mean(c[f"{name}s"]) for c in cells]
                expected[(name, "month", band, month)] = (
                    float(median(values)) if shown else None,
                    n,
                )
        for months_after in CHECKIN_MONTHS:
            given = after[(band, months_after)]
            shown = len(given) >= MIN_MEMBERS
            for name in ("clear", "relapse"):
                share = round(given.count(name) / len(given), 4) if shown else None
                expected[(name, "after", band, months_after)] = (
                    share,
                    len(given) if shown else None,
                )
    return expected


def _stored() -> dict:
    return {
        (row.measure, row.axis, row.band, row.bucket): (row.value, row.n)
        for row in db.session.scalars(select(JournalStat))
    }


def test_sql_statistics_equal_the_per_member_computation(app):
    people = _journals(random.Random(14))
    expected = _reference(people)
    assert aggregate() == len(expected)
    stored = _stored()
    assert stored == expected
    # The fixture is varied enough to test something: shown and suppressed cells, by band.
    shown = [key for key, (value, _) in stored.items() if value is not None]
    assert any(key[2] for key in shown) and any(key[1] == "after" for key in shown)
    assert any(value is None for value, _ in stored.values())
    assert len({stored[("skin", "month", "", m)][0] for m in MONTHS} - {None}) > 1


def test_the_command_replaces_the_statistics(app):
    people = _journals(random.Random(3))
    db.session.commit()
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(app.cli, ["journals", "aggregate"])
        assert result.exit_code == 0, result.output
        assert "statistics cells" in result.output
    assert _stored() == _reference(people)


def test_jobs_run_the_reminders_and_the_statistics(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["jobs", "run", "--task", "journal-stats", "--force"])
    assert result.exit_code == 0 and "journal-stats" in result.output, result.output
    result = runner.invoke(args=["jobs", "run", "--task", "journal-reminders", "--force"])
    assert result.exit_code == 0 and "journal-reminders" in result.output, result.output
