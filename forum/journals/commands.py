"""``flask --app forum journals remind|aggregate`` (issue #14)."""

import time

import click
from flask.cli import with_appcontext

from forum.extensions import db
from forum.journals.aggregate import aggregate
from forum.journals.reminders import remind_due

journals_group = click.Group("journals", help="Treatment journals: check-ins and statistics.")


@journals_group.command("remind")
@with_appcontext
def remind_command():
    """Remind members of check-ins that have fallen due (daily; safe to run again)."""
    made = remind_due()
    db.session.commit()
    click.echo(f"Sent {made} check-in reminder{'' if made == 1 else 's'}.")


@journals_group.command("aggregate")
@with_appcontext
def aggregate_command():
    """Recompute the community statistics from contributors' journals (hourly)."""
    started = time.perf_counter()
    cells = aggregate()
    db.session.commit()
    click.echo(f"Wrote {cells} statistics cells in {time.perf_counter() - started:.1f}s.")
