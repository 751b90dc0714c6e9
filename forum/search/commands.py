import click
from flask.cli import with_appcontext

from forum.extensions import db
from forum.search import backend

search_group = click.Group("search", help="Maintain the search index.")


@search_group.command("reindex")
@with_appcontext
def reindex_command():
    """Rebuild the full-text index from every post and guide article."""
    count = backend.reindex()
    db.session.commit()
    click.echo(f"Indexed {count} documents.")
