"""Full-text search: one page of visible results, best first.

The parts live beside this module: ``query`` (what was typed, made safe), ``index``
(writing the documents, kept in step with the data by ``forum.sync``), ``dialects`` (the
SQLite and PostgreSQL queries, the only dialect-specific search SQL) and ``snippets``
(highlights). Their public names are importable from here too.
"""

from dataclasses import dataclass
from datetime import datetime

from forum.models import User
from forum.search.dialects import is_postgres, search_postgres, search_sqlite
from forum.search.filters import experience_filter
from forum.search.index import (
    GUIDE,
    REPLY,
    THREAD,
    clear_index,
    index_article,
    index_post,
    plain_text,
    refresh_thread,
    refresh_threads,
    reindex,
    remove_post,
    remove_posts,
    remove_threads,
    write_articles,
    write_posts,
)
from forum.search.query import MAX_QUERY_CHARS, MAX_TERMS, ParsedQuery, parse_query
from forum.search.snippets import Markers
from forum.visibility import Viewer, ViewerLike

PAGE_SIZE = 10
# Ranking is bounded: a word found in every other post must not make one search rank half
# a million rows. The newest CANDIDATES matches are ranked, and the best MAX_RESULTS of
# them can be paged through.
MAX_RESULTS = 50
CANDIDATES = 100


@dataclass
class SearchHit:
    kind: str
    ref_id: int
    thread_id: int | None
    title: str
    thread_title: str | None
    guide_slug: str | None
    stage: str | None
    created_at: datetime
    snippet_html: str
    # Filled in by forum.search.services from the post behind a thread or reply hit.
    author: User | None = None
    badge: str = ""


@dataclass
class SearchPage:
    hits: list[SearchHit]
    page: int
    has_next: bool
    query: ParsedQuery
    # How many results the filters leave, counted up to CANDIDATES (issue #11).
    total: int = 0

    @property
    def shown_total(self) -> int:
        """The results that can be paged through: at most MAX_RESULTS."""
        return min(self.total, MAX_RESULTS)

    @property
    def has_more_than_shown(self) -> bool:
        return self.total > MAX_RESULTS


def search(
    query: ParsedQuery,
    *,
    tag: str | None = None,
    stage: str | None = None,
    page: int = 1,
    dose: str | None = None,
    month_min: int | None = None,
    month_max: int | None = None,
    viewer: ViewerLike = None,
) -> SearchPage:
    """One page of visible results, best first, with how many there are in all; members-only
    threads only for a signed-in ``viewer`` (``forum.members_only``).

    Raises ForumError (503) when PostgreSQL takes too long over it.
    """
    if query.is_empty:
        return SearchPage([], 1, False, query)
    page = max(1, page)
    offset = (page - 1) * PAGE_SIZE
    if offset >= MAX_RESULTS:
        return SearchPage([], page, False, query)
    limit = min(PAGE_SIZE + 1, MAX_RESULTS - offset)
    filters = [] if Viewer.of(viewer).is_signed_in else ["NOT d.members_only"]
    markers = Markers.fresh()
    params: dict = {
        "limit": limit,
        "offset": offset,
        "ms": markers.start,
        "me": markers.end,
        "candidates": CANDIDATES,
    }
    if stage:
        filters.append("d.stage = :stage")
        params["stage"] = stage
    if tag:
        filters.append(
            "(EXISTS (SELECT 1 FROM thread_tags tt JOIN tags tg ON tg.id = tt.tag_id"
            " WHERE tt.thread_id = d.thread_id AND tg.slug = :tag)"
            " OR EXISTS (SELECT 1 FROM guide_article_tags gt JOIN tags tg ON tg.id = gt.tag_id"
            " WHERE d.kind = 'guide' AND gt.article_id = d.ref_id AND tg.slug = :tag))"
        )
        params["tag"] = tag
    experience, experience_params = experience_filter(stage, dose, month_min, month_max)
    if experience:
        filters.append(experience)
        params.update(experience_params)
    where = "".join(f" AND {f}" for f in filters)
    if is_postgres():
        rows = search_postgres(query, where, params)
    else:
        rows = search_sqlite(query, where, params)
    hits = [
        SearchHit(
            kind=row.kind,
            ref_id=row.ref_id,
            thread_id=row.thread_id,
            title=row.title or row.thread_title or "",
            thread_title=row.thread_title,
            guide_slug=row.guide_slug,
            stage=row.stage,
            created_at=row.created_at,
            snippet_html=markers.highlight(row.snippet),
        )
        for row in rows[:PAGE_SIZE]
    ]
    total = rows[0].total if rows else 0
    return SearchPage(hits, page, len(rows) > PAGE_SIZE, query, total=total)


__all__ = [
    "CANDIDATES",
    "GUIDE",
    "MAX_QUERY_CHARS",
    "MAX_RESULTS",
    "MAX_TERMS",
    "PAGE_SIZE",
    "REPLY",
    "THREAD",
    "Markers",
    "ParsedQuery",
    "SearchHit",
    "SearchPage",
    "clear_index",
    "index_article",
    "index_post",
    "parse_query",
    "plain_text",
    "refresh_thread",
    "refresh_threads",
    "reindex",
    "remove_post",
    "remove_posts",
    "remove_threads",
    "search",
    "write_articles",
    "write_posts",
]
