"""Member profiles (/u/<username>) and a member's own settings (/settings)."""

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user
from sqlalchemy import select

from forum.extensions import db
from forum.models import User
from forum.threads import services as thread_services

bp = Blueprint("users", __name__)


# --- Profile: /u/<username> (issue #3 adds the member's threads and replies) ---------------


@bp.route("/u/<username>")
def profile(username):
    member = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if member is None:
        abort(404)
    viewer = current_user._get_current_object() if current_user.is_authenticated else None
    limit = current_app.config["LIST_PAGE_SIZE"]
    return render_template(
        "users/profile.html",
        member=member,
        threads=thread_services.member_threads(viewer, member, limit=limit),
        replies=thread_services.member_replies(viewer, member, limit=limit),
        is_self=viewer is not None and viewer.id == member.id,
        limit=limit,
    )


# --- Settings: /settings (issue #2: password, email, sessions; issue #3: treatment course) --
