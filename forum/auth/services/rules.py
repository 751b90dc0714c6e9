"""What a username, an email address and a password must be: the rules shared by the
forms, the services and the `flask users` commands (issue #2)."""

import re

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from zxcvbn import zxcvbn

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
