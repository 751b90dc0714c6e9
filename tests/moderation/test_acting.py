"""Acting on what moderators read, decisions that fit the item, and the warn-after-report
bug (issue #16), through HTTP."""

import re

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import ItemStatus, Notification, PostStatus, ReviewItem, Role
from tests.conftest import login
from tests.factories import make_user
from tests.moderation.helpers import make_reply, make_thread


def text(response) -> str:
    return response.get_data(as_text=True)


def words(response) -> str:
    """The page as a reader reads it: tags left out, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", "", text(response)).split())


@pytest.fixture
def carol(app):
    user = make_user("carol")
    db.session.commit()
    return user


@pytest.fixture
def mods(app):
    first = make_user("mod1", role=Role.MODERATOR)
    second = make_user("mod2", role=Role.MODERATOR)
    db.session.commit()
    return first, second


@pytest.fixture
def story(carol):
    thread, opening = make_thread(carol, "Month 3 at 40 mg", "My lips are cracking.")
    reply = make_reply(thread, carol, "Buy cheap pills at my shop.")
    db.session.commit()
    return thread, opening, reply


def pending_item(post) -> ReviewItem:
    return db.session.scalar(
        select(ReviewItem).where(
            ReviewItem.post_id == post.id, ReviewItem.status == ItemStatus.PENDING
        )
    )


def test_warn_after_a_moderators_report_restores_the_thread(app, story, mods):
    thread, opening, _ = story
    reporter_mod, deciding_mod = mods
    reporter = login(app.test_client(), reporter_mod)
    reporter.post(f"/p/{opening.id}/report", data={"reason": "harassment", "note": "Rude."})
    assert app.test_client().get(f"/t/{thread.id}").status_code == 404

    decider = login(app.test_client(), deciding_mod)
    item = pending_item(opening)
    response = decider.post(
        f"/mod/items/{item.id}/act", data={"action": "warn", "reason": "Mind your tone."}
    )
    assert response.status_code == 302

    db.session.expire_all()
    assert opening.status == PostStatus.VISIBLE
    assert app.test_client().get(f"/t/{thread.id}").status_code == 200
    log = words(app.test_client().get("/mod/log"))
    assert "a hidden thread" not in log
    assert "Hid a hidden thread" not in log
    assert "Warned carol" in log
    assert "Restored the thread" in log


def test_a_decision_that_does_not_hide_restores_an_auto_hidden_reply(app, story, mods):
    _, _, reply = story
    reporter = login(app.test_client(), mods[0])
    reporter.post(f"/p/{reply.id}/report", data={"reason": "spam"})
    db.session.expire_all()
    assert reply.status == PostStatus.HIDDEN
    decider = login(app.test_client(), mods[1])
    decider.post(
        f"/mod/items/{pending_item(reply).id}/act",
        data={"action": "lock", "reason": "Going in circles."},
    )
    db.session.expire_all()
    assert reply.status == PostStatus.VISIBLE
    assert "Buy cheap pills" in text(app.test_client().get(f"/t/{reply.thread_id}"))


def test_author_is_told_of_a_warning(app, story, mods):
    _, _, reply = story
    login(app.test_client(), mods[0]).post(f"/p/{reply.id}/report", data={"reason": "spam"})
    login(app.test_client(), mods[1]).post(
        f"/mod/items/{pending_item(reply).id}/act",
        data={"action": "warn", "reason": "No selling."},
    )
    notes = db.session.scalars(select(Notification).where(Notification.kind == "warning")).all()
    assert [note.message for note in notes][0].startswith("A moderator warned you")
