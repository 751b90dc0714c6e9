"""Checking a search request before it reaches the index."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forum.errors import ForumError
from forum.extensions import db
from forum.models import Post, Stage, Tag
from forum.search import backend
from forum.threads import lists
from forum.validation import parse_int

MAX_PAGE = -(-backend.MAX_RESULTS // backend.PAGE_SIZE)


@dataclass
class SearchOutcome:
    query: backend.ParsedQuery
    results: backend.SearchPage | None
    message: str | None
    filters: lists.ListQuery | None = None


def run_search(
    raw_query: str,
    *,
    tag: str | None,
    stage: str | None,
    page: str | None,
    tags: list[Tag],
    dose: str | None = None,
    month_min: str | None = None,
    month_max: str | None = None,
    viewer=None,
) -> SearchOutcome:
    """Validate the filters and run the search; the dose band and month range are read as
    the thread lists read them (months since finishing with the stage "finished").

    Raises ForumError (400) for an unknown tag, stage or dose band, a month out of range
    or a malformed page number. Members-only threads are found only by a signed-in
    ``viewer``.
    """
    if tag and tag not in {t.slug for t in tags}:
        raise ForumError("There is no topic with that name.")
    if stage and stage not in set(Stage):
        raise ForumError("Stage must be considering, on treatment or finished.")
    filters = lists.parse_list_query(
        {"stage": stage, "dose": dose, "month_min": month_min, "month_max": month_max}
    )
    page_number = (
        parse_int(page, maximum=MAX_PAGE, message=f"Page must be a number from 1 to {MAX_PAGE}.")
        or 1
    )
    query = backend.parse_query(raw_query)
    if query.is_empty:
        message = None
        if raw_query.strip():
            message = "Type a word or two to search: punctuation alone finds nothing."
        return SearchOutcome(query, None, message, filters)
    message = None
    if query.shortened:
        message = (
            f"Your search was long, so only its first {backend.MAX_QUERY_CHARS} characters "
            "were used."
        )
    results = backend.search(
        query,
        tag=tag,
        stage=filters.stage,
        page=page_number,
        dose=filters.dose,
        month_min=filters.month_min,
        month_max=filters.month_max,
        viewer=viewer,
    )
    _add_authors_and_badges(results.hits)
    return SearchOutcome(query, results, message, filters)


def _add_authors_and_badges(hits: list[backend.SearchHit]) -> None:
    """Each thread or reply hit's author and experience badge: one query for the page.

    A thread shows its own badge, as in the lists; a reply the details its author had
    when writing it. Deleted posts are never in the index, so no author is hidden here.
    """
    ids = [hit.ref_id for hit in hits if hit.kind in (backend.THREAD, backend.REPLY)]
    if not ids:
        return
    posts = {
        post.id: post
        for post in db.session.scalars(
            select(Post)
            .where(Post.id.in_(ids))
            .options(joinedload(Post.author), joinedload(Post.thread))
        )
    }
    for hit in hits:
        post = posts.get(hit.ref_id) if hit.kind != backend.GUIDE else None
        if post is not None:
            hit.author = post.author
            hit.badge = (post.thread if hit.kind == backend.THREAD else post).badge


def all_tags() -> list[Tag]:
    return list(db.session.scalars(select(Tag).order_by(Tag.sort_order, Tag.name)))
