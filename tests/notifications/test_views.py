"""The inbox at /notifications (issues #4 and #10): links built from ids when shown, one
query for the page, marking read."""

from sqlalchemy import select

from forum.extensions import db
from forum.models import Notification, Post, ReviewItem, User
from forum.moderation import services as moderation
from forum.notifications import Kind, notify
from tests.conftest import login
from tests.factories import make_post, make_thread, make_user


def text(response) -> str:
    return response.get_data(as_text=True)


def test_inbox_links_come_from_the_route_map(client, moderator, other_member):
    author = make_user("author")
    thread = make_thread(author, title="Month two dryness", body="Lips cracking.")
    reply = make_post(thread, author, body="Buy my miracle cure.")
    moderation.report_post(reply, other_member, "spam")
    item = db.session.scalar(select(ReviewItem))
    moderation.act_on_item(item, moderator, "hide", "Selling things.")
    notify(author, Kind.THREAD_LOCKED, "About the whole thread.", thread=thread)
    notify(author, Kind.WARNING, "About nothing in particular.")
    db.session.commit()
    [hidden] = db.session.scalars(select(Notification).where(Notification.kind == "post_hidden"))
    assert (hidden.post_id, hidden.thread_id) == (reply.id, thread.id)

    login(client, author)
    page = text(client.get("/notifications"))
    assert f'<a href="/p/{reply.id}">View the post</a>' in page
    assert f'<a href="/t/{thread.id}">View the thread</a>' in page
    assert page.count("View the") == 2  # the one about nothing has no link
    followed = client.get(f"/p/{reply.id}")
    assert followed.status_code == 302 and f"#p{reply.id}" in followed.location


def test_inbox_is_one_query_whatever_it_shows(client, member, count_queries):
    author = make_user("author")
    thread = make_thread(author, title="Month two dryness", body="Lips cracking.")
    replies = [make_post(thread, author, body=f"Reply {n}.") for n in range(6)]
    db.session.commit()
    ids = (member.id, [reply.id for reply in replies])
    login(client, member)

    def inbox_queries(post_ids):
        user = db.session.get(User, ids[0])
        for post_id in post_ids:
            notify(user, Kind.WARNING, f"About post {post_id}.", post=db.session.get(Post, post_id))
        db.session.commit()
        with count_queries() as log:
            page = text(client.get("/notifications"))
        shown = db.session.scalar(select(db.func.count(Notification.id)))
        assert page.count("View the post") == shown
        return [s for s in log.statements if s.lstrip().upper().startswith("SELECT")]

    one = inbox_queries(ids[1][:1])
    six = inbox_queries(ids[1][1:])
    # The session with its user and unread count, then the inbox: nothing per notification.
    assert len(one) == len(six) == 2, six
    assert not any(" posts" in s or " threads" in s for s in six)


def test_mark_all_read(client, member):
    for n in range(3):
        db.session.add(Notification(user_id=member.id, kind="warning", message=f"m{n}"))
    db.session.commit()
    login(client, member)
    response = client.post("/notifications/read")
    assert response.status_code == 302 and response.location == "/notifications"
    assert (
        db.session.scalar(
            select(db.func.count(Notification.id)).where(Notification.read_at.is_(None))
        )
        == 0
    )


def test_notifications_page_only_shows_ones_own(client, member, other_member):
    db.session.add(Notification(user_id=other_member.id, kind="warning", message="Not yours"))
    db.session.add(Notification(user_id=member.id, kind="warning", message="Yours"))
    db.session.commit()
    login(client, member)
    page = text(client.get("/notifications"))
    assert "Yours" in page and "Not yours" not in page
    assert client.get("/notifications?before=abc").status_code == 400
