"""The moderation log (issue #4): ``log_action`` is its only writer.

Entries are appended in the caller's transaction and never edited or deleted; the model
refuses both (``forum.models.moderation``).
"""

from forum.extensions import db
from forum.models import ModAction, ModerationAction, Post, ReviewItem, Thread, User, utcnow
from forum.moderation.services.items import is_crisis_item

DETAIL_MAX = 120


def log_action(
    moderator: User | None,
    action: ModAction,
    *,
    post: Post | None = None,
    thread: Thread | None = None,
    user: User | None = None,
    item: ReviewItem | None = None,
    reason: str,
    detail: str | None = None,
) -> ModerationAction:
    """Append one entry to the moderation log, in the caller's transaction.

    ``moderator`` is None for what the site does by itself (hiding after several reports, a
    role given from the command line). Entries about a crisis item are marked as safety
    actions: the public log names no target.
    """
    if thread is None and post is not None:
        thread = post.thread
    entry = ModerationAction(
        moderator_id=moderator.id if moderator is not None else None,
        action=str(ModAction(action)),
        target_post_id=post.id if post is not None else None,
        target_thread_id=thread.id if thread is not None else None,
        target_user_id=user.id if user is not None else None,
        item_id=item.id if item is not None else None,
        reason=reason,
        detail=detail[:DETAIL_MAX] if detail else None,
        is_safety=item is not None and is_crisis_item(item),
        created_at=utcnow(),
    )
    db.session.add(entry)
    return entry
