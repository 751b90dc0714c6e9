"""Threads, posts and feeds (issue #3): /t/..., /p/..., /feeds/....

One blueprint, its routes in a module each for what they serve: ``threads`` (a thread page,
replying, starting one), ``posts`` (one post: permalink, edit, delete, history, helpful)
and ``feeds``.
"""

from flask import Blueprint

bp = Blueprint("threads", __name__)


@bp.record_once
def _tree_markup(state) -> None:
    """The reply tree's markup (forum/threads/tree_html.py), for the tree template."""
    from forum.threads import tree_html

    state.app.jinja_env.globals["reply_tree"] = tree_html.render_nodes
    state.app.jinja_env.globals["journal_link"] = tree_html.journal_link


# Importing the modules registers their routes on ``bp``.
from forum.threads.views import feeds, posts, threads  # noqa: E402, F401
