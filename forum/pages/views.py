"""Site-wide pages: home, health check, the community guidelines, privacy notice and help."""

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text

from forum.cache import anon_cacheable
from forum.extensions import db
from forum.guide.services import highlights as guide_highlights
from forum.member_pages import member_page
from forum.models import STAGE_LABELS
from forum.tags.services import tags_with_counts
from forum.threads import lists

bp = Blueprint("pages", __name__)


@bp.route("/")
@member_page
@anon_cacheable
def home():
    """Latest active threads across topics, the topics with counts (issue #3), guide
    highlights (issue #5)."""
    query = lists.parse_list_query(request.args)
    result = lists.list_threads(
        query, limit=current_app.config["LIST_PAGE_SIZE"], viewer=current_user
    )
    return render_template(
        "pages/home.html",
        action=url_for("pages.home"),
        query=query,
        result=result,
        rows=tags_with_counts(),
        sort_labels=lists.SORT_LABELS,
        stages=STAGE_LABELS,
        guide_highlights=guide_highlights(),
    )


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        current_app.logger.warning("health check: database unreachable")
        return jsonify(status="unavailable", database=False), 503
    return jsonify(status="ok", database=True)


@bp.route("/guidelines")
def guidelines():
    return render_template(
        "pages/guidelines.html", version=current_app.config["GUIDELINES_VERSION"]
    )


@bp.route("/privacy")
def privacy():
    return render_template("pages/privacy.html", version=current_app.config["PRIVACY_VERSION"])


@bp.route("/help")
def help_page():
    return render_template("pages/help.html")
