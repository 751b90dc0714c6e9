"""Threads, posts and feeds (issue #3): /t/..., /p/..., /feeds/....

One blueprint, its routes in a module each for what they serve: ``threads`` (a thread page,
replying, starting one), ``posts`` (one post: permalink, edit, delete, history, helpful)
and ``feeds``.
"""

from flask import Blueprint

from forum.threads.tree_markup import tree_nodes

bp = Blueprint("threads", __name__)
# The reply tree's template writes its nodes through this (forum/threads/tree_markup.py).
bp.add_app_template_global(tree_nodes, "tree_nodes")

# Importing the modules registers their routes on ``bp``.
from forum.threads.views import feeds, posts, threads  # noqa: E402, F401
