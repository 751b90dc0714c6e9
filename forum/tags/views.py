"""The topic index and each topic's threads (issue #3)."""

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import current_user

from forum.cache import anon_cacheable
from forum.guide.services import articles_for_tag
from forum.journals.pages import DISCLAIMER, tag_insights
from forum.member_pages import member_page
from forum.models import STAGE_LABELS
from forum.tags import services
from forum.threads import lists

bp = Blueprint("tags", __name__)


@bp.route("/tags")
@anon_cacheable
def index():
    return render_template("tags/index.html", rows=services.tags_with_counts())


@bp.route("/tags/<slug>")
@member_page
@anon_cacheable
def show(slug):
    tag = services.get_tag(slug)
    query = lists.parse_list_query(request.args)
    limit = current_app.config["LIST_PAGE_SIZE"]
    result = lists.list_threads(query, tag=tag, limit=limit, viewer=current_user)
    return render_template(
        "tags/show.html",
        tag=tag,
        action=url_for("tags.show", slug=tag.slug),
        query=query,
        result=result,
        sort_labels=lists.SORT_LABELS,
        stages=STAGE_LABELS,
        guide_articles=articles_for_tag(tag),
        insights=tag_insights(tag.slug),
        disclaimer=DISCLAIMER,
    )
