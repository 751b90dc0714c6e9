"""``flask --app forum demo load``: a sample forum for a newcomer's first run (issue #11)."""

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect

from forum.demo import services
from forum.errors import ForumError
from forum.extensions import db

demo_group = click.Group("demo", help="Sample data for development.")

WHAT_STAFF_DO = """\
The admin edits the guide (an "Edit this article" link on every article, at
/guide/<slug>/edit, with its history) and gives roles with
`flask --app forum users set-role NAME ROLE`. The moderator, like every admin, works the
review queue at /mod/queue, where {waiting} waiting; every decision is recorded in
the moderation log at /mod/log."""


def _echo_accounts(accounts: list[services.Account]) -> None:
    login = current_app.config["BASE_URL"] + "/login"
    click.echo(f"Sign in at {login} as:")
    for account in accounts:
        click.echo(f"  {account.username:<18} {account.role:<10} password: {account.password}")


@demo_group.command("load")
@click.option(
    "--new-passwords",
    is_flag=True,
    help="When the samples are already loaded: give the sample accounts new passwords.",
)
@with_appcontext
def load_command(new_passwords):
    """Fill an empty development database with sample members, threads, replies, helpful
    marks and a moderation queue; prints how to sign in as an admin and a moderator.

    Refuses outside development and on a database with real members; running it again
    changes nothing (unless --new-passwords).
    """
    from forum.cli import SHIPPED_DATA_LOADERS

    if not inspect(db.engine).has_table("users"):
        raise click.ClickException(
            "The database has no tables yet: run `flask --app forum setup` (or `make run`) first."
        )
    try:
        loaded = services.check_can_load()
    except ForumError as exc:
        raise click.ClickException(str(exc)) from None
    if loaded:
        if not new_passwords:
            click.echo(
                "The sample data is already loaded; nothing changed. Lost the passwords? "
                "Run `flask --app forum demo load --new-passwords`."
            )
            return
        accounts = services.new_passwords()
        db.session.commit()
        click.echo("The sample data is already loaded; the sample accounts have new passwords.")
        _echo_accounts(accounts)
        return
    for loader in SHIPPED_DATA_LOADERS:  # the tags and the guide, as `flask setup` loads them
        loader()
    try:
        result = services.load_samples()
    except ForumError as exc:
        db.session.rollback()
        raise click.ClickException(f"Nothing was loaded: {exc}") from None
    db.session.commit()
    click.echo(result.summary)
    _echo_accounts(result.accounts)
    waiting = "a reported post and a held first post are" if result.held else "a reported post is"
    click.echo(WHAT_STAFF_DO.format(waiting=waiting))
    click.echo("The passwords are shown only now (`demo load --new-passwords` makes new ones).")
