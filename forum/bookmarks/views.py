"""Bookmarks (issue #12): ``POST /p/<id>/bookmark`` and ``/unbookmark``, and ``/bookmarks``."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum.bookmarks import services
from forum.bookmarks.forms import BookmarkForm
from forum.extensions import db
from forum.models import Post
from forum.urls import safe_next
from forum.validation import parse_int

bp = Blueprint("bookmarks", __name__)


def _back(form: BookmarkForm, post_id: int) -> str:
    return safe_next(form.next.data, url_for("threads.permalink", post_id=post_id))


@bp.route("/p/<id:post_id>/bookmark", methods=["POST"])
@login_required
def bookmark(post_id):
    form = BookmarkForm()
    if not form.validate_on_submit():
        abort(400)
    added = services.add_bookmark(current_user._get_current_object(), db.session.get(Post, post_id))
    db.session.commit()
    flash("Saved to your bookmarks." if added else "It is already in your bookmarks.", "success")
    return redirect(_back(form, post_id))


@bp.route("/p/<id:post_id>/unbookmark", methods=["POST"])
@login_required
def unbookmark(post_id):
    form = BookmarkForm()
    if not form.validate_on_submit():
        abort(400)
    removed = services.remove_bookmark(current_user._get_current_object(), post_id)
    db.session.commit()
    flash("Bookmark removed." if removed else "That was not in your bookmarks.", "success")
    return redirect(safe_next(form.next.data, url_for("bookmarks.index")))


@bp.route("/bookmarks")
@login_required
def index():
    before = parse_int(request.args.get("before"), message="That page of bookmarks does not exist.")
    page = services.bookmarks(current_user._get_current_object(), before=before)
    return render_template("bookmarks/index.html", page=page, form=BookmarkForm())
