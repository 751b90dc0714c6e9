"""Full-text search across threads, replies and the guide."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from forum.errors import ForumError
from forum.models import STAGE_LABELS
from forum.search import backend, services

bp = Blueprint("search", __name__)


@bp.route("/search")
def index():
    raw_query = request.args.get("q", "")
    tag = request.args.get("tag") or None
    stage = request.args.get("stage") or None
    # What was typed goes back into the form as it was, even when it is refused.
    experience = {name: request.args.get(name) for name in ("dose", "month_min", "month_max")}
    tags = services.all_tags()
    context = {
        "q": raw_query,
        "tag": tag,
        "stage": stage,
        "experience": experience,
        "tags": tags,
        "stages": STAGE_LABELS,
        "page_size": backend.PAGE_SIZE,
    }
    try:
        outcome = services.run_search(
            raw_query,
            tag=tag,
            stage=stage,
            page=request.args.get("page"),
            tags=tags,
            viewer=current_user,
            **experience,
        )
    except ForumError as exc:
        return render_template("search/index.html", outcome=None, error=str(exc), **context), 400
    return render_template("search/index.html", outcome=outcome, error=None, **context)
