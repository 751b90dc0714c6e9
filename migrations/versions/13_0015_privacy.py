"""Members-only threads, profile privacy, account deletion, data exports and contact items.

Revision ID: 0015
Revises: 0018
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        for name in ("hide_replies", "noindex", "contribute"):
            batch_op.add_column(sa.Column(name, sa.Boolean(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("deletion_mode", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("deletion_requested_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("deletion_due_at", sa.DateTime(), nullable=True))

    with op.batch_alter_table("threads", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("visibility", sa.String(length=16), server_default="everyone", nullable=False)
        )
        batch_op.add_column(sa.Column("members_since", sa.DateTime(), nullable=True))

    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.alter_column("reporter_id", existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint("fk_reports_reporter_id_users", type_="foreignkey")
        batch_op.create_foreign_key(
            "fk_reports_reporter_id_users", "users", ["reporter_id"], ["id"], ondelete="SET NULL"
        )

    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="post", nullable=False)
        )
        batch_op.add_column(sa.Column("sender_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("body", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("answer", sa.Text(), nullable=True))
        batch_op.alter_column("post_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            "fk_review_items_sender_id_users", "users", ["sender_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_index("ix_review_items_sender_id", ["sender_id"], unique=False)

    op.create_table(
        "username_tombstones",
        sa.Column("username", sa.String(length=30), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=False),
        sa.Column("was_banned", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("ban_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_username_tombstones")),
    )
    op.create_table(
        "data_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("ready_at", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("archive", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_data_exports_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_exports")),
        sa.UniqueConstraint("token", name=op.f("uq_data_exports_token")),
    )
    with op.batch_alter_table("data_exports", schema=None) as batch_op:
        batch_op.create_index("ix_data_exports_user_id", ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("data_exports", schema=None) as batch_op:
        batch_op.drop_index("ix_data_exports_user_id")
    op.drop_table("data_exports")
    op.drop_table("username_tombstones")
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.drop_index("ix_review_items_sender_id")
        batch_op.drop_constraint("fk_review_items_sender_id_users", type_="foreignkey")
        batch_op.alter_column("post_id", existing_type=sa.Integer(), nullable=False)
        for name in ("answer", "body", "sender_id", "kind"):
            batch_op.drop_column(name)
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_constraint("fk_reports_reporter_id_users", type_="foreignkey")
        batch_op.create_foreign_key(
            "fk_reports_reporter_id_users", "users", ["reporter_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.alter_column("reporter_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("threads", schema=None) as batch_op:
        batch_op.drop_column("members_since")
        batch_op.drop_column("visibility")
    with op.batch_alter_table("users", schema=None) as batch_op:
        for name in (
            "deletion_due_at",
            "deletion_requested_at",
            "deletion_mode",
            "contribute",
            "noindex",
            "hide_replies",
        ):
            batch_op.drop_column(name)
