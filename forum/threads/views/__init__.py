"""Threads, posts and feeds (issue #3): /t/..., /p/..., /feeds/....

One blueprint, its routes in a module each for what they serve: ``threads`` (a thread page,
replying, starting one), ``posts`` (one post: permalink, edit, delete, history, helpful)
and ``feeds``.
"""

from flask import Blueprint

from forum.threads import services

bp = Blueprint("threads", __name__)
# Why a post can no longer be edited or deleted, for the templates (issue #11).
bp.add_app_template_global(services.change_refusal, "change_refusal")

# Importing the modules registers their routes on ``bp``.
from forum.threads.views import feeds, posts, threads  # noqa: E402, F401
