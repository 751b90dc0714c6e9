"""A crisis note in a shared journal, decided by a moderator (issue #14): the item page,
following it up, making the note private, reopening, and what readers and the log show."""

import re

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.journals import services
from forum.models import ItemStatus, JournalEntry, Notification, ReviewItem, Role, utcnow
from tests.conftest import login
from tests.factories import make_user

CRISIS = "Some nights I want to kill myself."
TODAY = utcnow().date()


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def queued(app):
    """A member whose members-only journal holds a crisis note, and its review item."""
    member = make_user("lena")
    services.update_settings(member, visibility="members", contribute=False)
    db.session.commit()
    writer = login(app.test_client(), member)
    data = {"date": TODAY.isoformat(), "skin": "3", "mood": "1", "note": CRISIS}
    assert "not alone" in text(writer.post("/journal/entries", data=data))
    item = db.session.scalar(select(ReviewItem))
    return member, writer, item


@pytest.fixture
def warden(app):
    return login(app.test_client(), make_user("warden", role=Role.MODERATOR))


def test_the_queue_leads_to_an_item_page_with_the_note_and_two_decisions(queued, warden):
    member, _, item = queued
    queue = text(warden.get("/mod/queue"))
    assert f'href="/mod/items/{item.id}"' in queue
    page = warden.get(f"/mod/items/{item.id}")
    assert page.status_code == 200
    body = text(page)
    assert "kill myself" in body and "lena" in body and "Matched the crisis phrase" in body
    offered = set(re.findall(r"<input[^>]*name=\"action\"[^>]*value=\"(\w+)\"", body))
    assert offered == {"followed_up", "hide"}
    assert "Make the note private" in body
    assert warden.post(f"/mod/items/{item.id}/claim").status_code == 302
    assert "Claimed by" in text(warden.get(f"/mod/items/{item.id}"))


def test_following_up_resolves_the_item_and_logs_only_a_safety_action(app, queued, warden):
    member, _, item = queued
    missing = warden.post(f"/mod/items/{item.id}/act", data={"action": "followed_up"})
    assert missing.status_code == 422 and "Say how you followed it up" in text(missing)
    done = warden.post(
        f"/mod/items/{item.id}/act", data={"action": "followed_up", "follow_up": "reached_out"}
    )
    assert done.status_code == 302
    db.session.expire_all()
    item = db.session.get(ReviewItem, item.id)
    assert item.status == ItemStatus.RESOLVED and item.outcome == "followed_up"
    assert "Journal note of" not in text(warden.get("/mod/queue"))
    log = text(app.test_client().get("/mod/log"))
    assert "Safety action" in log and "lena" not in log
    # Resolved: only reopening is offered, and it puts the item back.
    again = warden.post(f"/mod/items/{item.id}/act", data={"action": "hide", "reason": "x"})
    assert again.status_code == 409
    reopened = warden.post(
        f"/mod/items/{item.id}/act", data={"action": "reopen", "reason": "Checking again."}
    )
    assert reopened.status_code == 302
    db.session.expire_all()
    assert db.session.get(ReviewItem, item.id).status == ItemStatus.PENDING


def test_making_the_note_private_hides_it_from_others_and_tells_the_member(app, queued, warden):
    member, writer, item = queued
    reader = login(app.test_client(), make_user("nosy"))
    assert "kill myself" in text(reader.get("/u/lena/journal"))
    no_reason = warden.post(f"/mod/items/{item.id}/act", data={"action": "hide"})
    assert no_reason.status_code == 422 and "Give a reason" in text(no_reason)
    reason = "Kept between you and us while we check in."
    done = warden.post(f"/mod/items/{item.id}/act", data={"action": "hide", "reason": reason})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(JournalEntry)).is_private
    assert "kill myself" not in text(reader.get("/u/lena/journal"))
    assert "kill myself" in text(writer.get("/journal"))
    notice = db.session.scalar(select(Notification).where(Notification.user_id == member.id))
    assert "private" in notice.message and reason in notice.message
    assert "lena" not in text(app.test_client().get("/mod/log"))


def test_a_journal_made_private_since_keeps_its_note_from_the_moderator(queued, warden):
    member, _, item = queued
    services.update_settings(member, visibility="private", contribute=False)
    db.session.commit()
    body = text(warden.get(f"/mod/items/{item.id}"))
    assert "Some nights" not in body and "made this journal or note private" in body
    offered = set(re.findall(r"<input[^>]*name=\"action\"[^>]*value=\"(\w+)\"", body))
    assert offered == {"followed_up", "hide"}


def test_a_moderator_cannot_decide_on_their_own_journal(app):
    member = make_user("mod_lena", role=Role.MODERATOR)
    make_user("other_mod", role=Role.MODERATOR)
    services.update_settings(member, visibility="everyone", contribute=False)
    db.session.commit()
    client = login(app.test_client(), member)
    data = {"date": TODAY.isoformat(), "skin": "3", "mood": "1", "note": CRISIS}
    client.post("/journal/entries", data=data)
    item = db.session.scalar(select(ReviewItem))
    refused = client.post(
        f"/mod/items/{item.id}/act", data={"action": "followed_up", "follow_up": "no_action"}
    )
    assert refused.status_code == 403


def test_members_cannot_open_a_journal_item(app, queued):
    _, writer, item = queued
    assert writer.get(f"/mod/items/{item.id}").status_code in (403, 404)
