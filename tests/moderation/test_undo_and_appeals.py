"""Undoing decisions, appeals, notes, the spammer purge and /mod/stats (issue #16), through
HTTP."""

import re

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import (
    Appeal,
    ModAction,
    ModerationAction,
    Notification,
    PostStatus,
    ReviewItem,
    Role,
)
from tests.conftest import login
from tests.factories import make_user
from tests.moderation.helpers import make_reply, make_thread


def words(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


@pytest.fixture
def world(app):
    carol = make_user("carol")
    mod1 = make_user("mod1", role=Role.MODERATOR)
    mod2 = make_user("mod2", role=Role.MODERATOR)
    thread, opening = make_thread(carol, "Month 3 at 40 mg", "My lips are cracking.")
    reply = make_reply(thread, carol, "Buy cheap pills at my shop.")
    db.session.commit()
    return carol, mod1, mod2, thread, reply


def moderate(app, user, post, **data):
    return login(app.test_client(), user).post(f"/p/{post.id}/moderate", data=data)


def test_hide_from_the_post_then_restore(app, world):
    carol, mod1, _, thread, reply = world
    assert moderate(app, mod1, reply, action="hide", reason="Selling.").status_code == 302
    assert "Buy cheap pills" not in words(app.test_client().get(f"/t/{thread.id}"))
    assert "Buy cheap pills" in words(login(app.test_client(), carol).get(f"/t/{thread.id}"))
    assert moderate(app, mod1, reply, action="restore", reason="It was fine.").status_code == 302
    db.session.expire_all()
    assert reply.status == PostStatus.VISIBLE
    assert "Buy cheap pills" in words(app.test_client().get(f"/t/{thread.id}"))
    log = words(app.test_client().get("/mod/log"))
    assert "Restored a reply in “Month 3 at 40 mg” It was fine." in log
    assert "Hid a reply in “Month 3 at 40 mg” Selling." in log
    messages = db.session.scalars(select(Notification.message)).all()
    assert any(m.startswith("A moderator restored your reply") for m in messages)


def test_moderate_control_shows_on_posts_moderators_read(app, world):
    _, mod1, _, thread, reply = world
    page = login(app.test_client(), mod1).get(f"/t/{thread.id}").get_data(as_text=True)
    assert f'href="/p/{reply.id}/moderate"' in page
    assert "/moderate" not in app.test_client().get(f"/t/{thread.id}").get_data(as_text=True)


def test_a_public_post_is_not_offered_approve(app, world):
    _, mod1, _, _, reply = world
    page = words(login(app.test_client(), mod1).get(f"/p/{reply.id}/moderate"))
    assert "Approve: publish the post" not in page and "Hide the post" in page
    response = moderate(app, mod1, reply, action="approve")
    assert response.status_code == 409


def test_reason_is_required_against_a_member(app, world):
    _, mod1, _, _, reply = world
    response = moderate(app, mod1, reply, action="warn", reason="")
    assert response.status_code == 422
    assert "Give a reason" in words(response)


def test_suspend_then_lift_and_ban_then_unban(app, world):
    carol, mod1, _, _, reply = world
    moderate(app, mod1, reply, action="suspend", reason="Cool off.", days="3")
    db.session.expire_all()
    assert carol.is_suspended
    moderate(app, mod1, reply, action="lift_suspension", reason="Apologised.")
    db.session.expire_all()
    assert not carol.is_suspended
    moderate(app, mod1, reply, action="ban", reason="Spam.")
    db.session.expire_all()
    assert carol.is_banned
    moderate(app, mod1, reply, action="unban", reason="Mistaken identity.")
    db.session.expire_all()
    assert not carol.is_banned
    log = words(app.test_client().get("/mod/log"))
    assert "Lifted the suspension of carol Apologised." in log
    assert "Unbanned carol Mistaken identity." in log


def test_lock_then_unlock(app, world):
    _, mod1, _, thread, reply = world
    moderate(app, mod1, reply, action="lock", reason="Going in circles.")
    db.session.expire_all()
    assert thread.locked
    moderate(app, mod1, reply, action="unlock", reason="Calmer now.")
    db.session.expire_all()
    assert not thread.locked
    assert "Unlocked the thread “Month 3 at 40 mg”" in words(app.test_client().get("/mod/log"))


def test_reopen_a_resolved_item(app, world):
    _, mod1, _, _, reply = world
    moderate(app, mod1, reply, action="warn", reason="Tone.")
    item = db.session.scalar(select(ReviewItem))
    client = login(app.test_client(), mod1)
    response = client.post(
        f"/mod/items/{item.id}/act", data={"action": "reopen", "reason": "New facts."}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert item.status == "pending"


def test_removal_is_restored_only_by_an_admin(app, world):
    _, mod1, _, _, reply = world
    moderate(app, mod1, reply, action="remove", reason="Spam.")
    assert moderate(app, mod1, reply, action="restore", reason="Oops.").status_code == 409
    admin = make_user("boss", role=Role.ADMIN)
    db.session.commit()
    assert moderate(app, admin, reply, action="restore", reason="Oops.").status_code == 302
    db.session.expire_all()
    assert reply.status == PostStatus.VISIBLE


def test_appeal_decided_by_another_moderator(app, world):
    carol, mod1, mod2, _, reply = world
    moderate(app, mod1, reply, action="hide", reason="Selling.")
    action = db.session.scalar(
        select(ModerationAction).where(ModerationAction.action == ModAction.POST_HIDE)
    )
    member = login(app.test_client(), carol)
    inbox = member.get("/notifications").get_data(as_text=True)
    assert f'href="/appeal/{action.id}"' in inbox
    assert member.post(f"/appeal/{action.id}", data={"body": ""}).status_code == 422
    assert member.post(f"/appeal/{action.id}", data={"body": "It was a joke."}).status_code == 302
    assert member.post(f"/appeal/{action.id}", data={"body": "Again."}).status_code == 409
    appeal = db.session.scalar(select(Appeal))
    assert f"/mod/appeals/{appeal.id}" in login(app.test_client(), mod2).get("/mod/queue").get_data(
        as_text=True
    )

    same = login(app.test_client(), mod1).post(
        f"/mod/appeals/{appeal.id}", data={"action": "grant", "reason": "Fine."}
    )
    assert same.status_code == 403
    other = login(app.test_client(), mod2).post(
        f"/mod/appeals/{appeal.id}", data={"action": "grant", "reason": "Not selling."}
    )
    assert other.status_code == 302
    db.session.expire_all()
    assert reply.status == PostStatus.VISIBLE and appeal.status == "granted"
    assert "Appeal granted: carol" in words(app.test_client().get("/mod/log"))
    assert "took the decision back" in words(member.get("/notifications"))
    assert "Granted" in words(member.get(f"/appeal/{action.id}"))


def test_others_cannot_appeal_a_decision(app, world):
    _, mod1, _, _, reply = world
    moderate(app, mod1, reply, action="hide", reason="Selling.")
    action = db.session.scalar(select(ModerationAction))
    stranger = make_user("stranger")
    db.session.commit()
    assert login(app.test_client(), stranger).get(f"/appeal/{action.id}").status_code == 404


def test_notes_are_for_moderators_only(app, world):
    carol, mod1, _, _, reply = world
    client = login(app.test_client(), mod1)
    assert client.post("/u/carol/notes", data={"body": "Posts shop links."}).status_code == 302
    assert "Posts shop links." in words(client.get("/u/carol"))
    assert "Posts shop links." in words(client.get(f"/p/{reply.id}/moderate"))
    assert "Posts shop links." not in words(app.test_client().get("/u/carol"))
    assert "Posts shop links." not in words(login(app.test_client(), carol).get("/u/carol"))


def test_purge_spammer_removes_every_post_and_bans_in_one_log_line(app, world):
    carol, mod1, _, thread, reply = world
    response = moderate(app, mod1, reply, action="purge_spammer", reason="Spam.")
    assert response.status_code == 302
    db.session.expire_all()
    assert carol.is_banned
    assert app.test_client().get(f"/t/{thread.id}").status_code == 404
    log = words(app.test_client().get("/mod/log"))
    assert log.count("Banned carol and removed 2 posts") == 1


def test_stats_page(app, world, count_queries):
    _, mod1, _, _, reply = world
    moderate(app, mod1, reply, action="warn", reason="Tone.")
    client = login(app.test_client(), mod1)
    with count_queries() as log:
        response = client.get("/mod/stats")
    page = words(response)
    assert response.status_code == 200, page[-400:]
    assert "Resolution, last 7 days 1" in page and "Resolution, last 7 days 1 — —" not in page
    assert log.count < 20
