"""Migration 0009: stored links become post and thread ids (issue #10)."""

import flask_migrate
import pytest
from sqlalchemy import inspect, text

from forum.extensions import db

ROWS = {
    1: "/p/2",  # a reply: its post and thread
    2: "http://127.0.0.1:5000/p/1#p1",  # the site's address in front
    3: "/t/1/month-two",  # a thread
    4: "/p/999",  # a post that no longer exists
    5: "/guide/dryness",  # not a post or thread
    6: None,
}


@pytest.fixture
def old_database(make_app, tmp_path):
    """An empty SQLite database at revision 0006, with notifications holding links."""
    other = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'old.db'}")
    with other.app_context():
        flask_migrate.upgrade(revision="0006")
        stamp = "2026-11-01 10:00:00"
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, username, email, password_hash, role, status,"
                    " created_at, password_changed_at) VALUES"
                    " (1, 'author', 'a@example.org', 'x', 'member', 'active', :t, :t)"
                ),
                {"t": stamp},
            )
            conn.execute(
                text(
                    "INSERT INTO threads (id, title, author_id, created_at, last_activity_at,"
                    " status) VALUES (1, 'Month two', 1, :t, :t, 'visible')"
                ),
                {"t": stamp},
            )
            for post_id, parent, depth, path in ((1, None, 0, ""), (2, 1, 1, "0001")):
                conn.execute(
                    text(
                        "INSERT INTO posts (id, thread_id, parent_id, author_id, body, body_html,"
                        " created_at, status, depth, path, branch) VALUES"
                        " (:id, 1, :parent, 1, 'b', '<p>b</p>', :t, 'visible', :depth, :path, 0)"
                    ),
                    {"id": post_id, "parent": parent, "depth": depth, "path": path, "t": stamp},
                )
            for note_id, link in ROWS.items():
                conn.execute(
                    text(
                        "INSERT INTO notifications (id, user_id, kind, message, link, created_at)"
                        " VALUES (:id, 1, 'warning', 'm', :link, :t)"
                    ),
                    {"id": note_id, "link": link, "t": stamp},
                )
        yield other
        db.session.remove()


def test_upgrade_derives_ids_from_links_and_drops_the_column(old_database):
    with old_database.app_context():
        flask_migrate.upgrade(revision="0009")
        columns = {c["name"] for c in inspect(db.engine).get_columns("notifications")}
        assert "link" not in columns and {"post_id", "thread_id"} <= columns
        with db.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id, post_id, thread_id FROM notifications ORDER BY id")
            ).all()
        assert [tuple(row) for row in rows] == [
            (1, 2, 1),
            (2, 1, 1),
            (3, None, 1),
            (4, None, None),
            (5, None, None),
            (6, None, None),
        ]


def test_downgrade_rebuilds_links_from_ids(old_database):
    with old_database.app_context():
        flask_migrate.upgrade(revision="0009")
        flask_migrate.downgrade(revision="0006")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, link FROM notifications ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [
            (1, "/p/2"),
            (2, "/p/1"),
            (3, "/t/1"),
            (4, None),
            (5, None),
            (6, None),
        ]
