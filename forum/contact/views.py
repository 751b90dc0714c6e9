"""/contact for members, and the moderators' page for one message (issue #13)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum.contact import services
from forum.contact.forms import AnswerForm, ContactForm
from forum.errors import ForumError
from forum.extensions import db
from forum.models import Role
from forum.permissions import role_required

bp = Blueprint("contact", __name__)


def _user():
    return current_user._get_current_object()


@bp.route("/contact", methods=["GET", "POST"])
@login_required
def index():
    form = ContactForm()
    if request.method == "GET":
        return render_template("contact/index.html", form=form)
    if not form.validate_on_submit():
        return render_template("contact/index.html", form=form), 422
    try:
        services.send_message(_user(), form.body.data)
    except ForumError as exc:
        db.session.rollback()
        form.body.errors = [*form.body.errors, str(exc)]
        return render_template("contact/index.html", form=form), exc.status
    db.session.commit()
    flash("Your message went to the moderators. Their answer will be in your inbox.", "success")
    return redirect(url_for("notifications.index"))


def _item_page(item_id: int, form: AnswerForm | None = None, message: str | None = None):
    item = services.get_contact_item(item_id, _user())
    return render_template(
        "contact/item.html", item=item, form=form or AnswerForm(formdata=None), message=message
    )


@bp.route("/mod/messages/<id:item_id>")
@role_required(Role.MODERATOR)
def item(item_id):
    return _item_page(item_id)


@bp.route("/mod/messages/<id:item_id>/answer", methods=["POST"])
@role_required(Role.MODERATOR)
def answer(item_id):
    item = services.get_contact_item(item_id, _user())
    form = AnswerForm()
    if not form.validate_on_submit():
        return _item_page(item_id, form), 422
    try:
        services.answer_message(item, _user(), form.body.data)
    except ForumError as exc:
        db.session.rollback()
        return _item_page(item_id, form, message=str(exc)), exc.status
    db.session.commit()
    flash("Your answer is in the member's inbox.", "success")
    return redirect(url_for("moderation.queue"))
