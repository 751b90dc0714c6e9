"""Threads, posts and feeds (issue #3): /t/..., /p/..., /feeds/....

One blueprint, its routes in a module each for what they serve: ``threads`` (a thread page,
replying, starting one), ``posts`` (one post: permalink, edit, delete, history, helpful)
and ``feeds``.
"""

from flask import Blueprint

bp = Blueprint("threads", __name__)

# Importing the modules registers their routes on ``bp``.
from forum.threads.views import feeds, posts, threads  # noqa: E402, F401
