"""``flask --app forum tags ...``: how admins manage the topic tags (issue #3)."""

import click
from flask.cli import with_appcontext

from forum.errors import ForumError
from forum.extensions import db
from forum.tags import services

tags_group = click.Group("tags", help="Manage the topic tags.")


def load_tags() -> str:
    """Load the shipped tag set; safe to run again (``flask setup`` calls it)."""
    added, updated = services.load_shipped_tags()
    return f"Tags: {added} added, {updated} updated."


def _fail(exc: ForumError):
    db.session.rollback()
    raise click.ClickException(str(exc))


@tags_group.command("load")
@with_appcontext
def load_command():
    """Add the shipped tags that are missing and refresh their names and descriptions."""
    message = load_tags()
    db.session.commit()
    click.echo(message)


@tags_group.command("list")
@with_appcontext
def list_command():
    """Show every tag with its thread count."""
    rows = services.tags_with_counts()
    if not rows:
        click.echo("No tags yet. Run `flask --app forum tags load`.")
        return
    for row in rows:
        tag = row.tag
        click.echo(
            f"{tag.slug:<28} {tag.name:<26} {row.thread_count:>6} visible threads  "
            f"(order {tag.sort_order})  {tag.description}"
        )


@tags_group.command("add")
@click.argument("slug")
@click.option("--name", required=True, help="The name readers see.")
@click.option("--description", default="", help="One line about the topic.")
@click.option("--sort-order", type=int, default=None, help="Position; default after the rest.")
@with_appcontext
def add_command(slug, name, description, sort_order):
    """Add a tag."""
    try:
        tag = services.add_tag(slug, name=name, description=description, sort_order=sort_order)
    except ForumError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(f"Added tag '{tag.slug}'.")


@tags_group.command("edit")
@click.argument("slug")
@click.option("--name", default=None)
@click.option("--description", default=None)
@click.option("--sort-order", type=int, default=None)
@with_appcontext
def edit_command(slug, name, description, sort_order):
    """Change a tag's name, description or position."""
    if name is None and description is None and sort_order is None:
        raise click.UsageError("Give at least one of --name, --description, --sort-order.")
    try:
        tag = services.edit_tag(
            services.get_tag(slug), name=name, description=description, sort_order=sort_order
        )
    except ForumError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(f"Updated tag '{tag.slug}'.")


@tags_group.command("remove")
@click.argument("slug")
@click.option("--force", is_flag=True, help="Remove it even from the threads that use it.")
@with_appcontext
def remove_command(slug, force):
    """Remove a tag (refused while threads use it, unless --force)."""
    try:
        used = services.remove_tag(services.get_tag(slug), force=force)
    except ForumError as exc:
        _fail(exc)
    db.session.commit()
    suffix = f" and took it off {used} thread{'s' if used != 1 else ''}" if used else ""
    click.echo(f"Removed tag '{slug}'{suffix}.")
