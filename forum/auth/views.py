"""Accounts: register, verify, log in and out, reset a forgotten password (issue #2)."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from forum.auth import services
from forum.auth.forms import LoginForm, RegisterForm, ResetPasswordForm, ResetRequestForm
from forum.auth.sessions import create_session, end_session
from forum.data.services import cancel_deletion
from forum.errors import FieldErrors, ForumError, PermissionDenied, RateLimited
from forum.extensions import db
from forum.urls import safe_next

bp = Blueprint("auth", __name__)


def client_address() -> str:
    return request.remote_addr or "unknown"


def render_refused(template: str, exc: ForumError, **context):
    """Re-render a form page with the refusal above the form and the status it carries."""
    headers = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    return render_template(template, refusal=str(exc), **context), exc.status, headers


def form_status(form) -> int:
    return 422 if form.is_submitted() else 200


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        flash("You already have an account and are logged in.", "info")
        return redirect(url_for("pages.home"))
    form = RegisterForm()
    if not form.validate_on_submit():
        return render_template("auth/register.html", form=form), form_status(form)
    try:
        result = services.register_user(
            form.username.data, form.email.data, form.password.data, address=client_address()
        )
    except FieldErrors as exc:
        exc.apply(form)
        return render_template("auth/register.html", form=form), exc.status
    except RateLimited as exc:
        return render_refused("auth/register.html", exc, form=form)
    db.session.commit()
    session["check_inbox"] = result.email
    return redirect(url_for("auth.check_inbox"))


@bp.route("/register/check-inbox")
def check_inbox():
    # Registering with a new address and with one that has an account end here alike.
    return render_template("auth/check_inbox.html", email=session.pop("check_inbox", None))


@bp.route("/verify/<token>")
def verify(token):
    # A GET that writes: forum.database.WRITING_GET_ENDPOINTS names this endpoint.
    try:
        _user, outcome = services.verify_email(token)
    except services.InvalidToken as exc:
        return render_template("auth/token_invalid.html", message=str(exc), kind="verify"), 400
    db.session.commit()
    if outcome == services.EMAIL_CHANGED:
        flash("Your new email address is confirmed and now in use.", "success")
    elif outcome == services.ALREADY_VERIFIED:
        flash("Your email address was already confirmed.", "info")
    else:
        flash("Thank you, your email address is confirmed.", "success")
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = safe_next(request.args.get("next"), url_for("pages.home"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), form_status(form)
    try:
        user = services.authenticate(form.login.data, form.password.data, address=client_address())
    except (services.LoginRefused, RateLimited, PermissionDenied) as exc:
        return render_refused("auth/login.html", exc, form=form)
    remember = bool(form.remember.data)
    create_session(user, remember=remember, user_agent=request.user_agent.string)
    cancelled = cancel_deletion(user)  # logging in again cancels a deletion (issue #13)
    db.session.commit()
    # A new CSRF token for the signed-in session: one planted before login is worth nothing.
    session.pop("csrf_token", None)
    login_user(user, remember=remember)
    if cancelled:
        flash("You are logged in, and your account will not be deleted.", "success")
    else:
        flash("You are logged in.", "success")
    return redirect(next_url)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated and current_user.current_session is not None:
        end_session(current_user, current_user.current_session.id)
        db.session.commit()
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("pages.home"))


@bp.route("/reset", methods=["GET", "POST"])
def reset_request():
    form = ResetRequestForm()
    if not form.validate_on_submit():
        return render_template("auth/reset_request.html", form=form), form_status(form)
    try:
        services.request_password_reset(form.email.data, address=client_address())
    except RateLimited as exc:
        return render_refused("auth/reset_request.html", exc, form=form)
    db.session.commit()
    return redirect(url_for("auth.reset_sent"))


@bp.route("/reset/sent")
def reset_sent():
    minutes = current_app.config["RESET_TOKEN_MAX_AGE"] // 60
    return render_template("auth/reset_sent.html", minutes=minutes)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    try:
        user = services.user_for_reset_token(token)
    except services.InvalidToken as exc:
        return render_template("auth/token_invalid.html", message=str(exc), kind="reset"), 400
    form = ResetPasswordForm(user_inputs=[user.username, user.email])
    if not form.validate_on_submit():
        return render_template("auth/reset_password.html", form=form), form_status(form)
    try:
        services.reset_password(user, form.password.data)
    except FieldErrors as exc:
        exc.apply(form)
        return render_template("auth/reset_password.html", form=form), exc.status
    db.session.commit()
    logout_user()  # every session of the account has ended, this browser's included
    flash("Your password has been changed. Please log in with the new one.", "success")
    return redirect(url_for("auth.login"))
