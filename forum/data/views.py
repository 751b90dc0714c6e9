"""A member's own data (issue #13): /settings/data, /settings/delete, /settings/privacy."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user

from forum.data import export, services
from forum.data.forms import DeleteAccountForm, ExportForm, PrivacyForm
from forum.errors import FieldErrors, ForumError
from forum.extensions import db

bp = Blueprint("data", __name__)
ZIP_NAME = "my-forum-data.zip"


def _user():
    return current_user._get_current_object()


@bp.route("/settings/data", methods=["GET", "POST"])
@login_required
def index():
    user = _user()
    form = ExportForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if export.is_small(user):
            archive = export.build_archive(user)
            return (
                archive,
                200,
                {
                    "Content-Type": "application/zip",
                    "Content-Disposition": f'attachment; filename="{ZIP_NAME}"',
                },
            )
        export.request_export(user)
        db.session.commit()
        return render_template("data/preparing.html"), 202
    exports = export.latest_exports(user)
    return render_template("data/index.html", form=form, exports=exports)


@bp.route("/settings/data/<token>")
@login_required
def download(token):
    found = export.download(_user(), token)
    if found is None:
        abort(404)
    return (
        found.archive,
        200,
        {
            "Content-Type": "application/zip",
            "Content-Disposition": f'attachment; filename="{ZIP_NAME}"',
        },
    )


@bp.route("/settings/delete", methods=["GET", "POST"])
@login_required
def delete():
    user = _user()
    form = DeleteAccountForm()
    context = {"form": form, "grace_days": services.grace_days()}
    if request.method == "GET":
        return render_template("data/delete.html", **context)
    if not form.validate_on_submit():
        return render_template("data/delete.html", **context), 422
    try:
        services.request_deletion(user, password=form.password.data, mode=form.mode.data)
    except FieldErrors as exc:
        db.session.commit()  # the failed attempt counts against the login limit
        exc.apply(form)
        return render_template("data/delete.html", **context), exc.status
    except ForumError as exc:
        db.session.rollback()
        return render_template("data/delete.html", **context, message=str(exc)), exc.status
    db.session.commit()
    logout_user()
    flash(
        "Your account will be deleted. We sent you a mail: log in again before then to cancel.",
        "info",
    )
    return redirect(url_for("pages.home"))


@bp.route("/settings/privacy", methods=["GET", "POST"])
@login_required
def privacy():
    user = _user()
    if request.method == "GET":
        form = PrivacyForm(
            formdata=None,
            hide_replies=user.hide_replies,
            noindex=user.noindex,
            contribute=user.contribute,
        )
        return render_template("data/privacy.html", form=form)
    form = PrivacyForm()
    if not form.validate_on_submit():
        return render_template("data/privacy.html", form=form), 422
    services.update_privacy(
        user,
        hide_replies=form.hide_replies.data,
        noindex=form.noindex.data,
        contribute=form.contribute.data,
    )
    db.session.commit()
    flash("Your privacy choices are saved.", "success")
    return redirect(url_for("data.privacy"))
