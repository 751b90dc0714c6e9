"""Member profiles (/u/<username>) and a member's own settings (/settings)."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, logout_user
from sqlalchemy import select

from forum.auth import services as auth_services
from forum.auth.sessions import active_sessions, end_other_sessions, end_session
from forum.cache import anon_cacheable
from forum.errors import FieldErrors, ForumError, InvalidAction, RateLimited
from forum.extensions import db
from forum.journals.services import journal_of
from forum.models import User
from forum.threads import services as thread_services
from forum.users import services
from forum.users.forms import ChangeEmailForm, ChangePasswordForm, CourseForm
from forum.users.privacy import profile_replies, replies_hidden
from forum.visibility.journals import can_see_journal

bp = Blueprint("users", __name__)


# --- Profile: /u/<username> (issue #3 adds the member's threads and replies) ---------------


@bp.route("/u/<username>")
@anon_cacheable
def profile(username):
    member = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if member is None:
        abort(404)
    viewer = current_user._get_current_object() if current_user.is_authenticated else None
    limit = current_app.config["LIST_PAGE_SIZE"]
    if member.is_former_member:
        abort(404)
    return render_template(
        "users/profile.html",
        member=member,
        threads=thread_services.member_threads(viewer, member, limit=limit),
        replies=profile_replies(viewer, member, limit=limit),
        replies_hidden=replies_hidden(viewer, member),
        journal_shown=can_see_journal(journal_of(member), viewer, user_id=member.id),
        is_self=viewer is not None and viewer.id == member.id,
        limit=limit,
    )


# --- Settings: /settings (issue #2: password, email, sessions; issue #3: treatment course) --


def settings_page(status: int = 200, **forms):
    """The settings page with its small forms; ``forms`` replaces the one being re-shown."""
    user = current_user._get_current_object()
    course = forms.pop("course_form", None) or CourseForm(
        formdata=None,
        course_start=user.course_start,
        course_dose_mg=user.course_dose_mg,
        course_end=user.course_end,
    )
    context = {
        "password_form": forms.pop("password_form", None) or ChangePasswordForm(formdata=None),
        "email_form": forms.pop("email_form", None) or ChangeEmailForm(formdata=None),
        "course_form": course,
        "sessions": active_sessions(user),
        "current_session_id": user.current_session.id if user.current_session else None,
    }
    return render_template("users/settings.html", **context), status


def refused(exc: ForumError, **forms):
    """Show a refusal that belongs to no single field on the settings page."""
    flash(str(exc), "error")
    response, status = settings_page(exc.status, **forms)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else {}
    return response, status, headers


@bp.route("/settings")
@bp.route("/settings/sessions", endpoint="sessions")
@login_required
def settings():
    return settings_page()


@bp.route("/settings/password", methods=["POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return settings_page(422, password_form=form)
    try:
        ended = services.change_password(
            current_user,
            form.current_password.data,
            form.new_password.data,
            keep_session_id=current_user.current_session.id,
        )
    except FieldErrors as exc:
        exc.apply(form)
        return settings_page(exc.status, password_form=form)
    except RateLimited as exc:
        return refused(exc, password_form=form)
    db.session.commit()
    others = f" {ended} other session{'s were' if ended != 1 else ' was'} ended." if ended else ""
    flash(f"Your password has been changed.{others}", "success")
    return redirect(url_for("users.settings"))


@bp.route("/settings/email", methods=["POST"])
@login_required
def change_email():
    form = ChangeEmailForm()
    if not form.validate_on_submit():
        return settings_page(422, email_form=form)
    new_email = form.new_email.data
    try:
        services.request_email_change(current_user, form.email_password.data, new_email)
    except FieldErrors as exc:
        exc.apply(form)
        return settings_page(exc.status, email_form=form)
    except RateLimited as exc:
        return refused(exc, email_form=form)
    db.session.commit()
    flash(
        f"We have sent a confirmation link to {new_email}. Your address changes when you "
        "open it; until then the current one stays in use.",
        "success",
    )
    return redirect(url_for("users.settings"))


@bp.route("/settings/verification", methods=["POST"])
@login_required
def resend_verification():
    try:
        auth_services.resend_verification(current_user)
    except (InvalidAction, RateLimited) as exc:
        return refused(exc)
    db.session.commit()
    flash(f"We have sent a new confirmation link to {current_user.email}.", "success")
    return redirect(url_for("users.settings"))


@bp.route("/settings/course", methods=["POST"])
@login_required
def update_course():
    form = CourseForm()
    if not form.validate_on_submit():
        return settings_page(422, course_form=form)
    try:
        services.update_course(
            current_user,
            start=form.course_start.data,
            dose_mg=form.course_dose_mg.data,
            end=form.course_end.data,
        )
    except FieldErrors as exc:
        exc.apply(form)
        return settings_page(exc.status, course_form=form)
    db.session.commit()
    flash("Your treatment course has been saved.", "success")
    return redirect(url_for("users.settings", _anchor="course"))


@bp.route("/settings/sessions/<id:session_id>/end", methods=["POST"])
@login_required
def end_one_session(session_id):
    if session_id == current_user.current_session.id:
        # Ending this session is logging out.
        end_session(current_user, session_id)
        db.session.commit()
        logout_user()
        flash("You are logged out.", "info")
        return redirect(url_for("pages.home"))
    if end_session(current_user, session_id):
        db.session.commit()
        flash("That session has been ended.", "success")
    else:
        flash("That session had already ended.", "info")
    return redirect(url_for("users.sessions"))


@bp.route("/settings/sessions/end-others", methods=["POST"])
@login_required
def end_others():
    ended = end_other_sessions(current_user, current_user.current_session.id)
    db.session.commit()
    if ended:
        flash(
            f"You are logged out everywhere else ({ended} session{'s' if ended != 1 else ''}).",
            "success",
        )
    else:
        flash("There were no other sessions to end.", "info")
    return redirect(url_for("users.sessions"))
