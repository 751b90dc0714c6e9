"""Reading requests on PostgreSQL run outside a transaction, and the first statement that
writes or locks begins one (forum/pg_reads.py, issue #17)."""

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import select, text

from forum.extensions import db
from forum.models import Tag, User
from forum.pg_reads import needs_transaction
from tests.conftest import USING_PG, login
from tests.factories import make_thread, make_user

pg_only = pytest.mark.skipif(
    not USING_PG, reason="reads outside a transaction are PostgreSQL's: make test-pg runs them"
)


def _status():
    return db.session.connection().connection.dbapi_connection.info.transaction_status


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("SELECT posts.id FROM posts WHERE posts.thread_id = %(id)s", False),
        ("  select count(*) from threads", False),
        ("SELECT * FROM review_items WHERE id = 1 FOR UPDATE", True),
        ("SELECT * FROM review_items FOR NO KEY UPDATE SKIP LOCKED", True),
        ("SELECT set_config('statement_timeout', '3000', true)", True),
        ("INSERT INTO tags (slug) VALUES ('x')", True),
        ("UPDATE users SET role = 'admin'", True),
        ("DELETE FROM user_sessions", True),
        ("WITH gone AS (DELETE FROM posts RETURNING id) SELECT count(*) FROM gone", True),
        ("SAVEPOINT sa_savepoint_1", True),
    ],
)
def test_only_plain_selects_run_outside_a_transaction(statement, expected):
    assert needs_transaction(statement) is expected


@pg_only
def test_a_members_page_read_holds_no_transaction_and_a_post_does(make_app):
    extra = make_app()
    seen = {}

    @extra.after_request
    def record(response):
        seen[response.status_code] = _status()
        return response

    with extra.app_context():
        thread = make_thread(make_user("author"), title="Dry lips in month two")
        reader = make_user("reader")
        db.session.commit()
        thread_path = f"/t/{thread.id}"
        db.session.remove()
        client = extra.test_client()
        login(client, reader)
        db.session.remove()
        page = client.get(thread_path)
        assert page.status_code == 200 and "Dry lips in month two" in page.text
        assert seen.pop(200) == TransactionStatus.IDLE
        db.session.remove()
        # A form sent: its reads and writes are one transaction from the first statement.
        refused = client.post(thread_path + "/reply", data={"body": ""})
        assert seen.pop(refused.status_code) == TransactionStatus.INTRANS
        db.session.remove()


@pg_only
def test_writes_in_a_reading_request_are_one_transaction(app):
    db.session.remove()
    with app.test_request_context("/", method="GET"):
        app.preprocess_request()
        assert db.session.scalar(select(db.func.count(User.id))) == 0
        assert _status() == TransactionStatus.IDLE
        db.session.add(Tag(slug="peeling", name="Peeling", sort_order=90))
        db.session.flush()
        assert _status() == TransactionStatus.INTRANS
        db.session.add(Tag(slug="itching", name="Itching", sort_order=91))
        db.session.flush()
        db.session.rollback()
    db.session.remove()
    assert db.session.scalars(select(Tag.slug).where(Tag.sort_order >= 90)).all() == []

    with app.test_request_context("/", method="GET"):
        app.preprocess_request()
        db.session.add(Tag(slug="peeling", name="Peeling", sort_order=90))
        db.session.commit()
    db.session.remove()
    assert db.session.scalars(select(Tag.slug).where(Tag.sort_order >= 90)).all() == ["peeling"]


@pg_only
def test_a_lock_or_a_transaction_local_setting_begins_the_transaction(app):
    db.session.remove()
    with app.test_request_context("/search", method="GET"):
        app.preprocess_request()
        # The search's time limit (forum/search/dialects.py) holds for the statements after.
        db.session.execute(text("SELECT set_config('statement_timeout', '1234', true)"))
        assert _status() == TransactionStatus.INTRANS
        assert db.session.scalar(text("SHOW statement_timeout")) == "1234ms"
        db.session.rollback()
        db.session.scalar(select(User.id).limit(1).with_for_update())
        assert _status() == TransactionStatus.INTRANS
        db.session.rollback()
    db.session.remove()
