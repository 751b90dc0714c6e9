"""Accounts: registration, login, email verification and password reset (issue #2).

The package holds one module per part (rules, passwords, accounts, login, links,
registration); this module re-exports them, so ``from forum.auth import services`` reads as
one namespace.

Plain functions: no request, no flash, no commit. Mail is queued with ``forum.mail.queue_mail``
and leaves after the caller commits, once the response is out (issue #9), so the time a
request takes does not tell whether an address has an account. Every mailed link carries the
account's token generation: a password change, a reset or a ban raises it and so cancels
every link mailed before (issue #9). Rate limits are counted here, keyed on hashes of the
account name and of the client address so the counters hold neither in clear.
"""

from forum.auth.services.accounts import (
    create_account,
    email_taken,
    find_user_by_login,
    rate_key,
    username_taken,
)
from forum.auth.services.links import (
    ALREADY_VERIFIED,
    CANCELLED,
    EMAIL_CHANGED,
    RESET_SALT,
    VERIFIED,
    VERIFY_SALT,
    InvalidToken,
    request_password_reset,
    resend_verification,
    reset_password,
    reset_token,
    send_notice,
    send_verification,
    user_for_reset_token,
    verification_token,
    verify_email,
)
from forum.auth.services.login import (
    LoginRefused,
    authenticate,
    check_current_password,
)
from forum.auth.services.passwords import (
    hash_password,
    revoke_account_tokens,
    set_password,
)
from forum.auth.services.registration import (
    Registration,
    register_user,
)
from forum.auth.services.rules import (
    RESERVED_USERNAMES,
    STAFF_PARTS,
    STAFF_WORDS,
    USERNAME_RE,
    ZXCVBN_MAX_LENGTH,
    email_problem,
    looks_like_staff,
    normalize_email,
    normalize_username,
    password_problem,
    username_problem,
)

__all__ = [
    "ALREADY_VERIFIED",
    "CANCELLED",
    "EMAIL_CHANGED",
    "InvalidToken",
    "LoginRefused",
    "RESERVED_USERNAMES",
    "RESET_SALT",
    "Registration",
    "STAFF_PARTS",
    "STAFF_WORDS",
    "USERNAME_RE",
    "VERIFIED",
    "VERIFY_SALT",
    "ZXCVBN_MAX_LENGTH",
    "authenticate",
    "check_current_password",
    "create_account",
    "email_problem",
    "email_taken",
    "find_user_by_login",
    "hash_password",
    "looks_like_staff",
    "normalize_email",
    "normalize_username",
    "password_problem",
    "rate_key",
    "register_user",
    "request_password_reset",
    "resend_verification",
    "reset_password",
    "reset_token",
    "revoke_account_tokens",
    "send_notice",
    "send_verification",
    "set_password",
    "user_for_reset_token",
    "username_problem",
    "username_taken",
    "verification_token",
    "verify_email",
]
