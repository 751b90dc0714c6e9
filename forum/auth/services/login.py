"""Checking a password someone typed: the login form and the settings forms that ask for
the current password; failures count towards LOGIN_LIMIT (issue #2)."""

from werkzeug.security import check_password_hash

from forum import ratelimit
from forum.auth.services.accounts import find_user_by_login, rate_key
from forum.auth.services.passwords import _dummy_check
from forum.auth.services.rules import _sentence, normalize_username
from forum.errors import FieldErrors, ForumError, PermissionDenied
from forum.models import User


class LoginRefused(ForumError):
    """Unknown account or wrong password: one message for both, so nothing is revealed."""

    status = 422

    def __init__(self):
        super().__init__(
            "That username or email and password do not match an account. Check them and try again."
        )


# --- Login ---------------------------------------------------------------------------------


def authenticate(login: str, password: str, *, address: str) -> User:
    """The account for a login form, or raise.

    Raises RateLimited (429) once LOGIN_LIMIT failures are counted for the account or the
    client address, LoginRefused (422) for an unknown account or a wrong password alike, and
    PermissionDenied (403) for a banned account whose password is right.
    """
    login = normalize_username(login)
    # Keyed on what was typed, not on the account found: a key per account would answer
    # 429 for a username once its email address was tried, linking the two.
    keys = (rate_key("login", login), rate_key("ip", address))
    ratelimit.check("LOGIN_LIMIT", *keys)
    user = find_user_by_login(login)
    if user is None:
        _dummy_check(password)
        ok = False
    else:
        ok = check_password_hash(user.password_hash, password)
    if not ok:
        ratelimit.hit("LOGIN_LIMIT", *keys)
        raise LoginRefused()
    if user.is_banned:
        reason = f" Reason: {_sentence(user.status_reason)}" if user.status_reason else ""
        raise PermissionDenied(f"This account is banned.{reason}")
    return user


def check_current_password(user: User, password: str, *, field: str) -> None:
    """For settings forms: raise FieldErrors unless ``password`` is the user's password.

    Failures count towards LOGIN_LIMIT for the account, so a borrowed session cannot be
    used to guess the password either.
    """
    key = rate_key("login", user.username)
    ratelimit.check("LOGIN_LIMIT", key)
    if not check_password_hash(user.password_hash, password or ""):
        ratelimit.hit("LOGIN_LIMIT", key)
        raise FieldErrors({field: "That is not your current password."})
