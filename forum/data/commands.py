"""``flask --app forum data ...``: exports, purges and an admin's deletion (issue #13)."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from forum.data.deletion import MODES, delete_by_admin, purge_due_deletions
from forum.data.export import build_pending_exports
from forum.extensions import db
from forum.models import Role, User

data_group = click.Group("data", help="Members' data: exports and deletions.")


@data_group.command("exports")
@with_appcontext
def exports_command():
    """Build the exports members asked for, mail their links, drop expired ones."""
    count = build_pending_exports()
    db.session.commit()
    click.echo(f"Built {count} export{'s' if count != 1 else ''}.")


@data_group.command("purge")
@with_appcontext
def purge_command():
    """Complete the deletions whose grace period is over."""
    count = purge_due_deletions()
    db.session.commit()
    click.echo(f"Deleted {count} account{'s' if count != 1 else ''}.")


def _user(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise click.ClickException(f"There is no account named {username}.")
    return user


@data_group.command("delete")
@click.argument("username")
@click.option("--admin", "admin_name", required=True, help="The admin doing it.")
@click.option("--reason", required=True, help="Why, for the moderation log (not the name).")
@click.option("--mode", type=click.Choice(MODES), default="keep", show_default=True)
@with_appcontext
def delete_command(username, admin_name, reason, mode):
    """Delete USERNAME's account now, as they asked by mail (admins only, logged)."""
    admin = _user(admin_name)
    if not admin.has_role(Role.ADMIN):
        raise click.ClickException(f"{admin.username} is not an admin.")
    user = _user(username)
    if user.id == admin.id:
        raise click.ClickException("Delete your own account from /settings/delete.")
    banned = user.is_banned
    delete_by_admin(admin, user, reason=reason.strip(), mode=mode)
    db.session.commit()
    click.echo(f"Deleted the account {username.lower()} ({mode}).")
    if banned:
        click.echo(
            "The account was banned: the posts moderators hid or removed, the reports about "
            "its posts and the ban are kept for moderation."
        )
