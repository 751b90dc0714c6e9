"""The author of a thread corrects its topics, stage, month and dose after posting; the
revision history keeps the earlier ones (issue #11)."""

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import PostRevision, Thread
from forum.tags.services import load_shipped_tags
from forum.threads import services
from tests.conftest import login
from tests.factories import make_post, make_thread, make_user
from tests.threads.pages import input_value, is_checked, textarea


@pytest.fixture(autouse=True)
def tags(app):
    load_shipped_tags()
    db.session.commit()


@pytest.fixture
def author(app):
    user = make_user("storyteller")
    db.session.commit()
    return user


@pytest.fixture
def thread(author):
    thread = make_thread(
        author,
        title="Month two and my lips",
        body="Cracked lips from week one.",
        tags=("dryness",),
        treatment_month=2,
        daily_dose_mg=20,
    )
    db.session.commit()
    return thread


def edit_data(thread, **changes) -> dict:
    data = {
        "details": "1",
        "title": thread.title,
        "body": services.opening_post(thread).body,
        "tags": [tag.slug for tag in thread.tags],
        "stage": thread.stage or "",
        "treatment_month": thread.treatment_month or "",
        "months_since": thread.months_since or "",
        "daily_dose_mg": thread.daily_dose_mg or "",
    }
    data.update(changes)
    return data


def html_of(response) -> str:
    return response.get_data(as_text=True)


def test_the_edit_page_shows_the_threads_topics_and_details(client, thread, author):
    login(client, author)
    opening = services.opening_post(thread)
    html = html_of(client.get(f"/p/{opening.id}/edit"))
    assert is_checked(html, "tags", "dryness") and not is_checked(html, "tags", "mood")
    assert input_value(html, "treatment_month") == "2"
    assert input_value(html, "daily_dose_mg") == "20"
    assert '<option selected value="on_treatment">' in html


def test_the_author_corrects_topics_month_and_dose(client, thread, author):
    login(client, author)
    opening = services.opening_post(thread)
    response = client.post(
        f"/p/{opening.id}/edit",
        data=edit_data(thread, tags=["dryness", "mood"], treatment_month="8", daily_dose_mg="40"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    fixed = db.session.get(Thread, thread.id)
    assert [tag.slug for tag in fixed.tags] == ["dryness", "mood"]
    assert fixed.badge == "Month 8 · 40 mg/day"
    assert services.opening_post(fixed).badge == "Month 8 · 40 mg/day"

    page = html_of(client.get(f"/t/{thread.id}/{thread.slug}"))
    assert page.count("Month 8 · 40 mg/day") >= 2  # the header and the opening post
    assert "Month 2 · 20 mg/day" not in page
    client.post("/logout")
    assert thread.title in html_of(client.get("/tags/mood"))

    revision = db.session.scalar(select(PostRevision))
    assert revision.details["tags"] == [{"slug": "dryness", "name": "Dryness"}]
    assert revision.details["treatment_month"] == 2
    login(client, author)
    history = html_of(client.get(f"/p/{opening.id}/history"))
    assert "<strong>Topics:</strong> Dryness · <strong>Details:</strong> Month 2 · 20 mg/day" in (
        history
    )
    assert "<strong>Topics:</strong> Dryness, Mood · <strong>Details:</strong> Month 8" in history


def test_details_alone_can_change_and_be_cleared(client, thread, author):
    login(client, author)
    opening = services.opening_post(thread)
    response = client.post(
        f"/p/{opening.id}/edit",
        data=edit_data(thread, stage="", treatment_month="", daily_dose_mg=""),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).badge == ""
    assert services.opening_post(thread).body == "Cracked lips from week one."
    assert len(db.session.scalars(select(PostRevision)).all()) == 1
    # The same details again change nothing and add no revision.
    again = client.post(f"/p/{opening.id}/edit", data=edit_data(db.session.get(Thread, thread.id)))
    assert again.status_code == 302
    assert len(db.session.scalars(select(PostRevision)).all()) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"tags": []}, "Choose 1 to 3 topics."),
        ({"tags": ["dryness", "mood", "dosage", "side-effects"]}, "Choose 1 to 3 topics."),
        ({"tags": ["no-such-topic"]}, "Choose topics from the list."),
        ({"stage": "finished", "treatment_month": "3"}, "A treatment month goes with the stage"),
        ({"treatment_month": "99"}, "The treatment month is from 1 to 24."),
        ({"daily_dose_mg": "lots"}, "Enter a whole number."),
        ({"stage": "later"}, "Choose a stage from the list."),
    ],
)
def test_bad_details_answer_422_with_what_was_typed(client, thread, author, changes, message):
    login(client, author)
    opening = services.opening_post(thread)
    response = client.post(
        f"/p/{opening.id}/edit", data=edit_data(thread, body="Now with new words.", **changes)
    )
    assert response.status_code == 422
    html = html_of(response)
    assert message in html
    assert textarea(html) == "Now with new words."
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).badge == "Month 2 · 20 mg/day"


def test_a_text_only_edit_keeps_the_details(client, thread, author):
    login(client, author)
    opening = services.opening_post(thread)
    response = client.post(
        f"/p/{opening.id}/edit", data={"title": thread.title, "body": "Only the words."}
    )
    assert response.status_code == 302
    db.session.expire_all()
    kept = db.session.get(Thread, thread.id)
    assert [tag.slug for tag in kept.tags] == ["dryness"]
    assert kept.badge == "Month 2 · 20 mg/day"


def test_a_reply_edit_has_no_details_and_ignores_them(client, thread, author):
    replier = make_user("replier")
    reply = make_post(thread, replier, body="Same for me.")
    db.session.commit()
    login(client, replier)
    page = html_of(client.get(f"/p/{reply.id}/edit"))
    assert 'name="tags"' not in page and 'name="treatment_month"' not in page
    response = client.post(
        f"/p/{reply.id}/edit",
        data={"details": "1", "body": "Same for me, month 4.", "tags": ["mood"], "stage": "x"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [tag.slug for tag in db.session.get(Thread, thread.id).tags] == ["dryness"]


def test_only_the_author_can_correct_the_details(client, thread):
    login(client, make_user("someoneelse"))
    opening = services.opening_post(thread)
    response = client.post(f"/p/{opening.id}/edit", data=edit_data(thread, tags=["mood"]))
    assert response.status_code == 403
    db.session.expire_all()
    assert [tag.slug for tag in db.session.get(Thread, thread.id).tags] == ["dryness"]


def test_tag_counts_follow_a_change_of_topics(app, client, thread, author, monkeypatch):
    monkeypatch.setitem(app.config, "TAG_COUNTS_SECONDS", 300)
    app.extensions.pop("tag_counts", None)

    def mood_count() -> str:
        html = html_of(client.get("/tags"))
        start = html.index('href="/tags/mood"')
        return html[start : html.index("</li>", start)]

    assert "0 threads" in mood_count()
    login(client, author)
    opening = services.opening_post(thread)
    client.post(f"/p/{opening.id}/edit", data=edit_data(thread, tags=["mood"]))
    client.post("/logout")
    assert "1 thread" in mood_count()
    app.extensions.pop("tag_counts", None)


def test_search_filters_follow_corrected_details(client, thread, author):
    def found(query: str) -> bool:
        response = client.get(f"/search?q=cracked{query}")
        assert response.status_code == 200
        return f'href="/t/{thread.id}"' in response.get_data(as_text=True)

    assert found("&stage=on_treatment") and not found("&stage=finished")
    assert found("&tag=dryness") and not found("&tag=mood")
    login(client, author)
    opening = services.opening_post(thread)
    response = client.post(
        f"/p/{opening.id}/edit",
        data=edit_data(
            thread, tags=["mood"], stage="finished", treatment_month="", months_since="3"
        ),
    )
    assert response.status_code == 302
    client.post("/logout")
    assert found("&stage=finished") and not found("&stage=on_treatment")
    assert found("&tag=mood") and not found("&tag=dryness")
