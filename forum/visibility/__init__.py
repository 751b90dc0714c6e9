"""Who sees which thread and post, and how (issues #9 and #10).

The one home of the rule. Each Python predicate sits beside the SQL clause that says the
same thing, so lists, feeds, search, profiles and the guide ask the database exactly what
the thread page asks Python, and a new dimension of the rule is one change here:

- ``can_see_thread`` / ``threads_visible_to``, ``public_threads``;
- ``can_see_post`` / ``visible_to``, ``public_posts``;
- ``post_view`` and ``placeholder_for`` say how a post appears to one viewer.

The dimensions: a post's status (visible, pending, hidden, removed), its thread's status
and audience (``forum/members_only.py``), whether it was deleted, and who looks.

Deleted opening posts (issue #9): the thread loses its author and badge everywhere
("[deleted]"). Its title stays while the thread has a reply every reader can read, since
those replies answer it and make no sense without it; a thread with nothing readable left
is gone: left out of every list, feed and search, and its page answers 404 to all but
staff. Profiles never list a thread whose opening post was deleted to other readers, so
the thread cannot be traced back to the member who deleted it.
"""

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.orm import aliased

from forum.extensions import db
from forum.members_only import for_everyone_sql, let_in_sql, shut_out
from forum.models import Post, PostStatus, Thread, User
from forum.moderation import labels
from forum.visibility.thread_sql import gone_sql as _gone_sql
from forum.visibility.thread_sql import opening_deleted_sql as opening_deleted_sql
from forum.visibility.thread_sql import public_replies_exist_sql as public_replies_exist_sql

DELETED_TEXT = "[deleted]"
# What a reader sees instead of a reply they may not read, so the replies below keep their
# place (DESIGN.md, Conventions).
PLACEHOLDERS = {
    PostStatus.HIDDEN: "[hidden by a moderator]",
    PostStatus.REMOVED: "[removed by a moderator]",
}
AUTO_HIDDEN_TEXT = "[hidden after reports, waiting for a moderator]"


# --- Who looks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """Who is looking: anonymous (no id), a member, or staff (moderators and admins).

    Whether the viewer is the author of something is asked of each object
    (``is_author_of``).
    """

    id: int | None = None
    is_staff: bool = False

    @classmethod
    def of(cls, user: "User | Viewer | None") -> "Viewer":
        """The viewer for a request's user (None or an anonymous user: anonymous)."""
        if isinstance(user, Viewer):
            return user
        if user is None or not getattr(user, "is_authenticated", False):
            return ANONYMOUS
        return cls(id=user.id, is_staff=bool(user.is_moderator))

    @property
    def is_signed_in(self) -> bool:
        return self.id is not None

    def is_author_of(self, obj: Post | Thread) -> bool:
        return self.id is not None and obj.author_id == self.id


ANONYMOUS = Viewer()
ViewerLike = User | Viewer | None


# --- Threads --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThreadFacts:
    """What the rule needs to know about a thread beyond its own columns."""

    opening_deleted: bool = False
    has_public_replies: bool = True


_FACTS = "_visibility_facts"


def remember_facts(thread: Thread, opening_deleted: bool, has_public_replies: bool = True):
    """Keep facts a query loaded beside the thread (``opening_deleted_sql()`` and
    ``public_replies_exist_sql()``), so the predicates need no query of their own."""
    setattr(thread, _FACTS, ThreadFacts(bool(opening_deleted), bool(has_public_replies)))


def thread_facts(thread: Thread) -> ThreadFacts:
    """The facts remembered for ``thread``, else worked out from its posts (one query)."""
    facts = getattr(thread, _FACTS, None)
    if facts is None:
        rows = db.session.execute(
            select(Post.parent_id, Post.status, Post.deleted_at).where(Post.thread_id == thread.id)
        ).all()
        deleted = any(row.parent_id is None and row.deleted_at is not None for row in rows)
        public = any(
            row.parent_id is not None
            and row.status == PostStatus.VISIBLE
            and row.deleted_at is None
            for row in rows
        )
        facts = ThreadFacts(deleted, public)
        setattr(thread, _FACTS, facts)
    return facts


def _is_gone(thread: Thread) -> bool:
    facts = thread_facts(thread)
    return facts.opening_deleted and (
        thread.status != PostStatus.VISIBLE or not facts.has_public_replies
    )


def can_see_thread(thread: Thread, viewer: ViewerLike) -> bool:
    """Readers see visible threads; the author also sees their held or hidden thread;
    staff see every thread. A thread whose opening post was deleted and that has no reply
    every reader can read is gone for all but staff."""
    viewer = Viewer.of(viewer)
    if viewer.is_staff:
        return True
    if _is_gone(thread) or shut_out(thread, viewer):
        return False
    return thread.status == PostStatus.VISIBLE or viewer.is_author_of(thread)


def can_see_title(thread: Thread, viewer: ViewerLike) -> bool:
    """Whether the thread's title may be shown (in a list, a profile, the moderation log)."""
    return can_see_thread(thread, viewer)


def is_public_thread(thread: Thread) -> bool:
    return can_see_thread(thread, ANONYMOUS)


def public_threads(viewer: ViewerLike = None):
    """SQL beside ``is_public_thread``: the threads anyone may see. The lists pass their
    reader: to anyone signed in they also show the members-only threads."""
    return _public_threads_sql(Viewer.of(viewer).is_signed_in)


@functools.cache  # the same SQL for every request of a kind: built once (issue #17)
def _public_threads_sql(signed_in: bool):
    audience = let_in_sql(Viewer(id=0) if signed_in else ANONYMOUS)
    return and_(audience, Thread.status == PostStatus.VISIBLE, ~_gone_sql())


def threads_visible_to(viewer: ViewerLike):
    """SQL beside ``can_see_thread``: the threads ``viewer`` may see."""
    viewer = Viewer.of(viewer)
    if viewer.is_staff:
        return true()
    if not viewer.is_signed_in:
        return public_threads()
    own = Thread.author_id == viewer.id
    return and_(~_gone_sql(), or_(Thread.status == PostStatus.VISIBLE, own))


# --- Posts ----------------------------------------------------------------------------------


def hidden_by_reports(post: Post) -> bool:
    """Hidden by the site itself after reports, still waiting for a moderator's decision.

    The hide after reports records its own reason on the post; a moderator's decision
    replaces it, so the reason tells the two apart with no query.
    """
    return post.status == PostStatus.HIDDEN and post.status_reason in (
        labels.AUTO_HIDDEN_REASON,
        labels.MODERATOR_REPORT_REASON,
    )


@dataclass(frozen=True)
class PostView:
    """How one post appears to one viewer; templates read this and nothing else."""

    show_body: bool = True
    placeholder: str | None = None  # shown instead of the text
    notice: str | None = None  # why readers don't see it, for those who do
    # For those who see a post readers don't: "pending", "auto_hidden", "hidden", "removed".
    state: str | None = None
    reason: str | None = None

    @property
    def is_plain(self) -> bool:
        """Shown to everyone as written: it can be answered and marked helpful."""
        return self.show_body and self.notice is None


PLAIN = PostView()
DELETED = PostView(show_body=False, placeholder=DELETED_TEXT)


def _state(post: Post) -> str:
    if post.status == PostStatus.HIDDEN and hidden_by_reports(post):
        return "auto_hidden"
    return str(post.status)


NOTICES = {
    "pending": "Waiting for review: only its author and the moderators can see this {subject}.",
    "auto_hidden": (
        "This {subject} was hidden after several reports and waits for a moderator; readers "
        "don't see it."
    ),
    "hidden": "This {subject} was hidden by a moderator; readers don't see it.",
    "removed": "This {subject} was removed by a moderator; readers don't see it.",
}


def _notice(state: str, reason: str | None, *, subject: str) -> str:
    text = NOTICES[state].format(subject=subject)
    if reason:
        text += f" Reason: {reason}"
    return text


def post_view(post: Post, viewer: ViewerLike) -> PostView | None:
    """How ``post`` appears to ``viewer`` inside a thread they may see; None when it is
    left out of the page altogether.

    Deleted posts show "[deleted]" to everyone. A pending (held) post is shown only to its
    author and staff. A hidden or removed post leaves a placeholder for readers, so the
    replies below keep their place; its author and staff see it with the reason.
    """
    if post.deleted_at is not None:
        return DELETED
    if post.status == PostStatus.VISIBLE:
        return PLAIN
    viewer = Viewer.of(viewer)
    state = _state(post)
    if viewer.is_staff or viewer.is_author_of(post):
        notice = _notice(state, post.status_reason, subject="post")
        return PostView(notice=notice, state=state, reason=post.status_reason)
    if post.status == PostStatus.PENDING:
        return None
    text = AUTO_HIDDEN_TEXT if state == "auto_hidden" else PLACEHOLDERS[PostStatus(post.status)]
    return PostView(show_body=False, placeholder=text)


def placeholder_for(post: Post, viewer: ViewerLike) -> str | None:
    """What stands in place of the post's text for ``viewer``: None when they read the
    text, or when the post is left out of their page (held posts, for readers)."""
    view = post_view(post, viewer)
    return view.placeholder if view is not None else None


def can_see_post(post: Post, viewer: ViewerLike) -> bool:
    """Whether ``viewer`` may read the post's text: it is not deleted, its thread is one
    they may see, and it is public, their own, or they are staff."""
    view, thread = post_view(post, viewer), post.thread
    if view is PLAIN and thread.is_visible and not shut_out(thread, Viewer.of(viewer)):
        return True  # a public post keeps its thread from being gone: no facts needed
    return view is not None and view.show_body and can_see_thread(thread, viewer)


def can_read_earlier_versions(post: Post, viewer: ViewerLike) -> bool:
    """Earlier texts of an edited post are for its author and staff only (issue #9)."""
    return (viewer := Viewer.of(viewer)).is_staff or viewer.is_author_of(post)


def is_public_post(post: Post) -> bool:
    return can_see_post(post, ANONYMOUS)


def public_posts():
    """SQL beside ``is_public_post`` (``Thread`` joined to the post's thread)."""
    return and_(posts_for_members(), for_everyone_sql())


def posts_for_members():
    """SQL: the posts every signed-in member may read, members-only threads included
    (``Thread`` joined; the search index keeps the audience beside it)."""
    visible = Post.status == PostStatus.VISIBLE
    return and_(visible, Post.deleted_at.is_(None), Thread.status == PostStatus.VISIBLE)


def visible_to(viewer: ViewerLike):
    """SQL beside ``can_see_post``: the posts whose text ``viewer`` may read (``Thread``
    joined to the post's thread)."""
    viewer = Viewer.of(viewer)
    if viewer.is_staff:
        return Post.deleted_at.is_(None)
    if not viewer.is_signed_in:
        return public_posts()
    readable = or_(Post.status == PostStatus.VISIBLE, Post.author_id == viewer.id)
    return and_(Post.deleted_at.is_(None), readable, threads_visible_to(viewer))


def readable_replies_sql(viewer: ViewerLike, thread_id):
    """SQL: how many replies of thread ``thread_id`` (a value or a bound parameter)
    ``viewer`` may read: the count a thread's header shows."""
    reply = aliased(Post, name="counted_reply")
    viewer = Viewer.of(viewer)
    readable = reply.deleted_at.is_(None)
    if not viewer.is_staff:
        own = reply.author_id == viewer.id if viewer.is_signed_in else false()
        readable = and_(readable, or_(reply.status == PostStatus.VISIBLE, own))
    return (
        select(func.count(reply.id))
        .where(reply.thread_id == thread_id, reply.parent_id.is_not(None), readable)
        .scalar_subquery()
    )


# --- What pages show of a thread ------------------------------------------------------------


def thread_notice(thread: Thread, opening: Post | None, viewer: ViewerLike) -> str | None:
    """Why readers can't see this thread, for the author and staff who still can."""
    if not can_see_thread(thread, viewer):
        return None
    if thread.status != PostStatus.VISIBLE:
        state = _state(opening) if opening is not None else str(thread.status)
        reason = opening.status_reason if opening is not None else None
        return _notice(state, reason, subject="thread")
    if _is_gone(thread):
        return (
            "Its opening post was deleted and readers can read none of its replies, so "
            "readers don't see this thread."
        )
    return None


class ThreadView:
    """A thread as lists, feeds and the thread header show it.

    Reads through to the thread, except for the author and the experience badge, which a
    deleted opening post takes away ("[deleted]", no badge), and the reply count when the
    page knows how many replies its reader may read.
    """

    def __init__(self, thread: Thread, *, replies: int | None = None):
        self.thread = thread
        self.opening_deleted = thread_facts(thread).opening_deleted
        self._replies = replies

    def __getattr__(self, name: str) -> Any:
        return getattr(self.thread, name)

    @property
    def author(self) -> User | None:
        return None if self.opening_deleted else self.thread.author

    @property
    def author_name(self) -> str:
        return DELETED_TEXT if self.opening_deleted else self.thread.author.username

    @property
    def badge(self) -> str:
        return "" if self.opening_deleted else self.thread.badge

    @property
    def reply_count(self) -> int:
        return self.thread.reply_count if self._replies is None else self._replies


def thread_views(rows) -> list[ThreadView]:
    """Views of (thread, opening deleted) rows from a query of ``public_threads()``."""
    views = []
    for thread, opening_deleted in rows:
        remember_facts(thread, opening_deleted)
        views.append(ThreadView(thread))
    return views
