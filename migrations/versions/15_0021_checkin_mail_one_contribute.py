"""Check-in reminders by mail if chosen, and one "count my journal" setting.

``notification_prefs.email_checkin`` (off, each or digest; off by default) says whether the
check-ins due after treatment are mailed. The journal's own ``contribute`` flag goes: the
member's choice lives on ``users.contribute`` (/settings/privacy and /journal/settings both
set it). A member who had ticked either keeps contributing.

Revision ID: 0021
Revises: 0016
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notification_prefs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email_checkin", sa.String(length=8), server_default="off", nullable=False)
        )
    op.execute(
        sa.text(
            "UPDATE users SET contribute = :yes WHERE id IN "
            "(SELECT user_id FROM journals WHERE contribute = :yes)"
        ).bindparams(yes=True)
    )
    with op.batch_alter_table("journals", schema=None) as batch_op:
        batch_op.drop_column("contribute")


def downgrade():
    with op.batch_alter_table("journals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("contribute", sa.Boolean(), server_default="0", nullable=False)
        )
    op.execute(
        sa.text(
            "UPDATE journals SET contribute = :yes WHERE user_id IN "
            "(SELECT id FROM users WHERE contribute = :yes)"
        ).bindparams(yes=True)
    )
    with op.batch_alter_table("notification_prefs", schema=None) as batch_op:
        batch_op.drop_column("email_checkin")
