"""Objects for tests, built directly in the database."""

import itertools

from werkzeug.security import generate_password_hash

from forum.extensions import db
from forum.models import Role, User, utcnow

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)
_password_hash = None


def _hash() -> str:
    global _password_hash
    if _password_hash is None:
        _password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
    return _password_hash


def make_user(
    username: str | None = None,
    *,
    email: str | None = None,
    role: Role | str = Role.MEMBER,
    verified: bool = True,
    **fields,
) -> User:
    n = next(_counter)
    username = username or f"user{n}"
    user = User(
        username=username.lower(),
        email=email or f"{username.lower()}@example.org",
        password_hash=_hash(),
        role=str(role),
        email_verified_at=utcnow() if verified else None,
        guidelines_version="2026-11",
        privacy_version="2026-11",
        terms_accepted_at=utcnow(),
        **fields,
    )
    db.session.add(user)
    db.session.flush()
    return user
