"""Who may read a post, and what stands in place of one they may not (issue #4)."""

from forum.models import Post, PostStatus, User

# What readers see in place of a reply they may not read, so the replies below keep their
# place (DESIGN.md, Conventions).
PLACEHOLDERS = {
    PostStatus.HIDDEN: "[hidden by a moderator]",
    PostStatus.REMOVED: "[removed by a moderator]",
    PostStatus.PENDING: "[waiting for review]",
}


def is_public(post: Post) -> bool:
    """Whether anyone, signed in or not, may read ``post``."""
    return (
        post.deleted_at is None
        and post.status == PostStatus.VISIBLE
        and post.thread.status == PostStatus.VISIBLE
    )


def can_see_post(post: Post, viewer: User | None) -> bool:
    """Readers see public posts; authors also see their own held, hidden or removed posts
    (with the reason); moderators see everything."""
    if is_public(post):
        return True
    if viewer is None or not viewer.is_authenticated:
        return False
    return viewer.is_moderator or (post.author_id == viewer.id and post.deleted_at is None)


def reader_placeholder(post: Post, viewer: User | None) -> str | None:
    """For the thread page: None when ``viewer`` may read the post's text, else what stands
    in its place ("[hidden by a moderator]", ...) so the replies below keep their place."""
    if can_see_post(post, viewer):
        return None
    if post.deleted_at is not None:
        return "[deleted]"
    return PLACEHOLDERS.get(PostStatus(post.status), PLACEHOLDERS[PostStatus.HIDDEN])
