"""What every write checks: the limits on text, whether the writer may post now, and the
safety screening of new and edited text (issue #4)."""

from dataclasses import dataclass

from forum.errors import ForumError, PermissionDenied
from forum.models import Post, User
from forum.moderation import services as moderation
from forum.moderation.crisis import find_crisis_phrase
from forum.permissions import require_can_write

TITLE_MIN, TITLE_MAX = 5, 150
BODY_MAX = 20_000
TAGS_MIN, TAGS_MAX = 1, 3


def write_refusal(user: User | None) -> str | None:
    """Why ``user`` may not post right now (None when they may)."""
    try:
        require_can_write(user)
    except PermissionDenied as exc:
        return str(exc)
    return None


@dataclass(frozen=True)
class PostingRefusal:
    """Why a member may not start a thread, for the page that tells them (issue #11)."""

    message: str
    # Confirming their email address is all that stands in the way: offer a new link.
    needs_confirmation: bool = False


def posting_refusal(user: User) -> PostingRefusal | None:
    """Why the signed-in ``user`` may not post right now, or None when they may."""
    message = write_refusal(user)
    if message is None:
        return None
    blocked_otherwise = user.is_banned or user.is_suspended
    return PostingRefusal(message, needs_confirmation=not (blocked_otherwise or user.is_verified))


# --- Screening new and edited text (issue #4) ----------------------------------------------


@dataclass(frozen=True)
class Screening:
    """What the safety checks found in text just written; left on the post (and on a new
    thread) as ``screening`` so the view can tell the author."""

    held: str | None = None  # why it waits for a moderator (moderation.HOLD_*), or None
    crisis: str | None = None  # the crisis phrase it matched, or None


def thread_text(title: str, body: str) -> str:
    return f"{title}\n\n{body}"


def screen(post: Post, text: str, held: str | None) -> Screening:
    """Hold ``post`` when ``held`` says so, and queue it as a crisis item when ``text``
    matches a crisis phrase (it stays published; its author is shown help)."""
    if held:
        moderation.hold_post(post, held)
    phrase = find_crisis_phrase(text)
    if phrase:
        moderation.flag_crisis(post, phrase)
    return Screening(held=held, crisis=phrase)


def check_body(body: str) -> None:
    """Raise ForumError (422) unless ``body`` has text and fits BODY_MAX."""
    if not body.strip():
        raise ForumError("Write something first.", status=422)
    if len(body) > BODY_MAX:
        raise ForumError(f"Keep it under {BODY_MAX:,} characters.", status=422)
