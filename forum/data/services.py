"""A member's own data (issue #13): asking for deletion, cancelling it, profile privacy.

Plain functions: they add and flush, never commit, and never touch the request. The
export lives in ``forum.data.export``, the purge in ``forum.data.deletion``.
"""

from datetime import timedelta

from flask import current_app, url_for

from forum.auth import services as auth
from forum.auth.sessions import end_all_sessions
from forum.cache import purge_after_commit
from forum.errors import InvalidAction
from forum.extensions import db
from forum.mail import queue_mail
from forum.models import User, utcnow
from forum.urls import external_url

DELETION_SUBJECT = "Your account is going to be deleted"
DELETION_BODY = """Hello {name},

You asked us to delete your account ({what}). It will be deleted on {due:%d %B %Y} (UTC).

Changed your mind? Log in again before then and the deletion is cancelled:
{login}

If you did not ask for this, log in and change your password.
"""
MODE_WORDS = {
    "keep": "your posts stay, attributed to a former member",
    "erase": "the text of every post you wrote is erased as well",
}


def grace_days() -> int:
    return int(current_app.config["DELETION_GRACE_DAYS"])


def request_deletion(user: User, *, password: str, mode: str) -> None:
    """Schedule the deletion of ``user``'s own account after DELETION_GRACE_DAYS, end all
    their sessions, and mail them how to cancel.

    Raises FieldErrors (wrong password, counted like a failed login), InvalidAction (409)
    when a deletion is already scheduled.
    """
    if user.deletion_pending:
        raise InvalidAction("Your account is already scheduled for deletion.")
    auth.check_current_password(user, password, field="password")
    now = utcnow()
    user.deletion_mode = mode
    user.deletion_requested_at = now
    user.deletion_due_at = now + timedelta(days=grace_days())
    end_all_sessions(user)
    queue_mail(
        user.email,
        DELETION_SUBJECT,
        DELETION_BODY.format(
            name=user.username,
            what=MODE_WORDS[mode],
            due=user.deletion_due_at,
            login=external_url(url_for("auth.login")),
        ),
        kind="account",
    )


def cancel_deletion(user: User) -> bool:
    """Cancel a scheduled deletion (logging in again does it); returns whether there was one."""
    if not user.deletion_pending:
        return False
    user.deletion_mode = user.deletion_requested_at = user.deletion_due_at = None
    return True


def update_privacy(user: User, *, hide_replies: bool, noindex: bool, contribute: bool) -> None:
    """Store the member's profile privacy choices."""
    user.hide_replies, user.noindex, user.contribute = hide_replies, noindex, contribute
    # Cached profiles show the choices; forum.sync does not watch accounts.
    purge_after_commit(db.session)
