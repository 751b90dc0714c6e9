"""What the thread, post and feed views share."""

from flask import flash, redirect, session, url_for
from flask_login import current_user

from forum.errors import ForumError

# The author of text that matched a crisis phrase sees the crisis panel on the page they
# land on next (issue #4): a one-shot flag in their session, consumed by the thread page.
# A page shared by members is never used while it waits (forum/threads/member_page.py),
# so nobody else can be shown it.
CRISIS_PANEL_KEY = "crisis_panel"


def current_viewer():
    return current_user._get_current_object() if current_user.is_authenticated else None


def login_redirect(target: str):
    flash("Please log in to continue.", "info")
    return redirect(url_for("auth.login", next=target))


def retry_headers(exc: ForumError) -> dict:
    retry_after = getattr(exc, "retry_after", None)
    return {"Retry-After": str(retry_after)} if retry_after is not None else {}


def remember_screening(screening, thread_id: int) -> None:
    if screening is not None and screening.crisis:
        session[CRISIS_PANEL_KEY] = thread_id


def take_crisis_panel(user, thread) -> bool:
    """Whether to show the crisis panel now (once, to the author who just wrote)."""
    if user is None or session.get(CRISIS_PANEL_KEY) != thread.id:
        return False
    session.pop(CRISIS_PANEL_KEY)
    return True
