"""A reply in fewer statements (issue #17): the thread numbers its top-level replies
(``threads.top_level_count``, moved from the opening post's ``child_count``), and a post
owes its fan-out by a flag in its own row (``posts.fanout_due``) instead of a job row
inserted beside it.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("threads", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("top_level_count", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("fanout_due", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.create_index(
            "ix_posts_fanout_due",
            ["id"],
            sqlite_where=sa.text("fanout_due"),
            postgresql_where=sa.text("fanout_due"),
        )
    op.execute(
        "UPDATE threads SET top_level_count = COALESCE((SELECT posts.child_count FROM posts "
        "WHERE posts.thread_id = threads.id AND posts.parent_id IS NULL AND posts.branch = 0), 0)"
    )
    op.execute("UPDATE posts SET child_count = 0 WHERE parent_id IS NULL AND branch = 0")


def downgrade():
    op.execute(
        "UPDATE posts SET child_count = (SELECT threads.top_level_count FROM threads "
        "WHERE threads.id = posts.thread_id) WHERE parent_id IS NULL AND branch = 0"
    )
    # A post still owing its fan-out gets the job row the old schema expects.
    op.execute(
        "INSERT INTO fanout_jobs (post_id, created_at, cursor, notified) "
        "SELECT id, created_at, 0, 0 FROM posts WHERE fanout_due"
    )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_fanout_due")
        batch_op.drop_column("fanout_due")
    with op.batch_alter_table("threads", schema=None) as batch_op:
        batch_op.drop_column("top_level_count")
