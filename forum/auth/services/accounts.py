"""Finding accounts and creating them after checking every rule (issue #2)."""

import hashlib

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from forum.auth.services.passwords import hash_password
from forum.auth.services.rules import (
    email_problem,
    normalize_email,
    normalize_username,
    password_problem,
    username_problem,
)
from forum.errors import FieldErrors
from forum.extensions import db
from forum.models import Role, User, UsernameTombstone, utcnow


def rate_key(kind: str, value: str) -> str:
    """A rate-limit key that does not hold the name or address in clear."""
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def find_user_by_login(login: str) -> User | None:
    """The account whose username or email address is ``login`` (any case)."""
    value = normalize_username(login)
    if not value:
        return None
    return db.session.scalars(
        select(User).where(or_(User.username == value, User.email == value))
    ).first()


def email_taken(email: str, *, exclude: User | None = None) -> bool:
    """Whether another account (than ``exclude``) has the normalised ``email``."""
    stmt = select(User.id).where(User.email == email)
    if exclude is not None:
        stmt = stmt.where(User.id != exclude.id)
    return db.session.scalar(stmt.limit(1)) is not None


def username_taken(username: str) -> bool:
    """Whether an account has (or a deleted account had: issue #13) the lower-cased
    ``username``."""
    if db.session.get(UsernameTombstone, username) is not None:
        return True
    return db.session.scalar(select(User.id).where(User.username == username).limit(1)) is not None


def create_account(
    username: str,
    email: str,
    password: str,
    *,
    role: Role | str = Role.MEMBER,
    verified: bool = False,
    accepted_terms: bool = True,
) -> User:
    """Create an account after checking every rule; raises FieldErrors (422).

    Used by registration and by ``flask users create``. The email must not be taken: the
    caller decides what a taken address means (registration mails a notice instead).
    """
    username, email = normalize_username(username), normalize_email(email)
    staff = Role(role) != Role.MEMBER
    errors = _name_and_password_errors(username, email, password, staff=staff)
    if problem := email_problem(email):
        errors["email"] = problem
    elif email_taken(email):
        errors["email"] = "An account already uses that email address."
    if errors:
        raise FieldErrors(errors)
    now = utcnow()
    config = current_app.config
    user = User(
        username=username,
        email=email,
        password_hash=hash_password(password),
        role=str(Role(role)),
        email_verified_at=now if verified else None,
        password_changed_at=now,
        guidelines_version=config["GUIDELINES_VERSION"] if accepted_terms else None,
        privacy_version=config["PRIVACY_VERSION"] if accepted_terms else None,
        terms_accepted_at=now if accepted_terms else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:
        # Someone took the name or the address between the check and the insert.
        raise FieldErrors({"username": "That username is taken. Please choose another."}) from None
    return user


def _name_and_password_errors(
    username: str, email: str, password: str, *, staff: bool = False
) -> dict[str, str]:
    errors = {}
    # The name's own rules come before whether it is taken, so a look-alike name that an
    # older account already holds answers "reserved" like any other: nothing is revealed.
    if problem := username_problem(username, staff=staff):
        errors["username"] = problem
    elif username_taken(username):
        errors["username"] = "That username is taken. Please choose another."
    if problem := password_problem(password, [username, email]):
        errors["password"] = problem
    return errors
