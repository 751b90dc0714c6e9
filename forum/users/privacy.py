"""What a profile shows of a member's replies (issue #13): their choice to hide the list,
and never, to others, replies in mood threads."""

from forum.models import Post, User
from forum.threads import services as thread_services
from forum.visibility import Viewer

MOOD_TAG = "mood"


def replies_hidden(viewer, member: User) -> bool:
    """Whether the reply list is hidden from ``viewer`` (the member and staff see it)."""
    viewer = Viewer.of(viewer)
    return member.hide_replies and viewer.id != member.id and not viewer.is_staff


def _in_mood_thread(post: Post) -> bool:
    return any(tag.slug == MOOD_TAG for tag in post.thread.tags)


def profile_replies(viewer, member: User, *, limit: int) -> list[Post]:
    """The replies a profile lists for ``viewer``: none when the member hides them; for
    anyone but the member, none in a mood thread."""
    if replies_hidden(viewer, member):
        return []
    replies = thread_services.member_replies(viewer, member, limit=limit)
    if Viewer.of(viewer).id == member.id:
        return replies
    return [post for post in replies if not _in_mood_thread(post)]
