"""One decision being applied, and what several decisions share (issue #16)."""

from dataclasses import dataclass
from datetime import datetime

from forum.auth.services import revoke_account_tokens
from forum.auth.sessions import end_all_sessions
from forum.errors import InvalidAction, PermissionDenied
from forum.extensions import db
from forum.models import ModAction, Post, ReviewItem, User, UserStatus
from forum.moderation import labels
from forum.moderation.services.audit import log_action
from forum.moderation.services.items import publish
from forum.notifications.services import notify
from forum.visibility import hidden_by_reports


@dataclass
class Case:
    """One decision being applied: who decides what about which item, and why."""

    item: ReviewItem
    moderator: User
    reason: str
    days: int | None
    article: str | int | None
    now: datetime
    follow_up: str | None = None
    last_action_id: int | None = None

    @property
    def post(self) -> Post:
        return self.item.post

    @property
    def author(self) -> User:
        return self.item.post.author

    @property
    def where(self) -> str:
        kind = "thread" if self.post.is_opening else "reply"
        return labels.WHERE.format(kind=kind, title=self.post.thread.title)

    def log(self, action: ModAction, detail: str | None = None, *, post: Post | None = None):
        entry = log_action(
            self.moderator,
            action,
            post=post or self.post,
            user=self.author,
            item=self.item,
            reason=self.reason,
            detail=detail,
        )
        db.session.flush()
        self.last_action_id = entry.id
        return entry

    def tell_author(self, kind: str, message: str, *, with_post: bool = True) -> None:
        """Notify the author of the decision just logged, which they may appeal."""
        text = message.format(where=self.where, reason=self.reason, title=self.post.thread.title)
        post = self.post if with_post else None
        notify(self.author, kind, text, post=post, action_id=self.last_action_id)


def restore_auto_hidden(case: Case) -> None:
    """Undo what the hide after reports did: a decision that does not hide the post puts it
    back for readers, and says so in the log (issue #16)."""
    if hidden_by_reports(case.post):
        publish(case.post)
        case.log(ModAction.POST_RESTORE)


def check_can_sanction(moderator: User, author: User) -> None:
    if author.is_admin:
        raise PermissionDenied("An admin can't be suspended or banned.")
    if author.is_moderator and not moderator.is_admin:
        raise PermissionDenied("Only an admin can suspend or ban a moderator.")
    if author.is_banned:
        raise InvalidAction("This member is already banned.")


def ban(case: Case, detail: str | None = None) -> None:
    check_can_sanction(case.moderator, case.author)
    author = case.author
    author.status = UserStatus.BANNED
    author.suspended_until = None
    author.status_reason = case.reason
    end_all_sessions(author)
    revoke_account_tokens(author)
    case.log(ModAction.USER_BAN, detail=detail)
