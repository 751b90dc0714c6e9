"""Who sees which thread and post, and how (DESIGN.md, Conventions).

Moderation only changes ``Post.status``/``Thread.status``; every page asks these functions
what to show, so a hidden post disappears from every page at once.
"""

from dataclasses import dataclass

from forum.models import Post, PostStatus, Thread, User

PLACEHOLDERS = {
    PostStatus.HIDDEN: "[hidden by a moderator]",
    PostStatus.REMOVED: "[removed by a moderator]",
}
DELETED_TEXT = "[deleted]"


def is_signed_in(user: User | None) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def is_moderator(user: User | None) -> bool:
    return is_signed_in(user) and user.is_moderator


def is_author(user: User | None, obj: Post | Thread) -> bool:
    return is_signed_in(user) and obj.author_id == user.id


def can_view_thread(user: User | None, thread: Thread) -> bool:
    """Readers see visible threads; the author and moderators see every thread."""
    return thread.status == PostStatus.VISIBLE or is_author(user, thread) or is_moderator(user)


def _status_notice(status: str, reason: str | None, *, subject: str) -> str:
    if status == PostStatus.PENDING:
        text = f"Waiting for review: only its author and the moderators can see this {subject}."
    else:
        verb = "hidden" if status == PostStatus.HIDDEN else "removed"
        text = f"This {subject} was {verb} by a moderator; readers don't see it."
    if reason:
        text += f" Reason: {reason}"
    return text


def thread_notice(user: User | None, thread: Thread, opening: Post | None) -> str | None:
    """Why readers can't see this thread, for the author and moderators who still can."""
    if thread.status == PostStatus.VISIBLE or not can_view_thread(user, thread):
        return None
    reason = opening.status_reason if opening is not None else None
    return _status_notice(thread.status, reason, subject="thread")


@dataclass(frozen=True)
class PostView:
    """How one post appears to one viewer."""

    show_body: bool = True
    placeholder: str | None = None  # shown instead of the text
    notice: str | None = None  # why readers don't see it, for those who do

    @property
    def is_plain(self) -> bool:
        """Shown to everyone as written: it can be answered and marked helpful."""
        return self.show_body and self.notice is None


PLAIN = PostView()
DELETED = PostView(show_body=False, placeholder=DELETED_TEXT)


def post_view(user: User | None, post: Post) -> PostView | None:
    """How ``post`` appears to ``user``; None when it is left out of the page altogether.

    Deleted posts show "[deleted]" to everyone. A pending (held) post is shown only to its
    author and moderators. A hidden or removed post leaves a placeholder for readers, so the
    replies below keep their place; its author and moderators see it with the reason.
    """
    if post.deleted_at is not None:
        return DELETED
    if post.status == PostStatus.VISIBLE:
        return PLAIN
    privileged = is_author(user, post) or is_moderator(user)
    if privileged:
        return PostView(notice=_status_notice(post.status, post.status_reason, subject="post"))
    if post.status == PostStatus.PENDING:
        return None
    return PostView(show_body=False, placeholder=PLACEHOLDERS.get(post.status, DELETED_TEXT))
