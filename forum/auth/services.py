"""Accounts: registration, login, email verification and password reset (issue #2).

Plain functions: no request, no flash, no commit. Mail is queued with ``forum.mail.queue_mail``
and leaves after the caller commits, once the response is out (issue #9), so the time a
request takes does not tell whether an address has an account. Every mailed link carries the
account's token generation: a password change, a reset or a ban raises it and so cancels
every link mailed before (issue #9). Rate limits are counted here, keyed on hashes of the
account name and of the client address so the counters hold neither in clear.
"""

import hashlib
import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from flask import current_app, render_template, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from forum import ratelimit
from forum.auth.sessions import end_all_sessions
from forum.errors import FieldErrors, ForumError, InvalidAction, PermissionDenied
from forum.extensions import db
from forum.mail import queue_mail
from forum.models import Role, User, UsernameTombstone, utcnow
from forum.urls import external_url

USERNAME_RE = re.compile(r"[a-z0-9_-]{3,30}")
# Names that could pass for the site or its staff. Compared after dropping "_", "-" and
# trailing digits, so "admin_1" and "mod-" are refused too.
RESERVED_USERNAMES = frozenset(
    {
        "admin",
        "administrator",
        "anonymous",
        "api",
        "deleted",
        "forum",
        "guide",
        "help",
        "info",
        "mod",
        "moderator",
        "moderators",
        "mods",
        "no-reply",
        "noreply",
        "null",
        "official",
        "owner",
        "postmaster",
        "root",
        "security",
        "settings",
        "staff",
        "support",
        "system",
        "team",
        "undefined",
        "webmaster",
    }
)
# zxcvbn refuses longer input; a password that long is scored on its first 72 characters.
ZXCVBN_MAX_LENGTH = 72

VERIFY_SALT = "verify"
RESET_SALT = "reset"  # noqa: S105 - a signing salt, not a password


class InvalidToken(ForumError):
    """A verification or reset link that is forged, expired or already used."""

    status = 400


class LoginRefused(ForumError):
    """Unknown account or wrong password: one message for both, so nothing is revealed."""

    status = 422

    def __init__(self):
        super().__init__(
            "That username or email and password do not match an account. Check them and try again."
        )


# --- Rules shared by the forms, the services and the `flask users` commands -----------------


def normalize_username(raw: str | None) -> str:
    """Usernames (and the login field) are compared and stored lower-case."""
    return (raw or "").strip().lower()


def normalize_email(raw: str | None) -> str:
    """Addresses are stored stripped and lower-cased, so each has one spelling."""
    return (raw or "").strip().lower()


def username_problem(username: str, *, staff: bool = False) -> str | None:
    """Why ``username`` (already lower-cased) cannot be used, or None.

    ``staff`` is for moderator and admin accounts made with ``flask users create``: they
    may carry a name that looks like staff, because they are staff.
    """
    if not 3 <= len(username) <= 30:
        return "Use between 3 and 30 characters."
    if not USERNAME_RE.fullmatch(username):
        return "Use only lower-case letters a-z, digits, underscores and hyphens."
    core = username.replace("_", "").replace("-", "").rstrip("0123456789")
    if username in RESERVED_USERNAMES or core in RESERVED_USERNAMES:
        return "That username is reserved. Please choose another."
    if not staff and looks_like_staff(username):
        return "That username could be taken for a staff account. Please choose another."
    return None


# Look-alike digits (issue #9); "1" stands for both "i" and "l", so both readings are tried.
_LOOKALIKE_FOLDINGS = (
    str.maketrans("01345", "oieas"),
    str.maketrans("01345", "oleas"),
)
STAFF_WORDS = ("admin", "moderator", "staff", "official")
STAFF_PARTS = frozenset({"mod", "mods"})


def looks_like_staff(username: str) -> bool:
    """Whether ``username`` reads as a staff name once look-alike digits are folded.

    Refused: a name containing one of STAFF_WORDS (also across "-" and "_", so "ad-min"
    counts), or with "mod" as one of its "-"/"_"-separated parts ("mod-team", "m0d_1"),
    so "modern_mum" stays allowed.
    """
    for table in _LOOKALIKE_FOLDINGS:
        folded = username.translate(table)
        joined = folded.replace("-", "").replace("_", "")
        if any(word in folded or word in joined for word in STAFF_WORDS):
            return True
        raw_parts = re.split(r"[-_]", username)
        parts = re.split(r"[-_]", folded)
        # A part's trailing digits may be a counter ("mod2") rather than a letter.
        parts += [part.rstrip("0123456789") for part in raw_parts]
        if STAFF_PARTS.intersection(parts):
            return True
    return False


def email_problem(email: str) -> str | None:
    """Why ``email`` is not a usable address, or None (no DNS lookup)."""
    if len(email) > 254:
        return "That email address is too long."
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return "Enter a valid email address, like name@example.com."
    return None


def password_problem(password: str, user_inputs: list[str] = ()) -> str | None:
    """Why ``password`` is refused, or None: length bounds and zxcvbn's guessability score.

    No composition rules. ``user_inputs`` (username, email) count as easy to guess.
    """
    config = current_app.config
    if len(password) < config["PASSWORD_MIN_LENGTH"]:
        return f"Use at least {config['PASSWORD_MIN_LENGTH']} characters."
    if len(password) > config["PASSWORD_MAX_LENGTH"]:
        return f"Use at most {config['PASSWORD_MAX_LENGTH']} characters."
    inputs = [value for item in user_inputs if item for value in (item, *re.split(r"[@.]", item))]
    result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=[v for v in inputs if v])
    if result["score"] >= config["PASSWORD_MIN_SCORE"]:
        return None
    feedback = result["feedback"]
    parts = ["This password is too easy to guess."]
    if feedback.get("warning"):
        parts.append(_sentence(feedback["warning"]))
    parts.extend(_sentence(tip) for tip in feedback.get("suggestions", []))
    if len(parts) == 1:
        parts.append("Try a few unrelated words together.")
    return " ".join(parts)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


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


# --- Registration ------------------------------------------------------------------------


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
