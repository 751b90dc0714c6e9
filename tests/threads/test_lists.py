"""Thread lists: cursors, filters, and the indexes the list queries run on."""

from datetime import datetime

import pytest
from sqlalchemy import event

from forum.extensions import db
from forum.models import Thread
from forum.tags.services import get_tag, load_shipped_tags
from forum.threads import lists
from tests.conftest import USING_PG
from tests.factories import make_thread


def test_cursor_round_trip_for_each_sort(app):
    thread = Thread(
        id=7,
        last_activity_at=datetime(2026, 5, 1, 12, 30, 5, 123),
        created_at=datetime(2026, 1, 2),
        helpful_count=4,
    )
    for sort, key in (("active", thread.last_activity_at), ("new", thread.created_at), ("top", 4)):
        cursor = lists.encode_cursor(sort, thread)
        assert "=" not in cursor
        assert lists.decode_cursor(sort, cursor) == (key, 7)


@pytest.mark.parametrize("cursor", ["", "%%%", "bm90IGpzb24", "WzFd", "WyJ0b3AiLCJ4IiwxXQ"])
def test_malformed_cursors_are_refused(app, cursor):
    with pytest.raises(lists.BadListRequest):
        lists.decode_cursor("top", cursor or "x")


def test_url_args_leave_out_defaults(app):
    query = lists.ListQuery(sort="active", stage="finished", month_min=None)
    assert query.url_args() == {"stage": "finished"}
    assert query.url_args(sort="top") == {"sort": "top", "stage": "finished"}


@pytest.mark.skipif(USING_PG, reason="PostgreSQL's plans depend on table statistics")
@pytest.mark.parametrize(
    ("sort", "index"),
    [
        ("active", "ix_threads_status_activity"),
        ("new", "ix_threads_status_created"),
        ("top", "ix_threads_status_helpful"),
    ],
)
@pytest.mark.parametrize("with_tag", [False, True])
@pytest.mark.parametrize(
    "filters",
    [
        {},
        # Issue #11: dose band, months since finishing; the excerpt comes with every row.
        {"stage": "finished", "dose": "40_59", "month_min": 0, "month_max": 12},
        {"dose": "under_20", "month_min": 2},
    ],
)
def test_list_queries_walk_the_status_indexes(app, sort, index, with_tag, filters):
    load_shipped_tags()
    for n in range(30):
        make_thread(
            title=f"Indexed thread {n}",
            tags=("dryness",) if n % 2 else ("mood",),
            daily_dose_mg=(10, 40)[n % 2] if n % 3 else None,
        )
    db.session.commit()
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().startswith("SELECT") and "FROM threads" in statement:
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        result = lists.list_threads(
            lists.ListQuery(sort=sort, **filters),
            tag=get_tag("dryness") if with_tag else None,
            limit=5,
        )
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    if not filters:
        assert len(result.threads) == 5 and result.next_cursor
    statement, parameters = statements[0]
    plan = " | ".join(
        row[-1]
        for row in db.session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters
        )
    )
    assert f"USING INDEX {index}" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # no sort step: rows come out of the index in order
    # The excerpt is read in the same statement, one index lookup a row (issue #11).
    assert "SEARCH excerpt_post USING INDEX ix_posts_thread_branch" in plan, plan
