"""The read-only JSON API at /api/v1 (issue #18).

Public endpoints answer through the same services the pages use: what a signed-out reader
sees, or with a personal access token (``Authorization: Bearer ...``) what the pages show
that member (``http.reader``: members-only threads in full, never a moderator's view). A
session cookie changes nothing here. A signed-out reader asking for a members-only thread
or one of its posts gets its teaser, as on its page. ``me`` and the endpoints below it are
the member's own data and need a token. Every GET carries an ETag and answers 304 to a
matching ``If-None-Match``; errors are ``application/problem+json`` (``forum/errors.py``).
"""

from datetime import date

from flask import Blueprint, current_app, jsonify, request

from forum.api import http, openapi, serializers
from forum.bookmarks import services as bookmarks
from forum.errors import NotFound
from forum.extensions import db
from forum.guide import services as guide
from forum.journals import pages as journals
from forum.journals import services as journal_services
from forum.journals.stats_cache import cached_stats
from forum.models import Post, Thread
from forum.notifications import services as notifications
from forum.search import services as search
from forum.tags import services as tags
from forum.threads import audience, lists
from forum.threads import services as threads
from forum.urls import external_url, with_query
from forum.validation import BadValue, parse_int
from forum.visibility import ThreadView, post_view

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
    result = lists.list_threads(query, tag=tag, limit=limit, viewer=http.reader())
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


def _teaser(thread: Thread):
    """A members-only thread's teaser for a signed-out reader (issue #13), with the
    headers of its page: never kept by a cache, never indexed."""
    body = jsonify(teaser=serializers.teaser(audience.teaser(thread)))
    return body, 200, audience.TEASER_HEADERS


@bp.get("/threads/<id:thread_id>")
def thread_detail(thread_id):
    viewer = http.reader()
    page = parse_int(request.args.get("page"), message="The page is a whole number.") or 1
    root = parse_int(request.args.get("root"), message="The root is a post id.")
    try:
        thread = threads.get_thread(thread_id, viewer)
    except NotFound:
        thread = db.session.get(Thread, thread_id)
        if thread is None or not audience.is_teaser_for(thread, viewer):
            raise
        return _teaser(thread)
    tree = threads.thread_page(thread, viewer, page=page, root_id=root)
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
    viewer = http.reader()
    try:
        post = threads.get_post(post_id, viewer)
    except NotFound:
        post = db.session.get(Post, post_id)
        if post is None or not audience.teaser_target(post, viewer):
            raise
        return _teaser(post.thread)
    return jsonify(post=serializers.post(post, post_view(post, viewer)))


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
        viewer=http.reader(),
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


def _next(args: dict) -> str:
    limit = request.args.get("limit") or None
    return external_url(with_query(request.path, {**args, "limit": limit}))


@bp.get("/me/bookmarks")
def me_bookmarks():
    token = http.token_holder()
    before = parse_int(request.args.get("before"), message="The cursor is a bookmark id.")
    page = bookmarks.bookmarks(token.user, before=before, limit=_limit(), viewer=http.reader())
    return jsonify(
        bookmarks=[serializers.bookmark(saved) for saved in page.items],
        next=_next({"before": page.next_cursor}) if page.next_cursor else None,
    )


def _day(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise BadValue("The cursor is a day: YYYY-MM-DD.") from None


@bp.get("/me/journal")
def me_journal():
    """The token holder's own journal, private entries included, as /journal shows it."""
    token = http.token_holder()
    member = token.user
    before = _day(request.args.get("before"))
    page = journals.own_entries(member, before=before, limit=_limit())
    journal = journal_services.journal_of(member)
    course = journal_services.course_of(member, journal_services.dose_periods(member))
    course.weight_kg = journal.weight_kg if journal is not None else None
    cursor = page.next_cursor.isoformat() if page.next_cursor else None
    return jsonify(
        journal=serializers.journal(journal, member),
        course=serializers.course(course),
        entries=[serializers.journal_entry(entry) for entry in page.entries],
        next=_next({"before": cursor}) if cursor else None,
    )


@bp.get("/insights")
def insights():
    """The members' statistics as /insights shows them: suppressed cells are null."""
    return jsonify(serializers.insights(cached_stats(), disclaimer=journals.DISCLAIMER))
