"""Members appealing a decision about them (issue #16).

One appeal per logged decision, with a short text; it waits in the queue until a moderator
other than the one who acted upholds or grants it (unless the team has only one). Granting
takes the decision back where it can be undone; the member learns the outcome in their
inbox, and the public log says "appeal upheld" or "appeal granted".
"""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from forum.errors import ForumError, InvalidAction, NotFound, PermissionDenied
from forum.extensions import db
from forum.models import (
    Appeal,
    AppealStatus,
    ModAction,
    ModerationAction,
    PostStatus,
    Role,
    User,
    UserStatus,
    utcnow,
)
from forum.moderation import labels
from forum.moderation.services.audit import log_action
from forum.moderation.services.items import set_status
from forum.notifications.services import Kind, notify
from forum.permissions import require_role

APPEAL_MAX = 2000
APPEALABLE = frozenset(
    {
        ModAction.POST_HIDE,
        ModAction.POST_REMOVE,
        ModAction.POST_DECLINE,
        ModAction.POST_LABEL,
        ModAction.USER_WARN,
        ModAction.USER_SUSPEND,
        ModAction.USER_BAN,
    }
)
UPHOLD, GRANT = "uphold", "grant"


def appealable_action(action_id: int, member: User) -> ModerationAction:
    """The decision ``member`` may appeal; NotFound (404) for any other."""
    action = db.session.get(ModerationAction, action_id)
    if (
        action is None
        or action.target_user_id != member.id
        or action.moderator_id is None
        or action.action not in APPEALABLE
    ):
        raise NotFound("There is no such decision to appeal.")
    return action


def appeal_of(action: ModerationAction) -> Appeal | None:
    return db.session.scalar(select(Appeal).where(Appeal.action_id == action.id))


def file_appeal(action: ModerationAction, member: User, body: str) -> Appeal:
    """Appeal ``action``. Raises NotFound (404) for a decision not about ``member``,
    InvalidAction (409) for a second appeal of it, ForumError (422) for an empty or long
    text."""
    action = appealable_action(action.id, member)
    body = (body or "").strip()
    if not body:
        raise ForumError("Say why the decision should change.", status=422)
    if len(body) > APPEAL_MAX:
        raise ForumError(f"Keep the appeal under {APPEAL_MAX:,} characters.", status=422)
    if appeal_of(action) is not None:
        raise InvalidAction("You already appealed this decision.")
    appeal = Appeal(action_id=action.id, user_id=member.id, body=body, created_at=utcnow())
    db.session.add(appeal)
    db.session.flush()
    notify(member, Kind.APPEAL, labels.NOTICE_APPEAL_RECEIVED, post=action.target_post)
    return appeal


def pending_appeals(moderator: User, limit: int = 50) -> list[Appeal]:
    """The appeals waiting for a decision, oldest first (one query)."""
    require_role(moderator, Role.MODERATOR)
    return list(
        db.session.scalars(
            select(Appeal)
            .where(Appeal.status == AppealStatus.PENDING)
            .options(
                joinedload(Appeal.user),
                joinedload(Appeal.action).joinedload(ModerationAction.moderator),
            )
            .order_by(Appeal.created_at, Appeal.id)
            .limit(limit)
        )
    )


def get_appeal(appeal_id: int, moderator: User) -> Appeal:
    require_role(moderator, Role.MODERATOR)
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound("There is no such appeal.")
    return appeal


def _team_size() -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(
            User.role.in_((Role.MODERATOR, Role.ADMIN)), User.status != UserStatus.BANNED
        )
    )


def _undo(action: ModerationAction) -> None:
    """Take back what ``action`` did, where it can be taken back."""
    post, user = action.target_post, action.target_user
    if action.action in (ModAction.POST_HIDE, ModAction.POST_REMOVE, ModAction.POST_DECLINE):
        if post is not None and post.status != PostStatus.VISIBLE:
            set_status(post, PostStatus.VISIBLE, None)
    elif action.action == ModAction.POST_LABEL and post is not None:
        post.label = None
        post.label_article_id = None
    elif action.action in (ModAction.USER_SUSPEND, ModAction.USER_BAN) and user is not None:
        user.status = UserStatus.ACTIVE
        user.suspended_until = None
        user.status_reason = None


def decide_appeal(
    appeal: Appeal, moderator: User, outcome: str, reason: str, *, now: datetime | None = None
) -> None:
    """Uphold or grant ``appeal``.

    Raises PermissionDenied (403) for non-moderators, and for the moderator who took the
    decision while the team has another; InvalidAction (409) for an appeal already decided;
    ForumError (422) for an unknown outcome or a missing reason.
    """
    require_role(moderator, Role.MODERATOR)
    if appeal.status != AppealStatus.PENDING:
        raise InvalidAction("This appeal was already decided.")
    if outcome not in (UPHOLD, GRANT):
        raise ForumError("Choose to uphold or to grant the appeal.", status=422)
    reason = (reason or "").strip()
    if not reason:
        raise ForumError("Give a reason: the member sees it.", status=422)
    action = appeal.action
    if action.moderator_id == moderator.id and _team_size() > 1:
        raise PermissionDenied("You took this decision: leave its appeal to another moderator.")
    granted = outcome == GRANT
    if granted:
        _undo(action)
    appeal.status = AppealStatus.GRANTED if granted else AppealStatus.UPHELD
    appeal.decided_by_id = moderator.id
    appeal.decided_at = now or utcnow()
    appeal.decision_reason = reason
    log_action(
        moderator,
        ModAction.APPEAL_GRANTED if granted else ModAction.APPEAL_UPHELD,
        post=action.target_post,
        thread=action.target_thread,
        user=appeal.user,
        reason=reason,
        detail=labels.ACTION_VERBS.get(action.action, action.action).lower(),
    )
    notice = labels.NOTICE_APPEAL_GRANTED if granted else labels.NOTICE_APPEAL_UPHELD
    notify(appeal.user, Kind.APPEAL, notice.format(reason=reason), post=action.target_post)
    db.session.flush()
