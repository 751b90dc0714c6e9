"""``flask --app forum users ...``: create accounts and give roles from the command line."""

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from forum.auth import services
from forum.auth.sessions import purge_idle_sessions
from forum.errors import FieldErrors, ForumError
from forum.extensions import db
from forum.models import Role, User
from forum.users import services as users

users_group = click.Group("users", help="Manage member accounts.")

FIELD_NAMES = {"username": "Username", "email": "Email address", "password": "Password"}
ROLE_CHOICE = click.Choice([role.value for role in Role], case_sensitive=False)
CLI_ROLE_REASON = "Changed from the command line."


def stdin_is_tty() -> bool:
    return sys.stdin.isatty()


def read_password() -> str:
    """Prompt twice on a terminal; otherwise read the first line of stdin, and if a second
    line follows it must be the same."""
    if stdin_is_tty():
        return click.prompt("Password", hide_input=True, confirmation_prompt="Password again")
    lines = sys.stdin.read().splitlines()
    if not lines or not lines[0]:
        raise click.ClickException("No password given on standard input.")
    if len(lines) > 1 and lines[1] != lines[0]:
        raise click.ClickException("The two passwords on standard input do not match.")
    return lines[0]


def _user_or_fail(username: str) -> User:
    user = db.session.scalars(
        select(User).where(User.username == services.normalize_username(username))
    ).first()
    if user is None:
        raise click.ClickException(f"There is no user called {username!r}.")
    return user


@users_group.command("create")
@click.argument("username")
@click.option("--email", required=True, help="The account's email address.")
@click.option("--role", type=ROLE_CHOICE, default=Role.MEMBER.value, show_default=True)
@with_appcontext
def create_user(username, email, role):
    """Create an account whose email address counts as confirmed.

    The password is prompted for (twice) or read from standard input.
    """
    username = services.normalize_username(username)
    email = services.normalize_email(email)
    # Check name and address before asking for a password the command would then refuse.
    staff = role.lower() != Role.MEMBER
    for problem in (
        services.username_problem(username, staff=staff),
        services.email_problem(email),
    ):
        if problem:
            raise click.ClickException(problem)
    password = read_password()
    try:
        user = services.create_account(
            username, email, password, role=role.lower(), verified=True, accepted_terms=False
        )
    except FieldErrors as exc:
        db.session.rollback()
        raise click.ClickException(
            " ".join(f"{FIELD_NAMES.get(name, name)}: {text}" for name, text in exc.errors.items())
        ) from None
    db.session.commit()
    click.echo(f"Created {user.username} ({user.role}).")


@users_group.command("set-role")
@click.argument("username")
@click.argument("role", type=ROLE_CHOICE)
@click.option("--reason", default=CLI_ROLE_REASON, show_default=True, help="Kept in the log.")
@with_appcontext
def set_role_command(username, role, reason):
    """Give a user the role member, moderator or admin (recorded in the moderation log)."""
    user = _user_or_fail(username)
    try:
        previous = users.set_role(users.SYSTEM, user, role, reason=reason)
    except ForumError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    if previous == user.role:
        click.echo(f"{user.username} is already {user.role}.")
        return
    db.session.commit()
    click.echo(f"{user.username} is now {user.role} (was {previous}).")


@users_group.command("list")
@click.option("--role", type=ROLE_CHOICE, help="Only users with this role.")
@with_appcontext
def list_users(role):
    """List accounts: username, role, status, whether the address is confirmed."""
    stmt = select(User).order_by(User.username)
    if role:
        stmt = stmt.where(User.role == role.lower())
    for user in db.session.scalars(stmt):
        verified = "confirmed" if user.is_verified else "unconfirmed"
        click.echo(f"{user.username}\t{user.role}\t{user.status}\t{verified}")


@users_group.command("purge-sessions")
@with_appcontext
def purge_sessions():
    """Delete login sessions unused for SESSION_IDLE_DAYS (they no longer work anyway)."""
    count = purge_idle_sessions()
    db.session.commit()
    click.echo(f"Deleted {count} idle session{'s' if count != 1 else ''}.")
