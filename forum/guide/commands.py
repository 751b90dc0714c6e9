"""``flask --app forum guide ...``: loading and maintaining the guide (issue #5)."""

import click
from flask.cli import with_appcontext

from forum.errors import ForumError
from forum.extensions import db
from forum.guide import services

guide_group = click.Group("guide", help="Load and maintain the guide.")


def load_guide() -> str:
    """Load the shipped guide articles; safe to run again (``flask setup`` calls it).

    Raises click.ClickException, with nothing changed, for a malformed file or an unknown tag.
    """
    try:
        result = services.load_shipped_guide()
    except ForumError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    return result.summary


@guide_group.command("load")
@with_appcontext
def load_command():
    """Create the shipped articles, and refresh those whose file changed since the last load
    (the file wins; edits made in the browser stay in the article's history)."""
    message = load_guide()
    db.session.commit()
    click.echo(message)


@guide_group.command("rerender")
@with_appcontext
def rerender_command():
    """Render every article's Markdown again (after the sanitising policy changed)."""
    changed = services.rerender_articles()
    db.session.commit()
    click.echo(f"Re-rendered the guide; {changed} article{'s' if changed != 1 else ''} changed.")
