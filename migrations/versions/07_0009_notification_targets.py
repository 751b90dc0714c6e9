"""Notifications keep the ids of the post and thread they are about, not a URL.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

Issue #10: a stored URL goes stale when routes change; ids do not, and the inbox builds
its links from the route map when it is shown. Existing rows get their ids from the stored
link ("/p/<id>" or "/t/<id>", with or without the site's address in front) when the post
or thread still exists; the link column is then dropped.
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

POST_LINK = re.compile(r"^(?:https?://[^/]+)?/p/(\d+)(?:[/?#].*)?$")
THREAD_LINK = re.compile(r"^(?:https?://[^/]+)?/t/(\d+)(?:[/?#].*)?$")
CHUNK = 1000

notifications = sa.table(
    "notifications",
    sa.column("id", sa.Integer),
    sa.column("link", sa.String),
    sa.column("post_id", sa.Integer),
    sa.column("thread_id", sa.Integer),
)
posts = sa.table("posts", sa.column("id", sa.Integer), sa.column("thread_id", sa.Integer))
threads = sa.table("threads", sa.column("id", sa.Integer))


def _targets(bind, links: dict[int, str]) -> list[dict]:
    """For each notification id, the post and thread its link names, if they still exist."""
    post_refs, thread_refs = {}, {}
    for note_id, link in links.items():
        if match := POST_LINK.match(link.strip()):
            post_refs[note_id] = int(match.group(1))
        elif match := THREAD_LINK.match(link.strip()):
            thread_refs[note_id] = int(match.group(1))
    post_threads = dict(
        bind.execute(
            sa.select(posts.c.id, posts.c.thread_id).where(posts.c.id.in_(set(post_refs.values())))
        ).all()
        if post_refs
        else []
    )
    known_threads = set(
        bind.scalars(sa.select(threads.c.id).where(threads.c.id.in_(set(thread_refs.values()))))
        if thread_refs
        else []
    )
    rows = []
    for note_id, post_id in post_refs.items():
        if post_id in post_threads:
            rows.append({"note": note_id, "post": post_id, "thread": post_threads[post_id]})
    for note_id, thread_id in thread_refs.items():
        if thread_id in known_threads:
            rows.append({"note": note_id, "post": None, "thread": thread_id})
    return rows


def upgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("post_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("thread_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_notifications_post_id_posts"),
            "posts",
            ["post_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_notifications_thread_id_threads"),
            "threads",
            ["thread_id"],
            ["id"],
            ondelete="SET NULL",
        )

    bind = op.get_bind()
    update = (
        notifications.update()
        .where(notifications.c.id == sa.bindparam("note"))
        .values(post_id=sa.bindparam("post"), thread_id=sa.bindparam("thread"))
    )
    last_id = 0
    while True:
        chunk = bind.execute(
            sa.select(notifications.c.id, notifications.c.link)
            .where(notifications.c.link.is_not(None), notifications.c.id > last_id)
            .order_by(notifications.c.id)
            .limit(CHUNK)
        ).all()
        if not chunk:
            break
        last_id = chunk[-1].id
        if rows := _targets(bind, {row.id: row.link for row in chunk}):
            bind.execute(update, rows)

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("link")


def downgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link", sa.String(length=255), nullable=True))

    bind = op.get_bind()
    bind.execute(
        notifications.update()
        .where(notifications.c.post_id.is_not(None))
        .values(link=sa.literal("/p/") + sa.cast(notifications.c.post_id, sa.String))
    )
    bind.execute(
        notifications.update()
        .where(notifications.c.post_id.is_(None), notifications.c.thread_id.is_not(None))
        .values(link=sa.literal("/t/") + sa.cast(notifications.c.thread_id, sa.String))
    )

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint("fk_notifications_thread_id_threads", type_="foreignkey")
        batch_op.drop_constraint("fk_notifications_post_id_posts", type_="foreignkey")
        batch_op.drop_column("thread_id")
        batch_op.drop_column("post_id")
