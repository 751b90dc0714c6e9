"""Members writing to the moderators (issue #13): a contact item in the review queue.

The message waits in the queue beside reported and held posts (``ReviewItem.kind`` is
"contact"); a moderator answers it, and the answer lands in the member's inbox.
"""

from sqlalchemy import func, select

from forum.errors import InvalidAction, NotFound, RateLimited
from forum.extensions import db
from forum.models import ItemKind, ItemStatus, ReviewItem, Role, User, utcnow
from forum.moderation.services.queue import check_claim, require_pending
from forum.notifications import notify
from forum.notifications.kinds import Kind
from forum.permissions import require_role

BODY_MAX = 2000
ANSWER_MAX = 2000
OPEN_MAX = 3  # messages a member may have waiting at once
CONTACT_SEVERITY = 1
ANSWER_KIND = Kind.CONTACT_ANSWER
ANSWER_NOTICE = "The moderators answered your message: {answer}"
ANSWER_DETAIL = "answered"


def send_message(user: User, body: str) -> ReviewItem:
    """Put ``user``'s message in the moderators' queue.

    Raises RateLimited (429) while OPEN_MAX of their messages still wait for an answer.
    """
    waiting = db.session.scalar(
        select(func.count(ReviewItem.id)).where(
            ReviewItem.kind == ItemKind.CONTACT,
            ReviewItem.sender_id == user.id,
            ReviewItem.status == ItemStatus.PENDING,
        )
    )
    if waiting >= OPEN_MAX:
        raise RateLimited(
            f"You have {waiting} messages waiting for an answer. The moderators will answer "
            "them first.",
            retry_after=3600,
        )
    item = ReviewItem(
        kind=ItemKind.CONTACT,
        sender_id=user.id,
        body=body.strip(),
        status=ItemStatus.PENDING,
        severity=CONTACT_SEVERITY,
        created_at=utcnow(),
    )
    db.session.add(item)
    db.session.flush()
    return item


def get_contact_item(item_id: int, moderator: User) -> ReviewItem:
    """A contact item, for moderators. Raises PermissionDenied, NotFound."""
    require_role(moderator, Role.MODERATOR)
    item = db.session.get(ReviewItem, item_id)
    if item is None or item.kind != ItemKind.CONTACT:
        raise NotFound("There is no such message.")
    return item


def answer_message(item: ReviewItem, moderator: User, answer: str) -> None:
    """Send the answer to the member's inbox and resolve the item.

    Raises PermissionDenied, InvalidAction (409: already answered, claimed by another
    moderator, or the member's account is gone).
    """
    require_role(moderator, Role.MODERATOR)
    now = utcnow()
    require_pending(item)
    check_claim(item, moderator, now)
    if item.sender is None:
        raise InvalidAction("The member who wrote this has deleted their account.")
    item.answer = answer.strip()
    item.status = ItemStatus.RESOLVED
    item.outcome = ANSWER_DETAIL
    item.resolved_by_id = moderator.id
    item.resolved_at = now
    # Not in the moderation log: that log is public, and writing to the moderators is
    # nobody else's business. The item keeps who answered and when.
    notify(item.sender, ANSWER_KIND, ANSWER_NOTICE.format(answer=item.answer))
