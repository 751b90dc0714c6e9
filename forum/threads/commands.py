"""``flask --app forum posts ...``: maintenance of stored posts (issue #3)."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select, update

from forum.extensions import db
from forum.markup import find_mentions, render_user_text
from forum.models import Post
from forum.notifications.mentions import existing_usernames

posts_group = click.Group("posts", help="Maintain posts.")


def rerender_posts(batch_size: int = 500) -> tuple[int, int]:
    """Render every post's Markdown again with the current policy, committing each batch so
    a large forum is never locked for long; returns (posts seen, posts changed)."""
    seen = changed = 0
    last_id = 0
    while True:
        rows = db.session.execute(
            select(Post.id, Post.body, Post.body_html)
            .where(Post.id > last_id)
            .order_by(Post.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return seen, changed
        # "@name" links follow who is a member now (issue #12): one lookup per batch.
        members = existing_usernames(sorted({n for row in rows for n in find_mentions(row.body)}))
        for post_id, body, old_html in rows:
            html = render_user_text(body, mentions=members)
            if html != old_html:
                db.session.execute(update(Post).where(Post.id == post_id).values(body_html=html))
                changed += 1
        seen += len(rows)
        last_id = rows[-1].id
        db.session.commit()


@posts_group.command("rerender")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=500, show_default=True)
@with_appcontext
def rerender_command(batch_size):
    """Render every post's Markdown again (after the sanitising policy changed)."""
    seen, changed = rerender_posts(batch_size)
    click.echo(f"Re-rendered {seen} posts; {changed} changed.")
