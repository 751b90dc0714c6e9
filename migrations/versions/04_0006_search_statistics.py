"""Finer statistics on the search vector, so PostgreSQL knows a rare word from a common one.

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-25

With the default statistics target, a word missing from the most-common list is estimated
at half the rarest listed frequency: a word in fifty documents looked like one in thousands,
and the planner walked a million rows backwards looking for the newest hundred matches.
"""

from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE search_documents ALTER COLUMN tsv SET STATISTICS 1000")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE search_documents ALTER COLUMN tsv SET STATISTICS -1")
