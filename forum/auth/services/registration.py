"""Registration: an account and its verification link, or a notice to an address that
already has one, answered alike (issue #2)."""

from dataclasses import dataclass

from forum import ratelimit
from forum.auth.services.accounts import (
    _name_and_password_errors,
    create_account,
    email_taken,
    rate_key,
)
from forum.auth.services.links import send_notice, send_verification
from forum.auth.services.passwords import hash_password
from forum.auth.services.rules import email_problem, normalize_email, normalize_username
from forum.errors import FieldErrors
from forum.models import User


@dataclass
class Registration:
    user: User | None  # None when the address already had an account (a notice was mailed)
    email: str


def register_user(username: str, email: str, password: str, *, address: str) -> Registration:
    """Register a member and mail the verification link.

    If the address already has an account, nothing is created and that address gets a
    notice instead; the caller shows the same page either way. Raises FieldErrors (422) and
    RateLimited (429: REGISTER_LIMIT per client address).
    """
    username, email = normalize_username(username), normalize_email(email)
    ratelimit.hit("REGISTER_LIMIT", rate_key("ip", address))
    if not email_problem(email) and email_taken(email):
        errors = _name_and_password_errors(username, email, password)
        if errors:
            raise FieldErrors(errors)
        hash_password(password)  # as slow as a real registration, so timing reveals nothing
        send_notice(email, "Someone tried to sign up with your email address", "existing_account")
        return Registration(user=None, email=email)
    user = create_account(username, email, password)
    send_verification(user)
    return Registration(user=user, email=email)
