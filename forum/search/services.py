"""Checking a search request before it reaches the index."""

from dataclasses import dataclass

from sqlalchemy import select

from forum.errors import ForumError
from forum.extensions import db
from forum.models import Stage, Tag
from forum.search import backend
from forum.validation import parse_int

MAX_PAGE = -(-backend.MAX_RESULTS // backend.PAGE_SIZE)


@dataclass
class SearchOutcome:
    query: backend.ParsedQuery
    results: backend.SearchPage | None
    message: str | None


def run_search(
    raw_query: str, *, tag: str | None, stage: str | None, page: str | None, tags: list[Tag]
) -> SearchOutcome:
    """Validate the filters and run the search.

    Raises ForumError (400) for an unknown tag or stage or a malformed page number.
    """
    if tag and tag not in {t.slug for t in tags}:
        raise ForumError("There is no topic with that name.")
    if stage and stage not in set(Stage):
        raise ForumError("Stage must be considering, on treatment or finished.")
    page_number = (
        parse_int(page, maximum=MAX_PAGE, message=f"Page must be a number from 1 to {MAX_PAGE}.")
        or 1
    )
    query = backend.parse_query(raw_query)
    if query.is_empty:
        message = None
        if raw_query.strip():
            message = "Type a word or two to search: punctuation alone finds nothing."
        return SearchOutcome(query, None, message)
    message = None
    if query.shortened:
        message = (
            f"Your search was long, so only its first {backend.MAX_QUERY_CHARS} characters "
            "were used."
        )
    results = backend.search(query, tag=tag, stage=stage, page=page_number)
    return SearchOutcome(query, results, message)


def all_tags() -> list[Tag]:
    return list(db.session.scalars(select(Tag).order_by(Tag.sort_order, Tag.name)))
