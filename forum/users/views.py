"""Member profiles (/u/<username>) and a member's own settings (/settings)."""

from flask import Blueprint

bp = Blueprint("users", __name__)


# --- Profile: /u/<username> (issue #3 adds the member's threads and replies) ---------------


@bp.route("/u/<username>")
def profile(username):
    raise NotImplementedError


# --- Settings: /settings (issue #2: password, email, sessions; issue #3: treatment course) --
