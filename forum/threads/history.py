"""Who may read what a post said before it was edited (issue #9).

Text an author removed by editing (a real name, a place) must not stay public. Readers
learn that and when a post was edited; the earlier texts are for its author and the
moderators.
"""

from dataclasses import dataclass
from datetime import datetime

from forum.models import Post, PostRevision, User
from forum.threads import services
from forum.visibility import can_read_earlier_versions


@dataclass
class PostHistory:
    edited_at: list[datetime]  # when each earlier version was replaced, newest first
    revisions: list[PostRevision] | None  # the earlier texts, None for readers

    @property
    def shows_texts(self) -> bool:
        return self.revisions is not None


def post_history(post: Post, viewer: User | None) -> PostHistory:
    """What ``viewer`` may see of a post's history. Raises NotFound as services.revisions."""
    revisions = services.revisions(post, viewer)
    edited_at = [revision.created_at for revision in revisions]
    if can_read_earlier_versions(post, viewer):
        return PostHistory(edited_at, revisions)
    return PostHistory(edited_at, None)
