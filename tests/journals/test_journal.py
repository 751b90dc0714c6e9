"""Treatment journals (issue #14): the journal page, entries, visibility, crisis notes,
aggregation with suppression, check-in reminders and the export."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.journals import services
from forum.journals.aggregate import MIN_MEMBERS, aggregate, load_stats
from forum.journals.reminders import remind_due
from forum.models import (
    CheckIn,
    Journal,
    JournalEntry,
    Notification,
    OutboxMessage,
    ReviewItem,
    Role,
    utcnow,
)
from forum.tags.services import load_shipped_tags
from tests.conftest import login
from tests.factories import make_user

TODAY = utcnow().date()


def text(response) -> str:
    return response.get_data(as_text=True)


def entry_data(day=None, **extra):
    data = {"date": (day or TODAY).isoformat(), "skin": "4", "mood": "3", "se_dry_lips": "2"}
    data.update(extra)
    return data


def member_with_course(name, *, start, end=None, dose=40, contribute=True, visibility="private"):
    user = make_user(name)
    user.course_start, user.course_end = start, end
    services.add_dose_period(user, starts_on=start, dose_mg=dose)
    services.update_settings(user, visibility=visibility, contribute=contribute)
    return user


def test_an_entry_is_saved_once_a_day_and_shown_on_the_timeline(app, client):
    member = make_user("keeper")
    member.course_start = TODAY - timedelta(days=40)
    db.session.commit()
    login(client, member)
    assert (
        client.post("/journal/entries", data=entry_data(note="Lips *cracked*.")).status_code == 302
    )
    again = client.post("/journal/entries", data=entry_data(skin="5"))
    assert again.status_code == 302
    assert db.session.scalar(select(func.count(JournalEntry.id))) == 1
    page = text(client.get("/journal"))
    assert "<svg" in page and 'class="data-table"' in page
    assert "Dry lips (moderate)" in page
    assert "style=" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_a_bad_entry_keeps_what_was_typed_and_answers_422(client, member):
    login(client, member)
    response = client.post("/journal/entries", data=entry_data(skin="9", note="Kept text"))
    assert response.status_code == 422
    assert "Kept text" in text(response)
    future = client.post("/journal/entries", data=entry_data(day=TODAY + timedelta(days=2)))
    assert future.status_code == 422 and "can&#39;t be in the future" in text(future)
    assert client.post("/journal/entries", data=entry_data(se_dry_lips="7")).status_code == 422


def test_cumulative_dose_follows_the_dose_periods(app, member):
    member.course_start = date(2026, 1, 1)
    member.course_end = date(2026, 1, 20)
    services.add_dose_period(member, starts_on=date(2026, 1, 1), dose_mg=20)
    services.add_dose_period(member, starts_on=date(2026, 1, 11), dose_mg=40)
    course = services.course_of(member, services.dose_periods(member), today=date(2026, 2, 1))
    assert course.cumulative_mg == 10 * 20 + 10 * 40
    course.weight_kg = 60
    assert course.mg_per_kg == 10.0


def test_weight_is_kept_only_when_asked(client, member):
    member.course_start = TODAY - timedelta(days=10)
    db.session.commit()
    login(client, member)
    shown = client.post("/journal/weight", data={"weight_kg": "50"})
    assert shown.status_code == 200 and "mg/kg" in text(shown)
    assert db.session.scalar(select(Journal.weight_kg)) is None
    client.post("/journal/weight", data={"weight_kg": "50", "remember": "y"})
    assert db.session.scalar(select(Journal.weight_kg)) == 50


@pytest.mark.parametrize(
    ("visibility", "anon", "member"),
    [("private", 404, 404), ("members", 404, 200), ("everyone", 200, 200)],
)
def test_journal_visibility(app, client, visibility, anon, member):
    owner = make_user("sharer")
    services.save_entry(owner, day=TODAY, skin=3, mood=3, levels={}, note="Shared words")
    services.save_entry(
        owner,
        day=TODAY - timedelta(days=1),
        skin=3,
        mood=3,
        levels={},
        note="Secret words",
        private=True,
    )
    services.update_settings(owner, visibility=visibility, contribute=False)
    db.session.commit()
    assert client.get("/u/sharer/journal").status_code == anon
    reader = login(app.test_client(), make_user("reader"))
    response = reader.get("/u/sharer/journal")
    assert response.status_code == member
    if member == 200:
        assert "Shared words" in text(response) and "Secret words" not in text(response)
    mod = login(app.test_client(), make_user("warden", role=Role.MODERATOR))
    assert mod.get("/u/sharer/journal").status_code == (404 if visibility == "private" else 200)
    own = login(app.test_client(), owner).get("/u/sharer/journal")
    assert "Secret words" in text(own)


CRISIS = "I want to kill myself"


def test_a_crisis_note_in_a_private_journal_stays_with_the_member(client, member):
    login(client, member)
    response = client.post("/journal/entries", data=entry_data(note=CRISIS))
    assert response.status_code == 200 and "not alone" in text(response)
    assert db.session.scalar(select(func.count(ReviewItem.id))) == 0


def test_a_crisis_note_in_a_shared_journal_goes_to_the_top_of_the_queue(app, client, member):
    services.update_settings(member, visibility="members", contribute=False)
    db.session.commit()
    login(client, member)
    response = client.post("/journal/entries", data=entry_data(note=CRISIS))
    assert "not alone" in text(response)
    item = db.session.scalar(select(ReviewItem))
    assert item.is_crisis and item.journal_entry_id is not None and item.post_id is None
    mod = login(app.test_client(), make_user("warden", role=Role.MODERATOR))
    queue = text(mod.get("/mod/queue"))
    assert "Journal note of" in queue and "kill myself" in queue
    private = client.post(
        "/journal/entries", data=entry_data(day=TODAY - timedelta(days=1), note=CRISIS, private="y")
    )
    assert private.status_code == 200
    assert db.session.scalar(select(func.count(ReviewItem.id))) == 1


# --- Aggregation ---------------------------------------------------------------------------


def fill(user, start, days, *, lips_from=None, skin=3, mood=3, private=False):
    for n in range(days):
        day = start + timedelta(days=n)
        level = 1 if lips_from is not None and n >= lips_from else 0
        services.save_entry(
            user, day=day, skin=skin, mood=mood, levels={"dry_lips": level}, private=private
        )


def cell(stats, measure, bucket, band=""):
    return next(c for c in stats.series(measure, band).cells if c.bucket == bucket)


def test_aggregation_matches_a_hand_computed_fixture(app):
    start = date(2025, 1, 1)
    # 12 contributors at 20 mg: 4 report dry lips in month 1. Skin means 2, 2, 2, 4, ... .
    for n in range(12):
        user = member_with_course(f"c{n}", start=start, dose=20)
        fill(user, start, 3, lips_from=0 if n < 4 else None, skin=2 if n < 6 else 4, mood=3)
    db.session.flush()
    aggregate()
    stats = load_stats()
    lips = cell(stats, "dry_lips", 1)
    assert (lips.value, lips.n) == (pytest.approx(4 / 12, abs=1e-4), 12)
    skin = cell(stats, "skin", 1)
    assert (skin.value, skin.n) == (3.0, 12)  # median of six 2s and six 4s
    assert cell(stats, "dry_lips", 1, band="20_39").n == 12
    assert cell(stats, "dry_lips", 1, band="40_59").value is None
    assert cell(stats, "dry_lips", 2).value is None  # nobody wrote in month 2


@pytest.mark.parametrize(("members", "shown"), [(MIN_MEMBERS - 1, False), (MIN_MEMBERS, True)])
def test_cells_with_fewer_than_ten_members_are_suppressed(app, client, members, shown):
    load_shipped_tags()
    start = date(2025, 1, 1)
    for n in range(members):
        fill(member_with_course(f"c{n}", start=start), start, 2, lips_from=0)
    aggregate()
    db.session.commit()
    lips = cell(load_stats(), "dry_lips", 1)
    assert (lips.value is not None) == shown
    assert lips.n == (members if shown else None)
    page = text(client.get("/insights"))
    assert ("n = 10" in page) == shown
    assert "fewer than 10" in page
    assert "not a clinical study" in page


def test_private_entries_non_contributors_and_withdrawn_members_are_never_counted(app):
    start = date(2025, 1, 1)
    members = [member_with_course(f"c{n}", start=start) for n in range(10)]
    for user in members:
        fill(user, start, 2, lips_from=0)
    outsider = member_with_course("quiet", start=start, contribute=False, visibility="everyone")
    fill(outsider, start, 2)
    hidden = member_with_course("hider", start=start)
    fill(hidden, start, 2, private=True)
    aggregate()
    assert cell(load_stats(), "dry_lips", 1).n == 10
    services.update_settings(members[0], visibility="private", contribute=False)
    aggregate()
    assert cell(load_stats(), "dry_lips", 1).value is None  # nine left: suppressed


def test_the_results_after_finishing_count_answered_check_ins(app):
    start, end = date(2024, 1, 1), date(2024, 7, 1)
    for n in range(10):
        user = member_with_course(f"f{n}", start=start, end=end)
        skin = "clear" if n < 7 else "relapse"
        services.answer_checkin(user, 1, services.CheckInAnswer(skin))
    aggregate()
    stats = load_stats()
    assert cell(stats, "clear", 1).value == pytest.approx(0.7)
    assert cell(stats, "relapse", 1).value == pytest.approx(0.3)
    assert cell(stats, "clear", 3).value is None


# --- Check-ins -----------------------------------------------------------------------------


def test_each_check_in_reminder_fires_once(app):
    end = date(2025, 1, 15)
    user = member_with_course("done", start=date(2024, 7, 1), end=end)
    db.session.commit()
    assert remind_due(today=date(2025, 2, 14)) == 0
    assert remind_due(today=date(2025, 2, 15)) == 1
    assert remind_due(today=date(2025, 2, 16)) == 0
    assert remind_due(today=date(2025, 4, 15)) == 1
    assert remind_due(today=date(2025, 7, 15)) == 1
    assert remind_due(today=date(2026, 1, 15)) == 1
    assert remind_due(today=date(2026, 6, 1)) == 0
    assert db.session.scalar(select(func.count(Notification.id))) == 4
    assert sorted(db.session.scalars(select(CheckIn.months))) == [1, 3, 6, 12]
    assert db.session.scalar(select(func.count(CheckIn.id)).where(CheckIn.user_id == user.id)) == 4


def test_a_check_in_is_answered_through_its_form(client, member):
    member.course_start, member.course_end = date(2024, 1, 1), TODAY - timedelta(days=40)
    db.session.commit()
    login(client, member)
    assert "Answer your check-in" in text(client.get("/journal"))
    assert client.get("/journal/checkins/1").status_code == 200
    assert client.post("/journal/checkins/1", data={}).status_code == 422
    done = client.post("/journal/checkins/1", data={"skin_now": "few_spots", "se_dry_eyes": "1"})
    assert done.status_code == 302
    assert db.session.scalar(select(CheckIn.skin_now)) == "few_spots"
    assert client.post("/journal/checkins/3", data={"skin_now": "clear"}).status_code == 409
    assert client.get("/journal/checkins/2").status_code == 404


# --- Export --------------------------------------------------------------------------------


def test_the_export_holds_every_entry(client, member):
    member.course_start = TODAY - timedelta(days=30)
    services.add_dose_period(member, starts_on=member.course_start, dose_mg=30)
    for n in range(20):
        services.save_entry(
            member,
            day=TODAY - timedelta(days=n),
            skin=3,
            mood=4,
            levels={},
            note=f"note{n}",
            private=n % 2 == 0,
        )
    db.session.commit()
    login(client, member)
    page = text(client.get("/journal/export"))
    csv = text(client.get("/journal/export.csv"))
    for n in range(20):
        assert f"note{n}<" in page and f"note{n}\r\n" in csv
    assert "<script" not in page
    assert "dose_period" in csv and "cumulative_mg" in csv


def test_the_journal_page_costs_a_fixed_number_of_queries(app, client, member, count_queries):
    member.course_start = TODAY - timedelta(days=200)
    db.session.commit()
    login(client, member)
    counts = []
    for days in (3, 60):
        for n in range(days):
            services.save_entry(member, day=TODAY - timedelta(days=n), skin=3, mood=3, levels={})
        with count_queries() as log:
            assert client.get("/journal").status_code == 200
        counts.append(log.count)
    assert counts[0] == counts[1]


def test_a_guide_article_shows_the_measures_its_front_matter_names(app, client, count_queries):
    from forum.guide import services as guide_services

    load_shipped_tags()
    guide_services.load_shipped_guide()
    start = date(2025, 1, 1)
    for n in range(10):
        fill(member_with_course(f"c{n}", start=start), start, 2, lips_from=0)
    aggregate()
    db.session.commit()  # the commit keeps the new statistics as this process's copy
    counts = []
    for _ in range(2):
        with count_queries() as log:
            html = text(client.get("/guide/managing-dryness"))
        counts.append(log.count)
    assert "Dry lips" in html and "Dry eyes" in html and "n = 10" in html
    assert "not a clinical study" in html and "<table" in html
    assert counts[0] == counts[1]
    assert not any("journal_stats" in s for s in log.statements)
    for slug in ("dryness", "mood", "results-after-finishing"):
        assert "What members report" in text(client.get(f"/tags/{slug}"))
    assert "What members report" not in text(client.get("/tags/dosage"))


def test_a_due_check_in_is_mailed_only_to_members_who_chose_it(app, client):
    end = date(2025, 1, 15)
    mailed = member_with_course("wants_mail", start=date(2024, 7, 1), end=end)
    quiet = member_with_course("no_mail", start=date(2024, 7, 1), end=end)
    db.session.commit()
    login(client, mailed)
    page = text(client.get("/settings/notifications"))
    assert 'name="email_checkin"' in page
    saved = client.post(
        "/settings/notifications",
        data={
            **{f"email_{k}": "off" for k in ("reply", "watched", "mention", "moderation")},
            "email_checkin": "each",
        },
    )
    assert saved.status_code == 302
    assert remind_due(today=date(2025, 2, 15)) == 2
    db.session.commit()
    mail = db.session.scalars(select(OutboxMessage)).all()
    assert [m.to_address for m in mail] == [mailed.email]
    assert "how is your skin now" in mail[0].body_text
    assert f"{app.config['BASE_URL']}/journal/checkins/1" in mail[0].body_text
    assert "/unsubscribe/" in mail[0].body_text
    assert db.session.scalar(
        select(func.count(Notification.id)).where(Notification.user_id == quiet.id)
    )


def ticked(page: str, name: str) -> bool:
    box = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    return box is not None and re.search(r"\bchecked\b", box.group(0)) is not None


def test_counting_in_the_statistics_is_one_choice_on_both_settings_pages(client, member):
    login(client, member)
    assert client.post("/settings/privacy", data={"contribute": "y"}).status_code == 302
    assert ticked(text(client.get("/journal/settings")), "contribute")
    assert client.post("/journal/settings", data={"visibility": "private"}).status_code == 302
    db.session.expire_all()
    assert not db.session.get(type(member), member.id).contribute
    assert not ticked(text(client.get("/settings/privacy")), "contribute")
