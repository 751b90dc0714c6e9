"""Members-only threads (issue #13): who a thread is for, and its teaser for outsiders.

Who may read what is decided in ``forum.visibility`` (a members-only thread is left out of
everything public); this module changes a thread's audience and builds what a signed-out
reader gets instead: the title, the tags and the first lines of the opening post, with no
author and no replies.
"""

from dataclasses import dataclass

from sqlalchemy import func, select

from forum.errors import InvalidAction
from forum.extensions import db
from forum.models import Audience, Post, Tag, Thread, utcnow
from forum.search.backend import plain_text
from forum.visibility import Viewer, can_see_post, can_see_thread

TEASER_LENGTH = 200
# Never kept by a browser or the page cache, never indexed.
TEASER_HEADERS = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}
SOME_MEMBER = Viewer(id=0)  # a signed-in member with no tie to what is looked at


class NeedsConfirmation(InvalidAction):
    """Going public again would show replies written for members only."""


def is_teaser_for(thread: Thread, viewer) -> bool:
    """Whether ``viewer`` (signed out) gets the teaser of a members-only thread that every
    member may read."""
    return (
        thread.members_only
        and not Viewer.of(viewer).is_signed_in
        and can_see_thread(thread, SOME_MEMBER)
    )


def teaser_target(post: Post, viewer) -> bool:
    """Whether a signed-out reader following a post's link gets its thread's teaser."""
    return is_teaser_for(post.thread, viewer) and can_see_post(post, SOME_MEMBER)


@dataclass(frozen=True)
class Teaser:
    thread: Thread
    tags: list[Tag]
    excerpt: str
    truncated: bool


def teaser(thread: Thread) -> Teaser:
    """What signed-out readers see of a members-only thread."""
    opening = db.session.scalar(
        select(Post).where(Post.thread_id == thread.id, Post.parent_id.is_(None))
    )
    text = " ".join(plain_text(opening.body_html if opening else "").split())
    return Teaser(
        thread=thread,
        tags=list(thread.tags),
        excerpt=text[:TEASER_LENGTH].rstrip(),
        truncated=len(text) > TEASER_LENGTH,
    )


def replies_for_members(thread: Thread) -> int:
    """Replies by others written since the thread became members-only."""
    if thread.members_since is None:
        return 0
    return db.session.scalar(
        select(func.count(Post.id)).where(
            Post.thread_id == thread.id,
            Post.parent_id.is_not(None),
            Post.author_id != thread.author_id,
            Post.deleted_at.is_(None),
            Post.created_at >= thread.members_since,
        )
    )


def set_audience(thread: Thread, audience: str, *, confirmed: bool = False) -> bool:
    """Make ``thread`` readable by everyone or by members only; returns whether it changed.

    The caller has checked that the user is the thread's author. Going public again while
    replies were written for members only raises NeedsConfirmation (409) unless
    ``confirmed``: those replies become public too, and the author must know it.
    """
    audience = Audience(audience)
    if thread.visibility == audience:
        return False
    if audience == Audience.EVERYONE:
        count = replies_for_members(thread)
        if count and not confirmed:
            noun = "reply" if count == 1 else "replies"
            raise NeedsConfirmation(
                f"{count} {noun} written while this thread was for members only will become "
                "public, readable by anyone and by search engines. Tick “Yes, make those "
                "replies public too” to go ahead."
            )
        thread.members_since = None
    else:
        thread.members_since = utcnow()
    thread.visibility = audience
    return True
