"""Who may do what. Services call these; views only decorate."""

from functools import wraps

from flask import abort
from flask_login import current_user

from forum.errors import PermissionDenied
from forum.extensions import login_manager
from forum.models import Role, User


def require_role(user: User | None, role: Role) -> None:
    """Raise PermissionDenied unless ``user`` holds ``role`` or a higher one."""
    if user is None or not user.is_authenticated or not user.has_role(role):
        raise PermissionDenied("You don't have permission to do that.")


def require_can_write(user: User | None) -> None:
    """Posting, replying, reporting, marking helpful: verified members in good standing.

    Raises PermissionDenied (403) with a message that says why and, for a suspension,
    until when.
    """
    if user is None or not user.is_authenticated:
        raise PermissionDenied("Please log in first.")
    if user.is_banned:
        raise PermissionDenied("This account is banned.")
    if user.is_suspended:
        until = user.suspended_until.strftime("%d %B %Y at %H:%M UTC")
        reason = f" Reason: {user.status_reason}" if user.status_reason else ""
        raise PermissionDenied(f"Your account is suspended until {until}.{reason}")
    if not user.is_verified:
        raise PermissionDenied(
            "Please confirm your email address before posting: use the link we sent you, "
            "or ask for a new one in your settings."
        )


def role_required(role: Role):
    """View decorator: 302 to login when signed out, 403 without the role."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
