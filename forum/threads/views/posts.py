"""One post: its permalink, editing, deleting, its history, helpful marks (issue #3)."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from forum.errors import ForumError
from forum.extensions import db
from forum.markup import render_user_text
from forum.models import PostStatus
from forum.tags import services as tag_services
from forum.threads import services
from forum.threads.details import edit_values
from forum.threads.forms import ConfirmForm, EditPostForm, tag_choices
from forum.threads.history import post_history
from forum.threads.links import post_url
from forum.threads.views import bp
from forum.threads.views.support import current_viewer, login_redirect, remember_screening
from forum.visibility import post_view


@bp.route("/p/<id:post_id>")
def permalink(post_id):
    post = services.get_post(post_id, current_viewer())
    return redirect(post_url(post))


def _own_post(post_id):
    """The post in the URL, for its author; others get the error page that says why."""
    user = current_viewer()
    post = services.get_post(post_id, user)
    services.check_author(post, user)
    return user, post


def _details_from(form) -> dict:
    """The opening post's title, topics and experience details as the form has them."""
    if form.tags is None:
        return {"title": form.title.data}
    return {
        "title": form.title.data,
        "tag_slugs": form.tags.data,
        "details": services.explicit_experience(
            form.stage.data or None,
            form.treatment_month.data,
            form.months_since.data,
            form.daily_dose_mg.data,
        ),
    }


@bp.route("/p/<id:post_id>/edit", methods=["GET", "POST"])
def edit(post_id):
    if not current_user.is_authenticated:
        return login_redirect(request.path)
    user, post = _own_post(post_id)
    is_opening = post.parent_id is None
    form = EditPostForm(data=edit_values(post))
    if is_opening and (request.method == "GET" or form.sent_details):
        form.tags.choices = tag_choices(tag_services.all_tags())
    else:
        form.drop_details(title=not is_opening)
    error, preview, status = None, None, 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 422
        elif form.wants_preview:
            preview = render_user_text(form.body.data)
        else:
            try:
                changed = services.edit_post(
                    post, user, body=form.body.data, **_details_from(form) if is_opening else {}
                )
            except ForumError as exc:
                db.session.rollback()
                error, status = str(exc), exc.status
            else:
                db.session.commit()
                if not changed:
                    flash("Nothing changed.", "success")
                elif post.status == PostStatus.PENDING:
                    flash(
                        "Your changes are saved and waiting for review: a moderator will "
                        "look at them soon.",
                        "info",
                    )
                else:
                    flash("Your changes are saved.", "success")
                remember_screening(post.screening if changed else None, post.thread_id)
                return redirect(post_url(post))
    return render_template(
        "threads/edit.html", form=form, post=post, error=error, preview_html=preview
    ), status


@bp.route("/p/<id:post_id>/delete", methods=["GET", "POST"])
def delete(post_id):
    if not current_user.is_authenticated:
        return login_redirect(request.path)
    user, post = _own_post(post_id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        services.delete_post(post, user)
        db.session.commit()
        flash("Your post is deleted.", "success")
        return redirect(post_url(post))
    return render_template("threads/delete.html", form=form, post=post)


@bp.route("/p/<id:post_id>/history")
def history(post_id):
    user = current_viewer()
    post = services.get_post(post_id, user)
    return render_template(
        "threads/history.html",
        post=post,
        view=post_view(post, user),
        history=post_history(post, user),
        post_url=post_url(post),
    )


@bp.route("/p/<id:post_id>/helpful", methods=["POST"])
def helpful(post_id):
    user = current_viewer()
    if user is None:
        return login_redirect(url_for("threads.permalink", post_id=post_id))
    post = services.get_post(post_id, user)
    form = ConfirmForm()
    if not form.validate_on_submit():
        raise ForumError("The form expired; reload the page and try again.")
    marked = services.toggle_helpful(post, user)
    db.session.commit()
    flash("Marked as helpful." if marked else "Your helpful mark is taken back.", "success")
    return redirect(post_url(post))
