"""Reporting a post, the moderators' queue and decisions, and the public log (issue #4).

Member-facing endpoints: ``moderation.report`` (login required) and ``moderation.log``
(public). Every other endpoint is for moderators and admins (403 for members). The inbox
lives in ``forum.notifications.views``.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum.errors import ForumError
from forum.extensions import db
from forum.models import REPORT_REASON_LABELS, Post, ReviewItem, Role, User
from forum.moderation import labels, services
from forum.moderation.forms import (
    ActionForm,
    AppealDecisionForm,
    AppealForm,
    ConfirmForm,
    NoteForm,
    ReportForm,
)
from forum.moderation.services import journal_items
from forum.permissions import role_required
from forum.photos import services as photo_services
from forum.photos.forms import RemovePhotoForm
from forum.validation import int_or_none
from forum.visibility import can_see_post

bp = Blueprint("moderation", __name__)


def _user():
    return current_user._get_current_object()


def _failure(exc: ForumError, template: str, **context):
    """Re-render a form after a refused rule, with the reason and the typed text kept."""
    db.session.rollback()
    response = render_template(template, message=str(exc), **context), exc.status
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        return (*response, {"Retry-After": str(retry_after)})
    return response


# --- Reporting -------------------------------------------------------------------------------


@bp.route("/p/<id:post_id>/report", methods=["GET", "POST"])
@login_required
def report(post_id):
    post = db.get_or_404(Post, post_id)
    user = _user()
    services.check_can_report(post, user)  # 404 / 403 / 409 pages before showing the form
    form = ReportForm()
    context = {"post": post, "form": form, "reason_labels": REPORT_REASON_LABELS}
    if request.method == "GET":
        return render_template("moderation/report.html", **context)
    if not form.validate_on_submit():
        return render_template("moderation/report.html", **context), 422
    try:
        services.report_post(post, user, form.reason.data, form.note.data or "")
    except ForumError as exc:
        return _failure(exc, "moderation/report.html", **context)
    db.session.commit()
    flash(
        "Thank you: your report went to the moderators. You'll find the outcome in your "
        "notifications.",
        "success",
    )
    if can_see_post(post, user) and post.thread.is_visible:
        return redirect(url_for("threads.show", thread_id=post.thread_id, _anchor=f"p{post.id}"))
    return redirect(url_for("pages.home"))


# --- The queue -------------------------------------------------------------------------------


@bp.route("/mod/queue")
@role_required(Role.MODERATOR)
def queue():
    page = services.queue_page(
        _user(),
        status=request.args.get("status") or None,
        reason=request.args.get("reason") or None,
        page=request.args.get("page"),
    )
    return render_template(
        "moderation/queue.html",
        queue=page,
        filters=labels.QUEUE_FILTERS,
        appeals=services.pending_appeals(_user()),
    )


def _item_page(
    item_id: int, form: ActionForm | None = None, message: str | None = None, photo_form=None
):
    item = services.get_item(item_id, _user())
    if journal_items.is_journal_item(item):
        return _journal_item_page(item, form, message)
    detail = services.item_detail(item_id, _user())
    return render_template(
        "moderation/item.html",
        detail=detail,
        # The reported post's photos, all of them, unblurred behind a warning (issue #15).
        photos=photo_services.photos_of_post(detail.post),
        photo_form=photo_form or RemovePhotoForm(formdata=None),
        form=form or ActionForm(formdata=None),
        confirm=ConfirmForm(),
        message=message,
        reason_labels=REPORT_REASON_LABELS,
        hold_labels=labels.HOLD_LABELS,
        action_verbs=labels.ACTION_VERBS,
        status_labels=labels.POST_STATUS_LABELS,
        note_form=NoteForm(formdata=None),
        act_url=url_for("moderation.act", item_id=item_id),
    )


def _journal_item_page(item, form: ActionForm | None = None, message: str | None = None):
    return render_template(
        "moderation/journal_item.html",
        detail=journal_items.journal_item_detail(item, _user()),
        form=form or ActionForm(formdata=None),
        confirm=ConfirmForm(),
        message=message,
        action_verbs=labels.ACTION_VERBS,
        journal_labels=labels.JOURNAL_DECISION_LABELS,
        note_form=NoteForm(formdata=None),
        act_url=url_for("moderation.act", item_id=item.id),
    )


@bp.route("/mod/items/<id:item_id>")
@role_required(Role.MODERATOR)
def item(item_id):
    return _item_page(item_id)


def _claim_change(item_id: int, change, done: str):
    item = services.get_item(item_id, _user())
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        change(item, _user())
    except ForumError as exc:
        db.session.rollback()
        return _item_page(item_id, message=str(exc)), exc.status
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("moderation.item", item_id=item_id))


@bp.route("/mod/items/<id:item_id>/claim", methods=["POST"])
@role_required(Role.MODERATOR)
def claim(item_id):
    return _claim_change(item_id, services.claim_item, "You claimed this item.")


@bp.route("/mod/items/<id:item_id>/release", methods=["POST"])
@role_required(Role.MODERATOR)
def release(item_id):
    return _claim_change(item_id, services.release_item, "You released this item.")


def _decision_options(form: ActionForm) -> dict:
    """What a decision takes beside the action and reason, as the form gives them."""
    return {"days": form.days.data, "article": form.article.data, "follow_up": form.follow_up.data}


@bp.route("/mod/items/<id:item_id>/act", methods=["POST"])
@role_required(Role.MODERATOR)
def act(item_id):
    item = services.get_item(item_id, _user())
    form = ActionForm()
    if not form.validate_on_submit():
        return _item_page(item_id, form), 422
    try:
        if journal_items.is_journal_item(item):
            journal_items.act_on_journal_item(
                item, _user(), form.action.data, form.reason.data, follow_up=form.follow_up.data
            )
        else:
            services.act_on_item(
                item, _user(), form.action.data, form.reason.data, **_decision_options(form)
            )
    except ForumError as exc:
        db.session.rollback()
        return _item_page(item_id, form, message=str(exc)), exc.status
    db.session.commit()
    flash(f"Done: {labels.DECISION_DONE[form.action.data]}.", "success")
    return redirect(url_for("moderation.queue"))


@bp.route("/mod/items/<id:item_id>/photos/<id:photo_id>/remove", methods=["POST"])
@role_required(Role.MODERATOR)
def remove_photo(item_id, photo_id):
    item = services.get_item(item_id, _user())
    photo = photo_services.photo_of_item(item, photo_id)
    form = RemovePhotoForm()
    if not form.validate_on_submit():
        return _item_page(item_id, photo_form=form), 422
    try:
        photo_services.remove_photo(photo, _user(), reason=form.reason.data, item=item)
    except ForumError as exc:
        db.session.rollback()
        return _item_page(item_id, message=str(exc), photo_form=form), exc.status
    db.session.commit()
    flash("The photo was removed; the post stays.", "success")
    return redirect(url_for("moderation.item", item_id=item_id))


# --- The public log --------------------------------------------------------------------------


@bp.route("/mod/log")
def log():
    page = services.public_log(before=request.args.get("before") or None)
    return render_template("moderation/log.html", log=page)


# --- Acting where moderators read (issue #16) ------------------------------------------------


def _moderate_page(post: Post, form: ActionForm | None = None, message: str | None = None):
    draft = ReviewItem(post=post, status="pending", severity=0, is_crisis=False, is_held=False)
    return render_template(
        "moderation/moderate.html",
        post=post,
        form=form or ActionForm(formdata=None),
        offered=services.offered_decisions(draft, _user()),
        message=message,
        notes=services.notes_about(post.author, _user()),
        status_labels=labels.POST_STATUS_LABELS,
    )


@bp.route("/p/<id:post_id>/moderate", methods=["GET", "POST"])
@role_required(Role.MODERATOR)
def moderate(post_id):
    post = db.get_or_404(Post, post_id)
    if post.deleted_at is not None:
        abort(404)
    pending = db.session.scalar(
        db.select(ReviewItem.id).where(
            ReviewItem.post_id == post.id, ReviewItem.status == "pending"
        )
    )
    if pending is not None and request.method == "GET":
        return redirect(url_for("moderation.item", item_id=pending))
    if request.method == "GET":
        return _moderate_page(post)
    form = ActionForm()
    if not form.validate_on_submit():
        return _moderate_page(post, form), 422
    try:
        services.moderate_post(
            post, _user(), form.action.data, form.reason.data, **_decision_options(form)
        )
    except ForumError as exc:
        db.session.rollback()
        return _moderate_page(post, form, message=str(exc)), exc.status
    db.session.commit()
    flash(f"Done: {labels.DECISION_DONE[form.action.data]}.", "success")
    return redirect(url_for("threads.permalink", post_id=post.id))


# --- Appeals ---------------------------------------------------------------------------------


@bp.route("/appeal/<id:action_id>", methods=["GET", "POST"])
@login_required
def appeal(action_id):
    action = services.appealable_action(action_id, _user())
    form = AppealForm()
    context = {"action": action, "form": form, "existing": services.appeal_of(action)}
    context["statuses"] = labels.APPEAL_STATUS
    context["verbs"] = labels.ACTION_VERBS
    if request.method == "GET":
        return render_template("moderation/appeal.html", **context)
    if not form.validate_on_submit():
        return render_template("moderation/appeal.html", **context), 422
    try:
        services.file_appeal(action, _user(), form.body.data)
    except ForumError as exc:
        return _failure(exc, "moderation/appeal.html", **context)
    db.session.commit()
    flash("Your appeal went to the moderators. You'll find the outcome in your inbox.", "success")
    return redirect(url_for("moderation.appeal", action_id=action_id))


def _appeal_page(appeal_id: int, form=None, message=None):
    return render_template(
        "moderation/appeal_item.html",
        appeal=services.get_appeal(appeal_id, _user()),
        form=form or AppealDecisionForm(formdata=None),
        message=message,
        verbs=labels.ACTION_VERBS,
        statuses=labels.APPEAL_STATUS,
    )


@bp.route("/mod/appeals/<id:appeal_id>", methods=["GET", "POST"])
@role_required(Role.MODERATOR)
def appeal_item(appeal_id):
    if request.method == "GET":
        return _appeal_page(appeal_id)
    appeal = services.get_appeal(appeal_id, _user())
    form = AppealDecisionForm()
    if not form.validate_on_submit():
        return _appeal_page(appeal_id, form), 422
    try:
        services.decide_appeal(appeal, _user(), form.action.data, form.reason.data)
    except ForumError as exc:
        db.session.rollback()
        return _appeal_page(appeal_id, form, message=str(exc)), exc.status
    db.session.commit()
    flash("Appeal decided.", "success")
    return redirect(url_for("moderation.queue"))


# --- Notes and figures -----------------------------------------------------------------------


@bp.route("/u/<username>/notes", methods=["POST"])
@role_required(Role.MODERATOR)
def add_note(username):
    member = db.first_or_404(db.select(User).where(User.username == username.strip().lower()))
    form = NoteForm()
    if not form.validate_on_submit():
        flash(" ".join(form.body.errors) or "Write the note.", "error")
        return redirect(url_for("users.profile", username=member.username))
    services.add_note(member, _user(), form.body.data)
    db.session.commit()
    flash("Note added.", "success")
    back = request.form.get("item_id")
    item_id = int_or_none(back) if back else None
    if item_id is not None:
        return redirect(url_for("moderation.item", item_id=item_id))
    return redirect(url_for("users.profile", username=member.username))


@bp.app_template_global("moderator_notes")
def moderator_notes(member):
    """The moderators' notes on ``member``, for the profile page: empty for others."""
    return services.notes_about(member, _user() if current_user.is_authenticated else None)


@bp.route("/mod/stats")
@role_required(Role.MODERATOR)
def stats():
    return render_template("moderation/stats.html", stats=services.moderation_stats(_user()))
