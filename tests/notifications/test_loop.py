"""Issue #12 through HTTP: replies, watching, topics, mentions and bookmarks, two members."""

import re

from sqlalchemy import select

from forum.extensions import db
from forum.models import FanoutJob, Notification, Post, ThreadWatch, utcnow
from forum.moderation import services as moderation
from forum.moderation.services.items import pending_item
from forum.notifications import fanout
from forum.threads import services as threads
from tests.conftest import login
from tests.factories import make_post, make_tag, make_thread, make_user


def two_members(app):
    ana, ben = make_user("ana"), make_user("ben")
    db.session.commit()
    return ana, ben, login(app.test_client(), ana), login(app.test_client(), ben)


def header_count(response) -> int | None:
    found = re.search(rb'<span class="count" aria-label="(\d+) unread">', response.data)
    return int(found.group(1)) if found else None


def reply_as(client, thread_id, body="Month four was easier for me.", parent_id=None):
    data = {"body": body}
    if parent_id:
        data["parent_id"] = str(parent_id)
    response = client.post(f"/t/{thread_id}/reply", data=data)
    assert response.status_code == 302, response.data
    return int(response.location.rsplit("#p", 1)[1])


def test_a_reply_reaches_the_author_who_opens_it_and_the_count_drops(app):
    ana, ben, ana_client, ben_client = two_members(app)
    thread = make_thread(ana, title="Did it ease after month 4?")
    db.session.commit()
    reply_id = reply_as(ben_client, thread.id)
    page = ana_client.get("/")
    assert header_count(page) == 1
    inbox = ana_client.get("/notifications")
    assert "ben replied to your post in “Did it ease after month 4?”." in inbox.text
    assert f'href="/p/{reply_id}"' in inbox.text
    assert header_count(ana_client.get("/")) is None
    # Ben's own reply tells Ben nothing.
    assert header_count(ben_client.get("/")) is None


def test_replies_are_grouped_per_thread_until_read(app):
    ana, ben, ana_client, ben_client = two_members(app)
    thread = make_thread(ana, title="Lips in month two")
    db.session.commit()
    first = reply_as(ben_client, thread.id, "One.")
    reply_as(ben_client, thread.id, "Two.")
    reply_as(ben_client, thread.id, "Three.")
    notes = db.session.scalars(select(Notification).where(Notification.user_id == ana.id)).all()
    assert [(n.count, n.post_id) for n in notes] == [(3, first)]
    assert (
        "3 new replies to your posts in “Lips in month two”."
        in ana_client.get("/notifications").text
    )
    reply_as(ben_client, thread.id, "Four, after reading.")
    notes = db.session.scalars(
        select(Notification).where(Notification.user_id == ana.id).order_by(Notification.id)
    ).all()
    assert [n.count for n in notes] == [3, 1]


def test_repliers_watch_the_thread_and_hear_of_later_replies(app):
    ana, ben, ana_client, ben_client = two_members(app)
    cara = make_user("cara")
    db.session.commit()
    cara_client = login(app.test_client(), cara)
    thread = make_thread(ana)
    db.session.commit()
    reply_as(ben_client, thread.id, "Ben here.")
    assert db.session.get(ThreadWatch, {"user_id": ben.id, "thread_id": thread.id})
    reply_as(cara_client, thread.id, "Cara here.")
    kinds = dict(db.session.execute(select(Notification.user_id, Notification.kind)).all())
    assert kinds == {ana.id: "reply", ben.id: "watched"}
    assert "Stop watching" in ben_client.get(f"/t/{thread.id}").text


def test_watch_and_unwatch_buttons(app):
    ana, ben, ana_client, ben_client = two_members(app)
    thread = make_thread(ana)
    db.session.commit()
    page = ben_client.get(f"/t/{thread.id}").text
    assert f'formaction="/t/{thread.id}/watch"' in page
    assert ben_client.post(f"/t/{thread.id}/watch").status_code == 302
    assert f'formaction="/t/{thread.id}/unwatch"' in ben_client.get(f"/t/{thread.id}").text
    make_post(thread, ana, body="An update.")
    db.session.commit()
    fanout.run_pending()
    assert db.session.scalar(select(Notification.kind).where(Notification.user_id == ben.id)) == (
        "watched"
    )
    settings = ben_client.get("/settings/notifications").text
    assert thread.title in settings
    assert ben_client.post(f"/t/{thread.id}/unwatch", data={"next": "/settings/notifications"})
    assert thread.title not in ben_client.get("/settings/notifications").text
    db.session.execute(Notification.__table__.delete())
    make_post(thread, ana, body="Another update.")
    db.session.commit()
    fanout.run_pending()
    assert db.session.scalar(select(Notification.id).where(Notification.user_id == ben.id)) is None


def test_auto_watch_can_be_turned_off(app):
    ana, ben, _, ben_client = two_members(app)
    thread = make_thread(ana)
    db.session.commit()
    response = ben_client.post("/settings/notifications", data={"email_reply": "off"})
    assert response.status_code == 302
    reply_as(ben_client, thread.id)
    assert db.session.get(ThreadWatch, {"user_id": ben.id, "thread_id": thread.id}) is None


def test_following_a_topic_tells_of_new_threads(app):
    ana, ben, ana_client, ben_client = two_members(app)
    make_tag("mood")
    db.session.commit()
    assert 'action="/tags/mood/follow"' in ben_client.get("/tags/mood").text
    assert ben_client.post("/tags/mood/follow").status_code == 302
    assert "/tags/mood/unfollow" in ben_client.get("/settings/notifications").text
    response = ana_client.post(
        "/t/new", data={"title": "Low days in month 3", "body": "Anyone else?", "tags": ["mood"]}
    )
    assert response.status_code == 302
    note = db.session.scalar(select(Notification).where(Notification.user_id == ben.id))
    assert (note.kind, note.message) == (
        "new_thread",
        "A new thread in a topic you follow: “Low days in month 3”.",
    )
    assert ben_client.post("/tags/mood/unfollow").status_code == 302
    assert "/tags/mood/unfollow" not in ben_client.get("/settings/notifications").text


def test_mentions_link_members_and_notify_them_but_not_unknown_names(app):
    ana, ben, _, ben_client = two_members(app)
    thread = make_thread(make_user("dora"))
    db.session.commit()
    reply_id = reply_as(ben_client, thread.id, "Ask @Ana or @nobody_here about it.")
    page = ben_client.get(f"/t/{thread.id}").text
    assert '<a href="/u/ana" rel="nofollow ugc noopener noreferrer">@Ana</a>' in page
    assert "@nobody_here" in page and 'href="/u/nobody_here"' not in page
    note = db.session.scalar(select(Notification).where(Notification.user_id == ana.id))
    assert (note.kind, note.post_id, note.message) == (
        "mention",
        reply_id,
        f"ben mentioned you in “{thread.title}”.",
    )


def test_at_most_ten_members_are_mentioned_per_post(app):
    names = [f"friend{i:02d}" for i in range(12)]
    for name in names:
        make_user(name)
    author = make_user("writer")
    thread = make_thread(make_user("starter"))
    db.session.commit()
    reply_as(login(app.test_client(), author), thread.id, " ".join(f"@{n}" for n in names))
    mentioned = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "mention")
    ).all()
    assert len(mentioned) == 10


def test_a_held_post_mentions_nobody_until_approved(app):
    ana, ben, _, ben_client = two_members(app)
    mod = make_user("moddy", role="moderator")
    thread = make_thread(make_user("dora"))
    db.session.commit()
    app.config["NEW_MEMBER_HELD_POSTS"] = 5
    try:
        reply_id = reply_as(ben_client, thread.id, "Hi @ana.")
    finally:
        app.config["NEW_MEMBER_HELD_POSTS"] = 0
    assert db.session.scalar(select(Notification.id).where(Notification.user_id == ana.id)) is None
    job = db.session.scalar(select(FanoutJob).where(FanoutJob.post_id == reply_id))
    assert job.outcome == "skipped"
    item = pending_item(db.session.get(Post, reply_id))
    mod_client = login(app.test_client(), mod)
    mod_client.post(f"/mod/items/{item.id}/claim")
    response = mod_client.post(
        f"/mod/items/{item.id}/act", data={"action": "approve", "reason": "Fine."}
    )
    assert response.status_code == 302
    kinds = dict(db.session.execute(select(Notification.user_id, Notification.kind)).all())
    assert kinds[ana.id] == "mention"
    assert kinds[ben.id] == "post_approved"


def test_a_suspended_authors_mentions_tell_nobody(app):
    ana, ben, _, _ = two_members(app)
    thread = make_thread(make_user("dora"))
    post = make_post(thread, ben, body="Hello @ana.")
    db.session.commit()
    ben.status = "suspended"
    ben.suspended_until = utcnow().replace(year=utcnow().year + 1)
    db.session.commit()
    fanout.run_pending()
    assert (
        db.session.scalar(
            select(Notification.id).where(
                Notification.user_id == ana.id, Notification.post_id == post.id
            )
        )
        is None
    )


def test_bookmarks_list_newest_first_and_hidden_ones_become_placeholders(app):
    ana, ben, ana_client, ben_client = two_members(app)
    mod = make_user("moddy", role="moderator")
    thread = make_thread(ana, title="Sunscreen that does not sting")
    reply = make_post(thread, ana, body="This one, from the pharmacy.")
    db.session.commit()
    opening = threads.opening_post(thread)
    assert ben_client.post(f"/p/{opening.id}/bookmark").status_code == 302
    assert ben_client.post(f"/p/{reply.id}/bookmark").status_code == 302
    page = ben_client.get(f"/t/{thread.id}").text
    assert f'formaction="/p/{reply.id}/unbookmark"' in page
    listing = ben_client.get("/bookmarks").text
    assert listing.index("A reply by ana") < listing.index("Sunscreen that does not sting")
    moderation.report_post(reply, make_user("reporter"), "spam")
    item = pending_item(reply)
    moderation.act_on_item(item, mod, "hide", "Advert.")
    db.session.commit()
    listing = ben_client.get("/bookmarks").text
    assert "[This post is no longer available]" in listing
    assert "This one, from the pharmacy." not in listing
    assert ben_client.post(f"/p/{reply.id}/unbookmark").status_code == 302
    assert "[This post is no longer available]" not in ben_client.get("/bookmarks").text


def test_bookmarks_page_by_cursor(app):
    ana, ben, _, ben_client = two_members(app)
    thread = make_thread(ana)
    posts = [make_post(thread, ana, body=f"Post {i}.") for i in range(27)]
    db.session.commit()
    for post in posts:
        ben_client.post(f"/p/{post.id}/bookmark")
    first = ben_client.get("/bookmarks").text
    cursor = re.search(r'href="/bookmarks\?before=(\d+)"', first).group(1)
    second = ben_client.get(f"/bookmarks?before={cursor}").text
    assert first.count('class="card bookmark"') == 25
    assert second.count('class="card bookmark"') == 2
    assert ben_client.get("/bookmarks?before=abc").status_code == 400


def test_nobody_can_bookmark_what_they_cannot_see(app):
    ana, ben, _, ben_client = two_members(app)
    thread = make_thread(ana)
    held = make_post(thread, ana, body="Waiting.")
    moderation.hold_post(held)
    db.session.commit()
    assert ben_client.post(f"/p/{held.id}/bookmark").status_code == 404


def test_moderators_see_the_waiting_queue_in_the_header(app, count_queries):
    mod = make_user("moddy", role="moderator")
    thread = make_thread(make_user("writer"))
    crisis = make_post(thread, body="A reply.")
    moderation.report_post(crisis, make_user("worried"), "crisis")
    moderation.report_post(make_post(thread, body="Buy now."), make_user("reporter"), "spam")
    db.session.commit()
    client = login(app.test_client(), mod)
    response = client.get("/help")
    assert '<span class="count" aria-label="2 waiting">2</span>' in response.text
    assert 'aria-label="1 crisis">1 crisis</span>' in response.text
    with count_queries() as log:
        client.get("/help")
    member_client = login(app.test_client(), make_user("plain"))
    with count_queries() as member_log:
        member_client.get("/help")
    assert log.count == member_log.count
