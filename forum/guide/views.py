"""The guide beside patients' experiences (issue #5).

``guide.index`` and ``guide.show`` are public (an unpublished article answers 404 to all but
admins); ``guide.edit`` and ``guide.history`` are for admins (302 to the login page when
signed out, 403 for everyone else).
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from forum.cache import anon_cacheable
from forum.errors import FieldErrors, ForumError
from forum.extensions import db
from forum.guide import services
from forum.guide.forms import ArticleForm
from forum.journals.pages import DISCLAIMER, article_insights
from forum.models import STAGE_LABELS, Role
from forum.permissions import role_required
from forum.tags.services import all_tags

bp = Blueprint("guide", __name__)


def _viewer():
    return current_user._get_current_object() if current_user.is_authenticated else None


@bp.route("/guide")
@anon_cacheable
def index():
    return render_template(
        "guide/index.html",
        overview_html=services.overview_html(),
        articles=services.list_articles(_viewer()),
        topics=services.hub_experiences(),
    )


@bp.route("/guide/<slug>")
@anon_cacheable
def show(slug):
    article = services.get_article(slug, _viewer())
    context = {
        "article": article,
        "stages": STAGE_LABELS,
        "insights": article_insights(article.slug),
        "disclaimer": DISCLAIMER,
    }
    try:
        stage = services.parse_stage(request.args.get("stage"))
    except ForumError as exc:
        return render_template(
            "guide/show.html", stage=None, experiences=None, error=str(exc), **context
        ), exc.status
    experiences = services.experiences_for(article, stage=stage)
    return render_template(
        "guide/show.html", stage=stage, experiences=experiences, error=None, **context
    )


def _edit_page(article, form, status=200):
    return render_template("guide/edit.html", article=article, form=form), status


@bp.route("/guide/<slug>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit(slug):
    user = _viewer()
    article = services.get_article(slug, user)
    if request.method == "GET":
        form = ArticleForm(data=services.edit_values(article))
    else:
        form = ArticleForm()
    form.tags.choices = [(tag.slug, tag.name) for tag in all_tags()]
    if request.method == "GET":
        return _edit_page(article, form)
    if not form.validate_on_submit():
        return _edit_page(article, form, 422)
    try:
        changed = services.edit_article(
            article,
            user,
            title=form.title.data,
            summary=form.summary.data,
            body=form.body.data,
            tag_slugs=form.tags.data,
            published=form.published.data,
            reviewed_by=form.reviewed_by.data,
            last_reviewed=form.last_reviewed.data,
        )
    except FieldErrors as exc:
        db.session.rollback()
        exc.apply(form)
        return _edit_page(article, form, exc.status)
    db.session.commit()
    if changed:
        flash("Article saved.", "success")
    else:
        flash("Nothing changed, so nothing was saved.", "info")
    return redirect(url_for("guide.show", slug=article.slug))


@bp.route("/guide/<slug>/history")
@role_required(Role.ADMIN)
def history(slug):
    user = _viewer()
    article = services.get_article(slug, user)
    revisions = services.article_history(article, user)
    return render_template("guide/history.html", article=article, revisions=revisions)
