"""The member's notifications (issues #4, #10 and #12): the inbox (``notifications.index``,
``notifications.mark_read``), watching threads and following topics, the mail settings at
/settings/notifications, and the one-click unsubscribe links mail carries."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum.extensions import csrf, db
from forum.notifications import email, services, watching
from forum.notifications.forms import (
    FollowForm,
    MarkReadForm,
    NotificationSettingsForm,
    UnsubscribeForm,
)
from forum.threads.services import get_thread
from forum.urls import safe_next
from forum.validation import parse_int

bp = Blueprint("notifications", __name__)


def _member():
    return current_user._get_current_object()


@bp.route("/notifications")
@login_required
def index():
    user = _member()
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
    services.mark_all_read(_member())
    db.session.commit()
    flash("All notifications marked as read.", "success")
    return redirect(url_for("notifications.index"))


# --- Watching and following -----------------------------------------------------------------


def _follow_form() -> FollowForm:
    form = FollowForm()
    if not form.validate_on_submit():
        abort(400)
    return form


@bp.route("/t/<id:thread_id>/watch", methods=["POST"])
@login_required
def watch(thread_id):
    form = _follow_form()
    thread = get_thread(thread_id, _member())
    added = watching.watch_thread(_member(), thread)
    db.session.commit()
    flash("You watch this thread now." if added else "You already watch this thread.", "success")
    return redirect(safe_next(form.next.data, url_for("threads.show", thread_id=thread_id)))


@bp.route("/t/<id:thread_id>/unwatch", methods=["POST"])
@login_required
def unwatch(thread_id):
    form = _follow_form()
    removed = watching.unwatch_thread(_member(), thread_id)
    db.session.commit()
    flash("You no longer watch that thread." if removed else "You were not watching it.", "success")
    return redirect(safe_next(form.next.data, url_for("threads.show", thread_id=thread_id)))


@bp.route("/tags/<slug>/follow", methods=["POST"])
@login_required
def follow(slug):
    form = _follow_form()
    tag = watching.get_tag(slug)
    added = watching.follow_tag(_member(), tag)
    db.session.commit()
    flash(f"You follow {tag.name} now." if added else f"You already follow {tag.name}.", "success")
    return redirect(safe_next(form.next.data, url_for("tags.show", slug=tag.slug)))


@bp.route("/tags/<slug>/unfollow", methods=["POST"])
@login_required
def unfollow(slug):
    form = _follow_form()
    tag = watching.get_tag(slug)
    removed = watching.unfollow_tag(_member(), tag)
    db.session.commit()
    flash(
        f"You no longer follow {tag.name}." if removed else f"You were not following {tag.name}.",
        "success",
    )
    return redirect(safe_next(form.next.data, url_for("tags.show", slug=tag.slug)))


# --- Settings ------------------------------------------------------------------------------


@bp.route("/settings/notifications", methods=["GET", "POST"])
@login_required
def settings():
    user = _member()
    prefs = email.prefs_for(user)
    form = NotificationSettingsForm(obj=prefs)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            email.save_prefs(
                user,
                **{name: getattr(form, name).data for name in form.EMAIL_FIELDS},
                auto_watch=form.auto_watch.data,
                include_excerpts=form.include_excerpts.data,
            )
            db.session.commit()
            flash("Your notification settings are saved.", "success")
            return redirect(url_for("notifications.settings"))
        status = 422
    return (
        render_template(
            "notifications/settings.html",
            form=form,
            following=watching.following(user),
            stop_form=FollowForm(),
        ),
        status,
    )


# --- Unsubscribe links ---------------------------------------------------------------------


# Exempt from CSRF: RFC 8058's one-click unsubscribe is a POST the mail client sends to the
# List-Unsubscribe URL with no token and no cookie. The signed token in the URL is the
# authority; it can only turn off one kind of mail for the member it names, which is
# harmless to replay.
@csrf.exempt
@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token):
    found = email.read_unsubscribe_token(token)
    if found is None:
        return render_template("notifications/unsubscribe.html", found=None), 400
    done = False
    form = UnsubscribeForm()
    if request.method == "POST":
        email.unsubscribe(found)
        db.session.commit()
        done = True
    return render_template(
        "notifications/unsubscribe.html", found=found, done=done, form=form, token=token
    )
