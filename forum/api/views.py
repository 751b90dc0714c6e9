"""The read-only JSON API at /api/v1 (issue #18).

Public endpoints answer what a signed-out reader sees, through the same services the pages
use, whoever asks: a session cookie or a token changes nothing there. ``me`` and the
endpoints below it are the member's own data and need a personal access token
(``Authorization: Bearer ...``). Every GET carries an ETag and answers 304 to a matching
``If-None-Match``; errors are ``application/problem+json`` (``forum/errors.py``).
"""

from flask import Blueprint, current_app, jsonify, request

from forum.api import http, openapi, serializers
from forum.guide import services as guide
from forum.notifications import services as notifications
from forum.search import services as search
from forum.tags import services as tags
from forum.threads import lists
from forum.threads import services as threads
from forum.urls import external_url, with_query
from forum.validation import parse_int
from forum.visibility import ANONYMOUS, ThreadView, post_view

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(http.before_request)
bp.after_request(http.after_request)

LIMIT_MAX = 100


def _limit() -> int:
    default = current_app.config["LIST_PAGE_SIZE"]
    message = f"The limit is a whole number from 1 to {LIMIT_MAX}."
    return parse_int(request.args.get("limit"), maximum=LIMIT_MAX, message=message) or default


def _tag(slug: str | None):
    """The topic a list is filtered by; NotFound (404) for one that doesn't exist, as on
    its page at /tags/<slug>."""
    return tags.get_tag(slug.strip()) if slug else None


@bp.get("/threads")
def thread_list():
    query = lists.parse_list_query(request.args)
    tag = _tag(request.args.get("tag"))
    limit = _limit()
    result = lists.list_threads(query, tag=tag, limit=limit)
    next_url = None
    if result.next_cursor:
        args = {**query.url_args(), "tag": tag.slug if tag else None, "after": result.next_cursor}
        if request.args.get("limit"):
            args["limit"] = limit
        next_url = external_url(with_query(request.path, args))
    return jsonify(
        threads=[serializers.thread(view, excerpt=view.excerpt) for view in result.threads],
        next=next_url,
    )


@bp.get("/threads/<id:thread_id>")
def thread_detail(thread_id):
    thread = threads.get_thread(thread_id, ANONYMOUS)
    page = parse_int(request.args.get("page"), message="The page is a whole number.") or 1
    root = parse_int(request.args.get("root"), message="The root is a post id.")
    tree = threads.thread_page(thread, None, page=page, root_id=root)
    view = ThreadView(thread, replies=tree.readable_replies)
    next_url = None
    if tree.root is None and tree.page < tree.pages:
        next_url = external_url(with_query(request.path, {"page": tree.page + 1}))
    return jsonify(
        thread=serializers.thread(view),
        opening_post=serializers.post(tree.opening.post, tree.opening.view)
        if tree.opening is not None
        else None,
        replies=[serializers.node(node) for node in tree.nodes],
        page=tree.page,
        pages=tree.pages,
        next=next_url,
    )


@bp.get("/posts/<id:post_id>")
def post_detail(post_id):
    post = threads.get_post(post_id, None)
    return jsonify(post=serializers.post(post, post_view(post, None)))


@bp.get("/tags")
def tag_list():
    return jsonify(tags=[serializers.tag(row) for row in tags.tags_with_counts()])


@bp.get("/guide")
def guide_index():
    return jsonify(articles=[serializers.article(a) for a in guide.list_articles(None)])


@bp.get("/guide/<slug>")
def guide_article(slug):
    article = guide.get_article(slug, None)
    return jsonify(article=serializers.article(article, full=True))


@bp.get("/search")
def search_index():
    args = request.args
    outcome = search.run_search(
        args.get("q", ""),
        tag=args.get("tag") or None,
        stage=args.get("stage") or None,
        page=args.get("page"),
        tags=search.all_tags(),
        dose=args.get("dose"),
        month_min=args.get("month_min"),
        month_max=args.get("month_max"),
    )
    results = outcome.results
    next_url = None
    if results is not None and results.has_next:
        next_url = external_url(
            with_query(
                request.path,
                [*((k, v) for k, v in args.items() if k != "page"), ("page", results.page + 1)],
            )
        )
    return jsonify(
        results=[serializers.search_hit(hit) for hit in results.hits] if results else [],
        page=results.page if results else 1,
        message=outcome.message,
        next=next_url,
    )


@bp.get("/openapi.json")
def description():
    return jsonify(openapi.document())


@bp.get("/me")
def me():
    token = http.token_holder()
    return jsonify(me=serializers.member(token.user, token))


@bp.get("/me/notifications")
def me_notifications():
    token = http.token_holder()
    before = parse_int(request.args.get("before"), message="The cursor is a notification id.")
    inbox = notifications.inbox(token.user, before=before, limit=_limit())
    next_url = None
    if inbox.next_cursor:
        args = {"before": inbox.next_cursor, "limit": request.args.get("limit") or None}
        next_url = external_url(with_query(request.path, args))
    return jsonify(
        notifications=[serializers.notification(item) for item in inbox.notifications],
        next=next_url,
    )
