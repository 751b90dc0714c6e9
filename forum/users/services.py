"""A member's own settings: password, email address, treatment course (issue #2); and who
gives members their roles (issue #10).

Plain functions: no request, no flash, no commit; mail leaves when the caller commits.
"""

from datetime import date

from forum import ratelimit
from forum.auth import services as auth
from forum.auth.sessions import end_other_sessions
from forum.cache import purge_after_commit
from forum.errors import FieldErrors, ForumError, InvalidAction, PermissionDenied
from forum.extensions import db
from forum.models import ModAction, Role, User, utcnow
from forum.moderation.services import log_action

MAX_DOSE_MG = 200
ROLE_REASON_MAX = 1000


def change_password(user: User, current: str, new: str, *, keep_session_id: int | None) -> int:
    """Set a new password and end every other session; returns how many were ended.

    Raises FieldErrors (422) and RateLimited (429, wrong current passwords count towards
    LOGIN_LIMIT).
    """
    auth.check_current_password(user, current, field="current_password")
    if problem := auth.password_problem(new, [user.username, user.email]):
        raise FieldErrors({"new_password": problem})
    auth.set_password(user, new)
    ended = end_other_sessions(user, keep_session_id)
    auth.send_notice(user.email, "Your password was changed", "password_changed", user=user)
    return ended


def request_email_change(user: User, password: str, new_email: str) -> None:
    """Mail a confirmation link to ``new_email``; the account moves there when it is opened.

    The old address gets a notice. If another account has ``new_email``, that address gets a
    notice instead of a link, and the caller answers as if all went well: nothing reveals
    whether an address has an account. Raises FieldErrors (422), RateLimited (429).
    """
    new_email = auth.normalize_email(new_email)
    auth.check_current_password(user, password, field="email_password")
    if problem := auth.email_problem(new_email):
        raise FieldErrors({"new_email": problem})
    if new_email == user.email:
        raise FieldErrors({"new_email": "That is already your email address."})
    ratelimit.hit("VERIFY_LIMIT", auth.rate_key("user", str(user.id)))
    if auth.email_taken(new_email, exclude=user):
        auth.send_notice(new_email, "About your email address", "email_taken_notice")
    else:
        auth.send_verification(user, new_email=new_email)
    auth.send_notice(
        user.email, "Your email address is being changed", "email_change_notice", user=user
    )


def update_course(user: User, *, start: date | None, dose_mg: int | None, end: date | None) -> None:
    """Record the member's treatment course (every part optional). Raises FieldErrors."""
    today = utcnow().date()
    errors = {}
    if start and start > today:
        errors["course_start"] = "The start date can't be in the future."
    if end and end > today:
        errors["course_end"] = (
            "The end date can't be in the future. Leave it empty until you finish."
        )
    elif start and end and end < start:
        errors["course_end"] = "The end date can't be before the start date."
    if dose_mg is not None and not 1 <= dose_mg <= MAX_DOSE_MG:
        errors["course_dose_mg"] = f"Enter a daily dose between 1 and {MAX_DOSE_MG} mg."
    if errors:
        raise FieldErrors(errors)
    user.course_start = start
    user.course_dose_mg = dose_mg
    user.course_end = end


# --- Roles -----------------------------------------------------------------------------------


class SystemActor:
    """Who acts when no member does: the ``flask`` command line, run by whoever runs the
    site. The moderation log records its actions with no moderator."""

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


def check_can_set_role(actor: User | SystemActor, user: User, role: Role) -> None:
    """Who may grant what: the system actor any role to anyone; an admin makes another
    member a member, moderator or admin; nobody else changes roles.

    Raises PermissionDenied (403) for anyone but an admin or the system, and for an admin
    changing their own role (so the forum never loses its last admin by a slip);
    InvalidAction (409) for giving a banned member a moderator's or admin's role.
    """
    if actor is not SYSTEM:
        if actor is None or not actor.is_authenticated or not actor.is_admin:
            raise PermissionDenied("Only an admin can change a member's role.")
        if actor.id == user.id:
            raise PermissionDenied("You can't change your own role; ask another admin.")
    if role != Role.MEMBER and user.is_banned:
        raise InvalidAction("A banned member can't be made a moderator or an admin.")


def set_role(actor: User | SystemActor, user: User, role: Role | str, *, reason: str) -> str:
    """Give ``user`` the role ``role`` and record it in the moderation log, in the caller's
    transaction; returns the previous role (when it is the same, nothing changes and nothing
    is logged).

    Raises what ``check_can_set_role`` raises, and ForumError (422) for an unknown role or
    a missing reason.
    """
    try:
        role = Role(str(role).lower())
    except ValueError:
        raise ForumError("Choose a role: member, moderator or admin.", status=422) from None
    reason = (reason or "").strip()
    if not reason:
        raise ForumError("Give a reason for the change of role.", status=422)
    if len(reason) > ROLE_REASON_MAX:
        raise ForumError(f"Keep the reason under {ROLE_REASON_MAX:,} characters.", status=422)
    check_can_set_role(actor, user, role)
    previous = user.role
    if previous == role:
        return previous
    user.role = str(role)
    # Cached pages and reply trees show the role beside the name (issue #9).
    purge_after_commit(db.session)
    log_action(
        None if actor is SYSTEM else actor,
        ModAction.USER_ROLE,
        user=user,
        reason=reason,
        detail=f"{previous} → {role}",
    )
    return previous
