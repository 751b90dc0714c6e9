"""``flask --app forum photos sweep`` (issue #15); also a task of ``flask jobs run``."""

import click
from flask.cli import with_appcontext

from forum.photos.services import sweep

photos_group = click.Group("photos", help="Progress photos: storage upkeep.")


@photos_group.command("sweep")
@with_appcontext
def sweep_command():
    """Delete photo files that no photo refers to (safe to run often)."""
    removed = sweep()
    click.echo(f"Removed the files of {removed} unused photo{'' if removed == 1 else 's'}.")
