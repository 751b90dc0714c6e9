"""The ``flask --app forum ...`` commands."""

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_migrate import upgrade

from forum.extensions import db


@click.command("setup")
@with_appcontext
def setup_command():
    """Apply the migrations and load the data the forum ships (idempotent)."""
    upgrade()
    for loader in SHIPPED_DATA_LOADERS:
        message = loader()
        db.session.commit()
        if message:
            click.echo(message)
    click.echo("Setup complete.")


# Functions that load shipped data (tags, the guide); each returns a one-line summary.
SHIPPED_DATA_LOADERS: list = []


def register_commands(app: Flask) -> None:
    from forum.auth.commands import users_group
    from forum.bench.commands import bench_group
    from forum.data.commands import data_group
    from forum.guide.commands import guide_group, load_guide
    from forum.jobs.commands import jobs_group
    from forum.journals.commands import journals_group
    from forum.mail.commands import mail_group
    from forum.notifications.commands import notifications_group
    from forum.photos.commands import photos_group
    from forum.search.commands import search_group
    from forum.tags.commands import load_tags, tags_group
    from forum.threads.commands import posts_group

    SHIPPED_DATA_LOADERS[:] = [load_tags, load_guide]
    app.cli.add_command(setup_command)
    for group in (
        users_group,
        tags_group,
        posts_group,
        guide_group,
        search_group,
        mail_group,
        journals_group,
        notifications_group,
        jobs_group,
        bench_group,
        data_group,
        photos_group,
    ):
        app.cli.add_command(group)
    from forum.demo.commands import demo_group

    app.cli.add_command(demo_group)
