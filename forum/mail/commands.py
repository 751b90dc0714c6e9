"""``flask --app forum mail send``: send what the outbox still holds (issue #9)."""

import click
from flask.cli import with_appcontext

from forum.extensions import db
from forum.mail.outbox import deliver_pending, outbox_state, purge_outbox

mail_group = click.Group("mail", help="The outgoing mail outbox.")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@mail_group.command("send")
@with_appcontext
def send_command():
    """Send every message that is due, then delete old sent ones (safe to run often).

    Exits with status 1 when a message failed; it stays in the outbox for a retry.
    """
    result = deliver_pending()
    purged = purge_outbox()
    db.session.commit()
    state = outbox_state()
    line = f"Sent {_plural(result.sent, 'message')}."
    if result.failed:
        line += f" {_plural(result.failed, 'message')} failed and will be retried."
    if state.waiting:
        line += f" {state.waiting} waiting."
    if state.given_up:
        line += f" {state.given_up} given up after too many attempts."
    if purged:
        line += f" Deleted {_plural(purged, 'old message')}."
    click.echo(line)
    if result.failed:
        raise click.exceptions.Exit(1)
