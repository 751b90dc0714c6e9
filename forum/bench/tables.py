"""The benchmark seed's bulk writer and the rows it writes besides threads and posts.

COPY on PostgreSQL, executemany on SQLite; the column lists name what each row tuple holds.
"""

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import bindparam, text
from werkzeug.security import generate_password_hash

from forum.extensions import db

BENCH_PASSWORD = "benchmark-password-not-secret"  # noqa: S105 - synthetic accounts only

POST_COLUMNS = (
    "id",
    "thread_id",
    "parent_id",
    "author_id",
    "body",
    "body_html",
    "created_at",
    "status",
    "depth",
    "path",
    "branch",
    "child_count",
    "helpful_count",
    "stage",
    "treatment_month",
    "months_since",
    "daily_dose_mg",
)
THREAD_COLUMNS = (
    "id",
    "title",
    "author_id",
    "created_at",
    "last_activity_at",
    "reply_count",
    "top_level_count",
    "helpful_count",
    "status",
    "locked",
    "pinned",
    "stage",
    "treatment_month",
    "months_since",
    "daily_dose_mg",
)
SEARCH_COLUMNS = (
    "kind",
    "ref_id",
    "thread_id",
    "title",
    "body",
    "stage",
    "visible",
    "created_at",
)


def bulk_insert(table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    if not rows:
        return
    connection = db.session.connection()
    raw = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        with raw.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" * len(columns))
        # Table and column names are constants of this module; values are parameters.
        statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
        raw.executemany(statement, rows)


def mark_contributors(user_ids: list[int], batch: int = 1000) -> None:
    """Tick "count my journal in the statistics" (``users.contribute``) for these accounts."""
    connection = db.session.connection()
    for start in range(0, len(user_ids), batch):
        chunk = user_ids[start : start + batch]
        connection.execute(
            text("UPDATE users SET contribute = :yes WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"yes": True, "ids": chunk},
        )


def reset_sequences() -> None:
    if db.engine.dialect.name != "postgresql":
        return
    for table in (
        "users",
        "threads",
        "posts",
        "reports",
        "review_items",
        "search_documents",
        "journals",
        "journal_dose_periods",
        "journal_entries",
        "journal_checkins",
    ):
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
                f" COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )
        )


def seed_users(
    rng: random.Random, count: int, now: datetime, courses: dict | None = None
) -> list[int]:
    """``courses`` maps a user id to its (course_start, course_end, course_dose_mg)."""
    password_hash = generate_password_hash(BENCH_PASSWORD)
    courses = courses or {}
    rows = []
    for user_id in range(1, count + 1):
        joined = now - timedelta(days=rng.randint(1, 900))
        role = "admin" if user_id == 1 else "moderator" if user_id <= 4 else "member"
        rows.append(
            (
                user_id,
                f"member{user_id:06d}" if user_id > 4 else f"staff{user_id}",
                f"member{user_id}@bench.invalid",
                password_hash,
                role,
                "active",
                joined,
                joined,
                joined,
                "2026-11",
                "2026-11",
                joined,
                *courses.get(user_id, (None, None, None)),
            )
        )
    bulk_insert(
        "users",
        (
            "id",
            "username",
            "email",
            "password_hash",
            "role",
            "status",
            "created_at",
            "password_changed_at",
            "email_verified_at",
            "guidelines_version",
            "privacy_version",
            "terms_accepted_at",
            "course_start",
            "course_end",
            "course_dose_mg",
        ),
        rows,
    )
    return list(range(1, count + 1))


def seed_reports(rng: random.Random, users: list[int], last_post: int, now: datetime) -> None:
    """A few reports with their review items, as a live queue has."""
    count = max(3, last_post // 2000)
    reasons = ("spam", "misinformation", "harassment", "other", "crisis")
    items, reports = [], []
    for item_id, post_id in enumerate(sorted(rng.sample(range(1, last_post + 1), count)), 1):
        reason = rng.choice(reasons)
        severity = {"crisis": 3, "misinformation": 2, "harassment": 2}.get(reason, 1)
        when = now - timedelta(hours=rng.randint(1, 200))
        items.append((item_id, post_id, "pending", False, reason == "crisis", severity, 1, when))
        reports.append(
            (item_id, post_id, rng.choice(users), item_id, reason, "", "", True, when, when)
        )
    bulk_insert(
        "review_items",
        (
            "id",
            "post_id",
            "status",
            "is_held",
            "is_crisis",
            "severity",
            "reporter_count",
            "created_at",
        ),
        items,
    )
    bulk_insert(
        "reports",
        (
            "id",
            "post_id",
            "reporter_id",
            "item_id",
            "reason",
            "note",
            "snapshot",
            "is_open",
            "created_at",
            "updated_at",
        ),
        reports,
    )
