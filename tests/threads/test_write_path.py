"""The reply write path (issue #17): a fixed, small number of statements, and on SQLite the
write lock taken only for the writes."""

import pytest
from sqlalchemy import event, func, select

from forum.extensions import db
from forum.models import Post, PostStatus, Thread
from forum.threads.services import posting
from tests.conftest import USING_PG, login
from tests.factories import make_post, make_thread, make_user

pytestmark = pytest.mark.usefixtures("shipped_tags")


@pytest.fixture
def quiet_fanout(app, monkeypatch):
    # The fan-out runs after the response in production; here it would run in the request.
    monkeypatch.setitem(app.config, "NOTIFY_DELIVERY", "command")


def test_a_plain_reply_costs_a_fixed_few_statements(client, count_queries, quiet_fanout):
    """The session and the thread read; the thread's counters, which number the reply and
    name the opening post in the same UPDATE; the post, which carries its fan-out flag; its
    search document (one INSERT ... SELECT). Five, beside the transaction's control."""
    author = make_user("replyauthor")
    thread = make_thread(author, title="Counting the statements of a reply")
    db.session.commit()
    path = f"/t/{thread.id}/reply"
    login(client, make_user("replier"))
    with count_queries() as log:
        response = client.post(path, data={"body": "Same here, **lips** dry.", "nonce": "n-1"})
    assert response.status_code == 302
    assert log.count <= 5, str(log)
    verbs = [statement.split()[0].upper() for statement in log.statements]
    assert [verb for verb in verbs if verb != "SELECT"] == ["UPDATE", "INSERT", "INSERT"], str(log)


@pytest.mark.skipif(USING_PG, reason="the write lock is SQLite's")
def test_on_sqlite_the_write_lock_is_taken_after_reading_and_rendering(
    app, client, monkeypatch, quiet_fanout
):
    author = make_user("lockauthor")
    thread = make_thread(author, title="Who holds the write lock, and when")
    parent = make_post(thread, author, body="A reply to answer.")
    db.session.commit()
    path, parent_id = f"/t/{thread.id}/reply", parent.id
    login(client, make_user("lockreplier"))
    db.session.commit()
    db.session.expire_all()
    events: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        events.append(" ".join(statement.split()[:2]).upper())

    real_render = posting.render_post

    def render(body):
        events.append("RENDER")
        return real_render(body)

    monkeypatch.setattr(posting, "render_post", render)
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.post(path, data={"body": "Nested, **bold**.", "parent_id": parent_id})
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 302
    locked = events.index("BEGIN IMMEDIATE")
    assert "RENDER" in events[:locked], events
    # Before the lock only reads; after it only the writes.
    reads = [e for e in events[:locked] if e != "RENDER"]
    assert all(e.startswith(("SELECT", "BEGIN", "COMMIT")) for e in reads), events
    writes = [e for e in events[locked + 1 :] if not e.startswith(("SAVEPOINT", "RELEASE"))]
    assert writes and all(e.startswith(("INSERT", "UPDATE")) for e in writes), events
    assert db.session.scalar(select(func.count(Post.id)).where(Post.parent_id == parent_id)) == 1


def test_a_reply_opens_no_savepoint_and_a_double_submit_still_makes_one_post(client, quiet_fanout):
    """The reply's writes are its transaction's only ones, so a repeated nonce rolls the
    transaction back whole: no SAVEPOINT and RELEASE, two round trips, on every reply."""
    author = make_user("savepointauthor")
    thread = make_thread(author, title="Round trips around the writes")
    db.session.commit()
    path = f"/t/{thread.id}/reply"
    login(client, make_user("savepointreplier"))
    sent: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        sent.append(statement.split()[0].upper())

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        data = {"body": "No savepoint, please.", "nonce": "n-savepoint-1"}
        assert client.post(path, data=data).status_code == 302
        assert client.post(path, data=data).status_code == 302
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert "SAVEPOINT" not in sent and "RELEASE" not in sent, sent
    replies = select(func.count(Post.id)).where(Post.nonce == "n-savepoint-1")
    assert db.session.scalar(replies) == 1


def test_a_double_submit_of_a_plain_reply_makes_one_post(client, quiet_fanout):
    author = make_user("twiceauthor")
    thread = make_thread(author, title="Sent twice by a double click")
    db.session.commit()
    path, thread_id = f"/t/{thread.id}/reply", thread.id
    login(client, make_user("twicereplier"))
    data = {"body": "Only once, please.", "nonce": "n-twice-000001"}
    assert client.post(path, data=data).status_code == 302
    again = client.post(path, data=data, follow_redirects=True)
    assert "That reply was already posted." in again.get_data(as_text=True)
    replies = select(func.count(Post.id)).where(
        Post.thread_id == thread_id, Post.parent_id.is_not(None)
    )
    assert db.session.scalar(replies) == 1
    counted = db.session.get(Thread, thread_id)
    assert (counted.reply_count, counted.top_level_count) == (1, 1)


def test_with_new_members_held_a_reply_still_costs_five_and_a_first_reply_waits(
    app, client, count_queries, quiet_fanout, monkeypatch
):
    """Production holds a member's first post: the count of their published posts comes
    back from the counter update, so it costs no statement of its own."""
    author, regular = make_user("heldauthor"), make_user("regular")
    thread = make_thread(author, title="Held replies and what they cost")
    make_post(thread, regular, body="An earlier reply, published.")
    db.session.commit()
    monkeypatch.setitem(app.config, "NEW_MEMBER_HELD_POSTS", 1)
    path, thread_id = f"/t/{thread.id}/reply", thread.id
    login(client, regular)
    with count_queries() as log:
        response = client.post(path, data={"body": "Published at once.", "nonce": "n-held-1"})
    assert response.status_code == 302
    assert log.count <= 5, str(log)
    newcomer_client = login(app.test_client(), make_user("newcomer"))
    assert newcomer_client.post(path, data={"body": "My very first post."}).status_code == 302
    statuses = dict(
        db.session.execute(select(Post.body, Post.status).where(Post.thread_id == thread_id)).all()
    )
    assert statuses["Published at once."] == PostStatus.VISIBLE
    assert statuses["My very first post."] == PostStatus.PENDING
