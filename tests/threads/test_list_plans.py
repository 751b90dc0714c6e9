"""Members' thread lists read a few pages of the database however large the forum (issue #17).

At 1,000,000 posts the signed-in home and tag pages took a second each on PostgreSQL: to
answer "was this thread's opening post deleted?" for every row, the planner hashed every
opening post in the forum. These tests seed a forum of a few thousand threads, let
PostgreSQL gather its statistics, and count the database pages the list query touches.
"""

import json

import pytest
from sqlalchemy import event

from forum.bench import seed as seeding
from forum.extensions import db
from tests.conftest import USING_PG, login
from tests.factories import make_user

pytestmark = [
    pytest.mark.skipif(not USING_PG, reason="the planner studied here is PostgreSQL's"),
    pytest.mark.usefixtures("shipped_tags"),
]

THREADS = 4000
# Database pages a list may touch. The home page reads 30 threads with their authors and
# excerpts (about 200 pages); a tag page walks the newest threads until 30 carry the tag
# (about 750). Hashing every opening post cost 1,200 and 2,700.
MOST_PAGES_TOUCHED = {"/": 600, "/tags/dryness": 1600}


@pytest.fixture
def large_forum(app):
    seeding.seed(threads=THREADS, posts=THREADS * 2)
    db.session.commit()
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")


def _list_statement(client, path: str) -> tuple[str, dict]:
    """The statement that reads the threads of ``path``, as the page sent it."""
    listed = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        if "ORDER BY threads.last_activity_at DESC" in statement:
            listed.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200
    assert len(listed) == 1, listed
    return listed[0]


def _pages_touched(statement: str, parameters: dict) -> int:
    with db.engine.connect() as conn:
        [[plan]] = conn.exec_driver_sql(
            "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, parameters
        ).fetchall()
    plan = plan if isinstance(plan, list) else json.loads(plan)
    top = plan[0]["Plan"]
    return top["Shared Hit Blocks"] + top["Shared Read Blocks"]


@pytest.mark.parametrize("path", list(MOST_PAGES_TOUCHED))
def test_a_members_list_page_reads_a_few_pages_of_a_large_forum(client, large_forum, path):
    login(client, make_user("reader"))
    db.session.commit()
    statement, parameters = _list_statement(client, path)
    touched = _pages_touched(statement, parameters)
    assert touched < MOST_PAGES_TOUCHED[path], f"{touched} pages for {path}"
