"""Password hashes, and the token generation that a new password or a ban raises to cancel
every link mailed before (issue #9)."""

from flask import current_app
from sqlalchemy import update
from werkzeug.security import check_password_hash, generate_password_hash

from forum.extensions import db
from forum.models import User, utcnow


def hash_password(password: str) -> str:
    """Hash with PASSWORD_HASH_METHOD (scrypt unless configured otherwise)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


_dummy_hashes: dict[str, str] = {}


def _dummy_check(password: str) -> None:
    """Spend the time a real check would, so an unknown account answers as slowly."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _dummy_hashes:
        _dummy_hashes[method] = generate_password_hash("not-a-real-password", method=method)
    check_password_hash(_dummy_hashes[method], password)


def set_password(user: User, password: str) -> None:
    """Store a new password and cancel every mailed link; callers check it with
    password_problem first."""
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    revoke_account_tokens(user)


def revoke_account_tokens(user: User) -> None:
    """Cancel every confirmation, email-change and reset link mailed to the account so far.

    Called on a password change or reset and on a ban (issue #9): a link waiting in a
    mailbox, or an email change an intruder started with a borrowed session, stops working.
    """
    db.session.execute(
        update(User).where(User.id == user.id).values(token_generation=User.token_generation + 1)
    )
