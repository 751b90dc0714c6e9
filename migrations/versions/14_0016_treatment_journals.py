"""Treatment journals: journal settings, dose periods, entries, check-ins, statistics; a
review item may be about a journal entry (issue #14).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# One column a side effect on journal entries (the statistics count them in SQL).
SIDE_EFFECT_SLUGS = (
    "dry_lips",
    "dry_skin",
    "dry_eyes",
    "nosebleeds",
    "joint_pain",
    "back_pain",
    "headache",
    "hair_thinning",
    "sun_sensitivity",
    "low_mood",
    "fatigue",
    "initial_breakout",
)


def upgrade():
    op.create_table(
        "journals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("visibility", sa.String(length=16), server_default="private", nullable=False),
        sa.Column("contribute", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("weight_kg", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_journals_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journals")),
        sa.UniqueConstraint("user_id", name=op.f("uq_journals_user_id")),
    )
    op.create_table(
        "journal_dose_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("dose_mg", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_journal_dose_periods_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_dose_periods")),
        sa.UniqueConstraint("user_id", "starts_on", name=op.f("uq_journal_dose_periods_user_id")),
    )
    op.create_table(
        "journal_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("skin", sa.Integer(), nullable=False),
        sa.Column("mood", sa.Integer(), nullable=False),
        *(
            sa.Column(f"se_{slug}", sa.SmallInteger(), server_default="0", nullable=False)
            for slug in SIDE_EFFECT_SLUGS
        ),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("note_html", sa.Text(), server_default="", nullable=False),
        sa.Column("is_private", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_journal_entries_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_entries")),
        sa.UniqueConstraint("user_id", "day", name=op.f("uq_journal_entries_user_id")),
    )
    op.create_table(
        "journal_checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("reminded_at", sa.DateTime(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("skin_now", sa.String(length=16), nullable=True),
        sa.Column("side_effects", sa.JSON(), nullable=False),
        sa.Column("second_course", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("note_html", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_journal_checkins_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_checkins")),
        sa.UniqueConstraint("user_id", "months", name=op.f("uq_journal_checkins_user_id")),
    )
    op.create_table(
        "journal_stats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=40), nullable=False),
        sa.Column("axis", sa.String(length=16), nullable=False),
        sa.Column("band", sa.String(length=16), server_default="", nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("n", sa.Integer(), nullable=True),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_stats")),
    )
    with op.batch_alter_table("journal_stats", schema=None) as batch_op:
        batch_op.create_index(
            "ix_journal_stats_measure", ["measure", "axis", "band", "bucket"], unique=False
        )
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("journal_entry_id", sa.Integer(), nullable=True))
        batch_op.alter_column("post_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(
            batch_op.f("ix_review_items_journal_entry_id"), ["journal_entry_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_review_items_journal_entry_id_journal_entries"),
            "journal_entries",
            ["journal_entry_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade():
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_review_items_journal_entry_id_journal_entries"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_review_items_journal_entry_id"))
        batch_op.alter_column("post_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("journal_entry_id")
    with op.batch_alter_table("journal_stats", schema=None) as batch_op:
        batch_op.drop_index("ix_journal_stats_measure")
    op.drop_table("journal_stats")
    op.drop_table("journal_checkins")
    op.drop_table("journal_entries")
    op.drop_table("journal_dose_periods")
    op.drop_table("journals")
