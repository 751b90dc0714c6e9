"""A member's personal access tokens at /settings/tokens (issue #18)."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from forum.api import tokens
from forum.api.forms import TokenForm
from forum.errors import ForumError
from forum.extensions import db
from forum.threads.forms import ConfirmForm

bp = Blueprint("tokens", __name__)


def _page(form, *, status: int = 200, new_token: str | None = None):
    user = current_user._get_current_object()
    return render_template(
        "api/tokens.html",
        form=form,
        tokens=tokens.active_tokens(user),
        new_token=new_token,
    ), status


@bp.route("/settings/tokens", methods=["GET", "POST"], endpoint="index")
@login_required
def index():
    form = TokenForm()
    if not form.is_submitted():
        return _page(form)
    if not form.validate():
        return _page(form, status=422)
    try:
        _, plain = tokens.create_token(
            current_user._get_current_object(), name=form.name.data, days=int(form.days.data)
        )
    except ForumError as exc:
        db.session.rollback()
        form.name.errors = [*form.name.errors, str(exc)]
        return _page(form, status=exc.status)
    db.session.commit()
    # Shown on this answer only (never stored, never redirected to): the page is private.
    return _page(TokenForm(formdata=None), new_token=plain)


@bp.route("/settings/tokens/<id:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id):
    form = ConfirmForm()
    if not form.validate_on_submit():
        raise ForumError("The form expired; reload the page and try again.")
    tokens.revoke_token(current_user._get_current_object(), token_id)
    db.session.commit()
    flash("The token is revoked: it no longer works.", "success")
    return redirect(url_for("tokens.index"))
