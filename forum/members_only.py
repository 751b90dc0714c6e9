"""The audience dimension of the visibility rule (issue #13): members-only threads.

A thread is for everyone or for members only. Anyone signed in reads a members-only thread
like any other; signed-out readers, feeds and search never see it (its teaser page is
``forum.threads.audience``). ``forum.visibility`` asks this module, and as there each
predicate sits beside the SQL clause that says the same thing.
"""

from sqlalchemy import true

from forum.models import Audience, Thread


def shut_out(thread: Thread, viewer) -> bool:
    """Whether the thread's audience keeps ``viewer`` (a ``Viewer``) out."""
    return thread.members_only and not viewer.is_signed_in


def let_in_sql(viewer):
    """SQL beside ``shut_out``: the threads whose audience lets ``viewer`` in."""
    return true() if viewer.is_signed_in else for_everyone_sql()


def for_everyone_sql():
    """SQL: the threads anyone may read, signed in or not."""
    return Thread.visibility == Audience.EVERYONE
