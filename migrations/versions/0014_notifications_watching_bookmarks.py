"""Watched threads, followed topics, bookmarks, mail preferences, fan-out and job leases.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-10

Issue #12: members hear of replies, mentions and new threads in what they watch, in the
inbox and by mail if they ask. A new post leaves one fan-out row that is worked after the
response; periodic tasks take a lease row so several hosts can run ``flask jobs run``.
Notifications gain a count (one line per thread and kind until read) and a digest flag.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _fk(table, column, target, ondelete="CASCADE"):
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade():
    op.create_table(
        "thread_watches",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("thread_watches", "thread_id", "threads"),
        _fk("thread_watches", "user_id", "users"),
        sa.PrimaryKeyConstraint("user_id", "thread_id", name=op.f("pk_thread_watches")),
    )
    with op.batch_alter_table("thread_watches", schema=None) as batch_op:
        batch_op.create_index("ix_thread_watches_thread_user", ["thread_id", "user_id"])
    op.create_table(
        "tag_follows",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("tag_follows", "tag_id", "tags"),
        _fk("tag_follows", "user_id", "users"),
        sa.PrimaryKeyConstraint("user_id", "tag_id", name=op.f("pk_tag_follows")),
    )
    with op.batch_alter_table("tag_follows", schema=None) as batch_op:
        batch_op.create_index("ix_tag_follows_tag_user", ["tag_id", "user_id"])
    op.create_table(
        "bookmarks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("bookmarks", "post_id", "posts"),
        _fk("bookmarks", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookmarks")),
        sa.UniqueConstraint("user_id", "post_id", name="uq_bookmarks_user_post"),
    )
    with op.batch_alter_table("bookmarks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bookmarks_post_id"), ["post_id"])
    op.create_table(
        "notification_prefs",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email_reply", sa.String(length=8), server_default="off", nullable=False),
        sa.Column("email_watched", sa.String(length=8), server_default="off", nullable=False),
        sa.Column("email_mention", sa.String(length=8), server_default="off", nullable=False),
        sa.Column("email_moderation", sa.String(length=8), server_default="off", nullable=False),
        sa.Column("auto_watch", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("include_excerpts", sa.Boolean(), server_default="0", nullable=False),
        _fk("notification_prefs", "user_id", "users"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_prefs")),
    )
    op.create_table(
        "fanout_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("cursor", sa.Integer(), server_default="0", nullable=False),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("notified", sa.Integer(), server_default="0", nullable=False),
        _fk("fanout_jobs", "post_id", "posts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fanout_jobs")),
        sa.UniqueConstraint("post_id", name=op.f("uq_fanout_jobs_post_id")),
    )
    with op.batch_alter_table("fanout_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_fanout_jobs_pending", ["done_at", "id"])
    op.create_table(
        "job_leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=32), nullable=True),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("last_run_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_leases")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("count", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(
            sa.Column("digest_due", sa.Boolean(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("digest_due")
        batch_op.drop_column("count")
    op.drop_table("job_leases")
    with op.batch_alter_table("fanout_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_fanout_jobs_pending")
    op.drop_table("fanout_jobs")
    op.drop_table("notification_prefs")
    with op.batch_alter_table("bookmarks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bookmarks_post_id"))
    op.drop_table("bookmarks")
    with op.batch_alter_table("tag_follows", schema=None) as batch_op:
        batch_op.drop_index("ix_tag_follows_tag_user")
    op.drop_table("tag_follows")
    with op.batch_alter_table("thread_watches", schema=None) as batch_op:
        batch_op.drop_index("ix_thread_watches_thread_user")
    op.drop_table("thread_watches")
