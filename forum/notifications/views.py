"""The member's notifications inbox (issues #4 and #10): ``notifications.index`` and
``notifications.mark_read``, both for signed-in members."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum.extensions import db
from forum.notifications import services
from forum.notifications.forms import MarkReadForm
from forum.validation import parse_int

bp = Blueprint("notifications", __name__)


@bp.route("/notifications")
@login_required
def index():
    user = current_user._get_current_object()
    before = parse_int(
        request.args.get("before"), message="That page of notifications does not exist."
    )
    inbox = services.inbox(user, before=before)
    unread_ids = {n.id for n in inbox.notifications if n.read_at is None}
    # Viewing marks them read: the header counts only what is still unread elsewhere.
    user.unread_count = max(0, user.unread_count - len(unread_ids))
    html = render_template(
        "notifications/index.html", inbox=inbox, unread_ids=unread_ids, form=MarkReadForm()
    )
    services.mark_read(user, inbox.notifications)
    db.session.commit()
    return html


@bp.route("/notifications/read", methods=["POST"])
@login_required
def mark_read():
    if not MarkReadForm().validate_on_submit():
        abort(400)
    services.mark_all_read(current_user._get_current_object())
    db.session.commit()
    flash("All notifications marked as read.", "success")
    return redirect(url_for("notifications.index"))
