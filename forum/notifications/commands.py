"""``flask --app forum notifications send|digest`` (issue #12)."""

import click
from flask.cli import with_appcontext

from forum.extensions import db
from forum.notifications.email import send_digests
from forum.notifications.fanout import pending_count, run_pending

notifications_group = click.Group("notifications", help="Notifications and their mail.")


@notifications_group.command("send")
@with_appcontext
def send_command():
    """Tell members of every post whose fan-out is still pending (left by a crash, or by
    NOTIFY_DELIVERY=command), in batches; safe to run often and from several hosts."""
    result = run_pending()
    waiting = pending_count()
    db.session.commit()
    click.echo(
        f"Ran {result.jobs} fan-out{'' if result.jobs == 1 else 's'};"
        f" {result.notified} notified. {waiting} waiting."
    )


@notifications_group.command("digest")
@with_appcontext
def digest_command():
    """Queue the digest mail of every member who has one waiting (sent by the outbox)."""
    click.echo(f"Queued {send_digests()} digest mails.")
