"""Migration 0023 (issue #17): the thread takes over numbering its top-level replies from
the opening post, and a pending fan-out job becomes a flag and back."""

import flask_migrate
import pytest
from sqlalchemy import text

from forum.extensions import db

STAMP = "2026-11-01 10:00:00"


@pytest.fixture
def database_at_0022(make_app, tmp_path):
    """A SQLite database at revision 0022: one thread, its opening post with two top-level
    replies numbered (one of them deleted since, so the count is not the rows)."""
    other = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'old.db'}")
    with other.app_context():
        flask_migrate.upgrade(revision="0022")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, username, email, password_hash, role, status,"
                    " created_at, password_changed_at, email_verified_at) VALUES"
                    " (1, 'author', 'a@example.org', 'x', 'member', 'active', :t, :t, :t)"
                ),
                {"t": STAMP},
            )
            conn.execute(
                text(
                    "INSERT INTO threads (id, title, author_id, created_at, last_activity_at,"
                    " status, reply_count) VALUES (1, 'Month two', 1, :t, :t, 'visible', 1)"
                ),
                {"t": STAMP},
            )
            for post_id, parent, depth, path, branch, children in (
                (1, None, 0, "", 0, 2),
                (2, 1, 1, "000002", 2, 0),
            ):
                conn.execute(
                    text(
                        "INSERT INTO posts (id, thread_id, parent_id, author_id, body, body_html,"
                        " created_at, status, depth, path, branch, child_count) VALUES"
                        " (:id, 1, :parent, 1, 'b', '<p>b</p>', :t, 'visible', :depth, :path,"
                        " :branch, :children)"
                    ),
                    {
                        "id": post_id,
                        "parent": parent,
                        "depth": depth,
                        "path": path,
                        "branch": branch,
                        "children": children,
                        "t": STAMP,
                    },
                )
            conn.execute(
                text(
                    "INSERT INTO fanout_jobs (post_id, created_at, cursor, notified)"
                    " VALUES (2, :t, 0, 0)"
                ),
                {"t": STAMP},
            )
        yield other
        db.session.remove()


def _numbers(conn):
    return (
        conn.execute(text("SELECT child_count FROM posts WHERE id = 1")).scalar_one(),
        conn.execute(text("SELECT top_level_count FROM threads WHERE id = 1")).scalar_one(),
    )


def test_upgrade_moves_the_count_to_the_thread_and_the_next_reply_is_number_three(
    database_at_0022,
):
    from forum.models import Thread, User
    from forum.threads import services

    with database_at_0022.app_context():
        flask_migrate.upgrade(revision="0023")
        with db.engine.connect() as conn:
            assert _numbers(conn) == (0, 2)
        thread, author = db.session.get(Thread, 1), db.session.get(User, 1)
        post, _ = services.reply(thread, author, body="The third top-level reply.")
        db.session.commit()
        assert (post.path, post.branch, post.parent_id) == ("000003", 3, 1)


def test_downgrade_gives_the_opening_post_its_count_back_and_flags_become_jobs(
    database_at_0022,
):
    with database_at_0022.app_context():
        flask_migrate.upgrade(revision="0023")
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE threads SET top_level_count = 5"))
            conn.execute(text("DELETE FROM fanout_jobs"))
            conn.execute(text("UPDATE posts SET fanout_due = 1 WHERE id = 2"))
        flask_migrate.downgrade(revision="0022")
        with db.engine.connect() as conn:
            assert (
                conn.execute(text("SELECT child_count FROM posts WHERE id = 1")).scalar_one() == 5
            )
            jobs = conn.execute(text("SELECT post_id, done_at FROM fanout_jobs")).all()
        assert [tuple(job) for job in jobs] == [(2, None)]
