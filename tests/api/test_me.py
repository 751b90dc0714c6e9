"""The member's own bookmarks and journal, and the members' statistics (issue #18)."""

from datetime import date, timedelta

from forum.api import tokens
from forum.bookmarks import services as bookmarks
from forum.extensions import db
from forum.journals import services as journals
from forum.journals.aggregate import aggregate
from forum.models import Audience, Role
from forum.threads import services as threads
from forum.threads.audience import set_audience
from tests.factories import make_post, make_thread, make_user, set_post_status


def _token(user) -> dict:
    _, token = tokens.create_token(user, name="Script", days=30)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _all_pages(client, path, key, headers) -> list[list[dict]]:
    pages = []
    while path:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, response.text
        data = response.get_json()
        pages.append(data[key])
        path = data["next"]
    return pages


# --- /api/v1/me/bookmarks ----------------------------------------------------------------------


def test_bookmarks_page_newest_first_and_gone_posts_become_placeholders(client):
    member, author = make_user("saver"), make_user("writer")
    story = make_thread(author, title="Month three", body="Lips still dry.")
    reply = make_post(story, author, body="Balm twice a day.")
    closed = make_thread(author, title="For members", body="Quiet story.")
    set_audience(closed, Audience.MEMBERS)
    doomed = make_post(story, author, body="A reply that gets hidden.")
    for post in (threads.opening_post(story), reply, threads.opening_post(closed), doomed):
        bookmarks.add_bookmark(member, post)
    set_post_status(doomed, "hidden")
    make_user("other")  # someone else's bookmarks never appear
    headers = _token(member)

    pages = _all_pages(client, "/api/v1/me/bookmarks?limit=3", "bookmarks", headers)
    assert [len(page) for page in pages] == [3, 1]
    rows = [row for page in pages for row in page]
    assert [row["post_id"] for row in rows] == [
        doomed.id,
        threads.opening_post(closed).id,
        reply.id,
        threads.opening_post(story).id,
    ]
    gone, members_only, answer, opening = rows
    assert gone["title"] is None and gone["url"] is None and gone["author"] is None
    assert gone["placeholder"] == bookmarks.GONE_TEXT
    assert members_only["title"] == "For members" and members_only["kind"] == "thread"
    assert answer == {
        **answer,
        "kind": "reply",
        "title": "Month three",
        "author": "writer",
        "thread_id": story.id,
        "placeholder": None,
    }
    assert answer["url"].endswith(f"/p/{reply.id}")
    assert opening["kind"] == "thread"


def test_a_moderators_bookmark_of_a_hidden_post_is_a_placeholder_in_the_api(client):
    moderator, author = make_user("watcher", role=Role.MODERATOR), make_user("writer")
    story = make_thread(author, title="Month three", body="Lips still dry.")
    doomed = make_post(story, author, body="A reply that gets hidden.")
    bookmarks.add_bookmark(moderator, doomed)
    set_post_status(doomed, "hidden")
    rows = client.get("/api/v1/me/bookmarks", headers=_token(moderator)).get_json()["bookmarks"]
    assert rows[0]["placeholder"] == bookmarks.GONE_TEXT and rows[0]["title"] is None


def test_bookmarks_need_a_token_and_a_sane_cursor(client):
    assert client.get("/api/v1/me/bookmarks").status_code == 401
    headers = _token(make_user("saver"))
    assert client.get("/api/v1/me/bookmarks?before=abc", headers=headers).status_code == 400
    empty = client.get("/api/v1/me/bookmarks", headers=headers).get_json()
    assert empty == {"bookmarks": [], "next": None}


# --- /api/v1/me/journal ------------------------------------------------------------------------


def _member_with_journal(name: str, start: date, days: int):
    user = make_user(name)
    user.course_start = start
    journals.add_dose_period(user, starts_on=start, dose_mg=20)
    journals.add_dose_period(user, starts_on=start + timedelta(days=30), dose_mg=40)
    journals.update_settings(user, visibility="members", contribute=True)
    for n in range(days):
        journals.save_entry(
            user,
            day=start + timedelta(days=n),
            skin=3,
            mood=4,
            levels={"dry_lips": n % 4},
            note=f"Day {n + 1} note" if n == 0 else "",
            private=n == 1,
        )
    return user


def test_the_journal_shows_its_course_doses_and_every_own_entry_newest_first(client):
    start = date.today() - timedelta(days=60)
    member = _member_with_journal("keeper", start, 5)
    _member_with_journal("neighbour", start, 3)
    headers = _token(member)

    first = client.get("/api/v1/me/journal?limit=2", headers=headers).get_json()
    assert first["journal"]["visibility"] == "members" and first["journal"]["contribute"]
    course = first["course"]
    assert course["start"] == start.isoformat() and course["end"] is None
    assert course["dose_periods"] == [
        {"starts_on": start.isoformat(), "dose_mg": 20},
        {"starts_on": (start + timedelta(days=30)).isoformat(), "dose_mg": 40},
    ]
    assert course["days"] == 61 and course["cumulative_mg"] == 30 * 20 + 31 * 40

    pages = _all_pages(client, "/api/v1/me/journal?limit=2", "entries", headers)
    assert [len(page) for page in pages] == [2, 2, 1]
    entries = [entry for page in pages for entry in page]
    days = [(start + timedelta(days=n)).isoformat() for n in range(5)]
    assert [entry["date"] for entry in entries] == days[::-1]
    oldest, private = entries[-1], entries[-2]
    assert oldest["note_html"] == "<p>Day 1 note</p>" and oldest["skin"] == 3
    assert oldest["side_effects"]["dry_lips"] == 0 and private["side_effects"]["dry_lips"] == 1
    assert private["private"] is True  # the member's own private entry is theirs to read


def test_a_member_without_a_journal_gets_the_defaults(client):
    data = client.get("/api/v1/me/journal", headers=_token(make_user("new"))).get_json()
    assert data["journal"]["visibility"] == "private" and data["journal"]["contribute"] is False
    assert data["entries"] == [] and data["next"] is None
    assert data["course"]["dose_periods"] == [] and data["course"]["days"] == 0


def test_the_journal_refuses_a_malformed_cursor(client):
    headers = _token(make_user("keeper"))
    for bad in ("yesterday", "2026-13-01", "2026-02-30"):
        response = client.get(f"/api/v1/me/journal?before={bad}", headers=headers)
        assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert client.get("/api/v1/me/journal").status_code == 401


# --- /api/v1/insights --------------------------------------------------------------------------


def test_insights_give_each_cell_its_n_and_suppressed_cells_as_null(client):
    start = date.today() - timedelta(days=90)
    for n in range(10):
        _member_with_journal(f"c{n}", start, 3)
    aggregate()
    db.session.commit()
    data = client.get("/api/v1/insights").get_json()
    assert data["min_members"] == 10 and "not a clinical study" in data["disclaimer"]
    assert data["computed_at"] is not None
    series = {item["measure"]: item for item in data["series"]}
    assert set(series) >= {"dry_lips", "skin", "mood", "clear", "relapse"}
    lips = series["dry_lips"]
    assert lips["axis"] == "month" and lips["kind"] == "share"
    month_one = lips["cells"][0]
    assert month_one == {"bucket": 1, "value": 1.0, "n": 10}  # each rated dry lips on day three
    assert all(cell["value"] is None and cell["n"] is None for cell in lips["cells"][1:])
    assert series["skin"]["kind"] == "median" and series["skin"]["cells"][0]["value"] == 3.0
    assert series["clear"]["axis"] == "after"
    assert [cell["bucket"] for cell in series["clear"]["cells"]] == [1, 3, 6, 12]


def test_insights_with_too_few_members_publish_nothing(client):
    start = date.today() - timedelta(days=90)
    for n in range(9):
        _member_with_journal(f"c{n}", start, 3)
    aggregate()
    db.session.commit()
    data = client.get("/api/v1/insights").get_json()
    for item in data["series"]:
        assert all(cell["value"] is None and cell["n"] is None for cell in item["cells"])
