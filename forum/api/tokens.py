"""Personal access tokens: made and revoked at /settings/tokens, sent to the API as
``Authorization: Bearer <token>`` (issue #18).

A token is shown once, when it is made; only its SHA-256 is stored (the token is 32 random
bytes, so a plain hash is enough: nobody can guess one to match it). Tokens only read, they
expire (``TOKEN_DAYS``), and a member revokes them one at a time. A banned member's tokens
stop working with the ban.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forum.errors import ForumError, InvalidAction, NotFound
from forum.extensions import db
from forum.models import ApiToken, User, UserStatus, utcnow
from forum.validation import single_line

PREFIX = "iso_"
# Lifetimes a member may choose, in days.
TOKEN_DAYS = (7, 30, 90, 365)
NAME_MAX = 60
ACTIVE_MAX = 10


class Unauthorized(ForumError):
    status = 401


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    user: User, *, name: str, days: int, now: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user``: (the row, the token to show once).

    Raises InvalidAction (409) past ACTIVE_MAX active tokens, ForumError (400) for a
    lifetime not in TOKEN_DAYS or an empty name.
    """
    now = now or utcnow()
    name = single_line(name or "").strip()[:NAME_MAX]
    if not name:
        raise ForumError("Give the token a name, so you know later what it is for.")
    if days not in TOKEN_DAYS:
        raise ForumError("Choose one of the lifetimes offered.")
    if len(active_tokens(user, now=now)) >= ACTIVE_MAX:
        raise InvalidAction(
            f"You already have {ACTIVE_MAX} active tokens; revoke one you no longer use."
        )
    plain = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=hash_token(plain),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    return token, plain


def active_tokens(user: User, *, now: datetime | None = None) -> list[ApiToken]:
    """``user``'s tokens that still work, newest first."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(
                ApiToken.user_id == user.id,
                ApiToken.revoked_at.is_(None),
                ApiToken.expires_at > now,
            )
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(user: User, token_id: int, *, now: datetime | None = None) -> ApiToken:
    """Stop one of ``user``'s tokens working. Raises NotFound for anyone else's token."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("There is no such token.")
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
    return token


def authenticate(header: str, *, now: datetime | None = None) -> ApiToken:
    """The active token an ``Authorization`` header carries, with its member (one query).

    Raises Unauthorized (401) for another scheme, an unknown, revoked or expired token, or
    one whose member is banned.
    """
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value.startswith(PREFIX) or len(value) > 100:
        raise Unauthorized("Send a personal access token as: Authorization: Bearer <token>.")
    token = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == hash_token(value))
        .options(joinedload(ApiToken.user))
    )
    if token is None or not token.is_active(now or utcnow()):
        raise Unauthorized("This token is unknown, revoked or expired.")
    if token.user.status == UserStatus.BANNED:
        raise Unauthorized("This token's account is banned.")
    return token
