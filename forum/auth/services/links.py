"""Signed links sent by mail: email verification and password reset (issue #2).

Every link carries the account's token generation, so a password change, a reset or a ban
cancels every link mailed before (issue #9). Mail is queued and leaves after the commit.
"""

import hashlib

from flask import current_app, render_template, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from forum import ratelimit
from forum.auth.services.accounts import email_taken, rate_key
from forum.auth.services.passwords import set_password
from forum.auth.services.rules import normalize_email, password_problem
from forum.auth.sessions import end_all_sessions
from forum.errors import FieldErrors, ForumError, InvalidAction
from forum.extensions import db
from forum.mail import queue_mail
from forum.models import User, utcnow
from forum.urls import external_url

VERIFY_SALT = "verify"
RESET_SALT = "reset"  # noqa: S105 - a signing salt, not a password


class InvalidToken(ForumError):
    """A verification or reset link that is forged, expired or already used."""

    status = 400


# --- Mail ----------------------------------------------------------------------------------


def send_notice(to: str, subject: str, template: str, **context) -> None:
    """Queue a plain-text mail from templates/auth/mail/<template>.txt (sent on commit)."""
    body = render_template(
        f"auth/mail/{template}.txt",
        login_url=external_url(url_for("auth.login")),
        reset_url=external_url(url_for("auth.reset_request")),
        **context,
    )
    queue_mail(to, subject, body)


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def verification_token(user: User, *, new_email: str | None = None) -> str:
    """A signed link payload binding the account and the address it confirms.

    With ``new_email`` the link also carries the current address: following it moves the
    account to the new address, and only while the account still has the old one.
    """
    payload = {"u": user.id, "e": new_email or user.email, "g": user.token_generation}
    if new_email:
        payload["o"] = user.email
    return _serializer(VERIFY_SALT).dumps(payload)


def send_verification(user: User, *, new_email: str | None = None) -> None:
    token = verification_token(user, new_email=new_email)
    send_notice(
        new_email or user.email,
        "Confirm your email address",
        "verify",
        user=user,
        link=external_url(url_for("auth.verify", token=token)),
        hours=current_app.config["VERIFY_TOKEN_MAX_AGE"] // 3600,
    )


def resend_verification(user: User) -> None:
    """Mail a fresh verification link.

    Raises InvalidAction (409) if the address is already confirmed, RateLimited (429) past
    VERIFY_LIMIT for the account.
    """
    if user.is_verified:
        raise InvalidAction("Your email address is already confirmed.")
    ratelimit.hit("VERIFY_LIMIT", rate_key("user", str(user.id)))
    send_verification(user)


VERIFIED, ALREADY_VERIFIED, EMAIL_CHANGED = "verified", "already", "changed"
CANCELLED = "This {what} was cancelled by a later change to the account, such as a new password."


def verify_email(token: str) -> tuple[User, str]:
    """Apply a verification link: returns the user and VERIFIED, ALREADY_VERIFIED or
    EMAIL_CHANGED. Raises InvalidToken (400)."""
    max_age = current_app.config["VERIFY_TOKEN_MAX_AGE"]
    try:
        payload = _serializer(VERIFY_SALT).loads(token, max_age=max_age)
    except SignatureExpired:
        raise InvalidToken("This confirmation link has expired.") from None
    except BadSignature:
        raise InvalidToken("This confirmation link is not valid.") from None
    user = db.session.get(User, payload.get("u")) if isinstance(payload, dict) else None
    if user is None:
        raise InvalidToken("This confirmation link is not valid.")
    if payload.get("g", 0) != user.token_generation:
        raise InvalidToken(CANCELLED.format(what="confirmation link"))
    email = payload.get("e")
    old_email = payload.get("o")
    if old_email is not None:
        if user.email == email:
            return user, ALREADY_VERIFIED
        if user.email != old_email:
            raise InvalidToken("This confirmation link is for an address change that was replaced.")
        if email_taken(email, exclude=user):
            raise InvalidToken("That address now belongs to another account.")
        user.email = email
        user.email_verified_at = utcnow()
        return user, EMAIL_CHANGED
    if user.email != email:
        raise InvalidToken("This confirmation link is for an address the account no longer uses.")
    if user.is_verified:
        return user, ALREADY_VERIFIED
    user.email_verified_at = utcnow()
    return user, VERIFIED


# --- Password reset --------------------------------------------------------------------------


def _password_fingerprint(user: User) -> str:
    # The hash changes (new salt) whenever the password is set, so the link dies once used.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def reset_token(user: User) -> str:
    """A signed reset link payload that stops working once the password changes."""
    payload = {"u": user.id, "p": _password_fingerprint(user), "g": user.token_generation}
    return _serializer(RESET_SALT).dumps(payload)


def request_password_reset(email: str, *, address: str) -> None:
    """Mail a reset link if an account has ``email``; say nothing either way.

    Raises RateLimited (429): RESET_LIMIT per client address and per address asked for.
    """
    email = normalize_email(email)
    ratelimit.hit("RESET_LIMIT", rate_key("ip", address), rate_key("email", email))
    user = db.session.scalars(select(User).where(User.email == email)).first()
    if user is None:
        return
    send_notice(
        user.email,
        "Reset your password",
        "reset",
        user=user,
        link=external_url(url_for("auth.reset_password", token=reset_token(user))),
        minutes=current_app.config["RESET_TOKEN_MAX_AGE"] // 60,
    )


def user_for_reset_token(token: str) -> User:
    """The account a reset link belongs to; raises InvalidToken (400) if it is forged,
    expired or already used."""
    max_age = current_app.config["RESET_TOKEN_MAX_AGE"]
    try:
        payload = _serializer(RESET_SALT).loads(token, max_age=max_age)
    except SignatureExpired:
        raise InvalidToken("This password reset link has expired.") from None
    except BadSignature:
        raise InvalidToken("This password reset link is not valid.") from None
    user = db.session.get(User, payload.get("u")) if isinstance(payload, dict) else None
    if user is None or payload.get("p") != _password_fingerprint(user):
        raise InvalidToken("This password reset link has already been used.")
    if payload.get("g", 0) != user.token_generation:
        raise InvalidToken(CANCELLED.format(what="password reset link"))
    return user


def reset_password(user: User, password: str) -> None:
    """Set a new password from a reset link and end every session of the account.

    Raises FieldErrors (422).
    """
    if problem := password_problem(password, [user.username, user.email]):
        raise FieldErrors({"password": problem})
    set_password(user, password)
    end_all_sessions(user)
    send_notice(user.email, "Your password was changed", "password_changed", user=user)
