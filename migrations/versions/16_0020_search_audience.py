"""Search documents know their thread's audience, so members find members-only threads
(issues #13 and #18).

Revision ID: 0020
Revises: 0021
Create Date: 2026-12-02

``visible`` now means "every signed-in member may read it" and ``members_only`` marks the
documents of members-only threads, which a signed-out search leaves out. Until now the
documents of members-only threads were stored as not visible; they are recomputed here
with the rule's own columns. A plain ADD COLUMN (no batch copy) keeps SQLite's FTS
triggers and row ids as they are.
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0021"
branch_labels = None
depends_on = None

# The documents of posts (thread openings and replies) that every signed-in member may read:
# visible, not deleted, in a visible thread.
RECOMPUTE = """
UPDATE search_documents SET
    members_only = COALESCE((
        SELECT t.visibility = 'members' FROM threads t WHERE t.id = search_documents.thread_id
    ), false),
    visible = COALESCE((
        SELECT p.status = 'visible' AND p.deleted_at IS NULL AND t.status = 'visible'
        FROM posts p JOIN threads t ON t.id = p.thread_id
        WHERE p.id = search_documents.ref_id
    ), false)
WHERE kind IN ('thread', 'reply')
"""


def upgrade():
    op.add_column(
        "search_documents",
        sa.Column("members_only", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    # A document whose post has gone has no row to compute from: it stays out of searches.
    op.execute(RECOMPUTE)


def downgrade():
    op.execute("UPDATE search_documents SET visible = false WHERE members_only")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column("search_documents", "members_only")
    else:
        # SQLite 3.35+ drops a column in place, leaving the FTS table and its triggers be.
        op.execute("ALTER TABLE search_documents DROP COLUMN members_only")
