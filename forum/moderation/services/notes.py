"""Moderators' notes on a member (issue #16): for moderators only, with author and date,
shown on the member's review items and profile."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forum.errors import ForumError
from forum.extensions import db
from forum.models import MemberNote, Role, User, utcnow
from forum.permissions import require_role

NOTE_BODY_MAX = 2000


def add_note(member: User, moderator: User, body: str) -> MemberNote:
    """Note something about ``member``. Raises PermissionDenied (403) for non-moderators,
    ForumError (422) for an empty or long note."""
    require_role(moderator, Role.MODERATOR)
    body = (body or "").strip()
    if not body:
        raise ForumError("Write the note.", status=422)
    if len(body) > NOTE_BODY_MAX:
        raise ForumError(f"Keep the note under {NOTE_BODY_MAX:,} characters.", status=422)
    note = MemberNote(user_id=member.id, author_id=moderator.id, body=body, created_at=utcnow())
    db.session.add(note)
    db.session.flush()
    return note


def notes_about(member: User, viewer: User | None) -> list[MemberNote]:
    """The notes on ``member``, newest first: empty for anyone but moderators (one query)."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return []
    if not viewer.is_moderator:
        return []
    return list(
        db.session.scalars(
            select(MemberNote)
            .where(MemberNote.user_id == member.id)
            .options(joinedload(MemberNote.author))
            .order_by(MemberNote.created_at.desc(), MemberNote.id.desc())
        )
    )
