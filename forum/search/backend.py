"""Full-text search: the only module with dialect-specific search SQL.

One row of ``search_documents`` per searchable thing: a thread (its opening post, titled by
the thread), a reply, or a guide article. SQLite indexes it with an FTS5 external-content
table kept in step by triggers; PostgreSQL with a generated ``tsvector`` column and a GIN
index. Both are built by migration 0005.

Each row carries a ``visible`` flag that is recomputed from the post and its thread on every
write, edit, delete and moderation action, so a search never has to join the whole thread
table to leave out hidden, held, removed or deleted content.
"""

import html
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from psycopg.errors import QueryCanceled
from sqlalchemy import DateTime, column, select, table, text, update
from sqlalchemy.exc import OperationalError

from forum.errors import ForumError
from forum.extensions import db
from forum.models import GuideArticle, Post, Thread, User, utcnow
from forum.search.filters import experience_filter
from forum.visibility import is_public_post, public_posts

THREAD, REPLY, GUIDE = "thread", "reply", "guide"
MAX_QUERY_CHARS = 200
MAX_TERMS = 12
PAGE_SIZE = 10
# Ranking is bounded: a word found in every other post must not make one search rank half
# a million rows. The newest CANDIDATES matches are ranked, and the best MAX_RESULTS of
# them can be paged through.
MAX_RESULTS = 50
CANDIDATES = 100
# Highlights come back from the database between two markers, so the snippet can be
# HTML-escaped as plain text first and the markers turned into <mark> afterwards. Text a
# member wrote may hold any character, so the markers are new random words for every
# search (issue #9): a post cannot contain what it cannot know.
MARKER_BYTES = 12

_TAG_RE = re.compile(r"<[^>]+>")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WORD_RE = re.compile(r"\w+", re.UNICODE)
_PART_RE = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')


def plain_text(body_html: str) -> str:
    """Text of stored, already-sanitised HTML, for indexing."""
    return " ".join(html.unescape(_TAG_RE.sub(" ", body_html or "")).split())


def _is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def _upsert(kind, ref_id, *, thread_id, title, body, stage, visible, created_at) -> None:
    # ON CONFLICT ... DO UPDATE is the same on SQLite (3.24+) and PostgreSQL.
    db.session.execute(
        text(
            "INSERT INTO search_documents"
            " (kind, ref_id, thread_id, title, body, stage, visible, created_at)"
            " VALUES (:kind, :ref_id, :thread_id, :title, :body, :stage, :visible, :created_at)"
            " ON CONFLICT (kind, ref_id) DO UPDATE SET thread_id = excluded.thread_id,"
            " title = excluded.title, body = excluded.body, stage = excluded.stage,"
            " visible = excluded.visible"
        ),
        {
            "kind": kind,
            "ref_id": ref_id,
            "thread_id": thread_id,
            "title": title,
            "body": body,
            "stage": stage,
            "visible": visible,
            "created_at": created_at,
        },
    )


_documents = table(
    "search_documents", column("kind"), column("ref_id"), column("thread_id"), column("visible")
)


def index_post(post: Post) -> None:
    """Add or refresh one post (an opening post is indexed as its thread)."""
    thread = post.thread
    if post.deleted_at is not None:
        remove_post(post)
        return
    opening = post.parent_id is None
    _upsert(
        THREAD if opening else REPLY,
        post.id,
        thread_id=thread.id,
        title=thread.title if opening else "",
        body=plain_text(post.body_html),
        stage=(thread.stage if opening else None) or post.stage,
        visible=is_public_post(post),
        created_at=post.created_at or utcnow(),
    )


def remove_post(post: Post) -> None:
    db.session.execute(
        text("DELETE FROM search_documents WHERE kind IN ('thread', 'reply') AND ref_id = :id"),
        {"id": post.id},
    )


def refresh_thread(thread: Thread) -> None:
    """Recompute the visibility of every document of a thread, and the thread's title.

    Called after any change of status (moderation, approval) or title.
    """
    visible = (
        select(public_posts())
        .select_from(Post)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.id == _documents.c.ref_id)
        .scalar_subquery()
    )
    db.session.execute(
        update(_documents)
        .where(_documents.c.thread_id == thread.id, _documents.c.kind.in_((THREAD, REPLY)))
        .values(visible=visible)
    )
    db.session.execute(
        text(
            "UPDATE search_documents SET title = :title WHERE kind = 'thread' AND thread_id = :id"
        ),
        {"title": thread.title, "id": thread.id},
    )


def index_article(article: GuideArticle) -> None:
    _upsert(
        GUIDE,
        article.id,
        thread_id=None,
        title=article.title,
        body=f"{article.summary} {plain_text(article.body_html)}",
        stage=None,
        visible=bool(article.published),
        created_at=article.updated_at or utcnow(),
    )


def reindex(batch: int = 2000) -> int:
    """Rebuild the whole index from posts and guide articles; returns the document count."""
    # On SQLite the delete trigger takes each row out of the FTS index as it goes.
    db.session.execute(text("DELETE FROM search_documents"))
    insert = text(
        "INSERT INTO search_documents"
        " (kind, ref_id, thread_id, title, body, stage, visible, created_at)"
        " VALUES (:kind, :ref_id, :thread_id, :title, :body, :stage, :visible, :created_at)"
    )
    columns = (
        Post.id,
        Post.parent_id,
        Post.thread_id,
        Post.body_html,
        Post.stage,
        Post.status,
        Post.created_at,
        Thread.title,
        Thread.stage.label("thread_stage"),
        public_posts().label("visible"),
    )
    last = 0
    while True:
        rows = db.session.execute(
            select(*columns)
            .join(Thread, Thread.id == Post.thread_id)
            .where(Post.id > last, Post.deleted_at.is_(None))
            .order_by(Post.id)
            .limit(batch)
        ).all()
        if not rows:
            break
        db.session.execute(
            insert,
            [
                {
                    "kind": THREAD if row.parent_id is None else REPLY,
                    "ref_id": row.id,
                    "thread_id": row.thread_id,
                    "title": row.title if row.parent_id is None else "",
                    "body": plain_text(row.body_html),
                    "stage": (row.thread_stage if row.parent_id is None else None) or row.stage,
                    "visible": bool(row.visible),
                    "created_at": row.created_at,
                }
                for row in rows
            ],
        )
        last = rows[-1].id
    for article in db.session.scalars(select(GuideArticle)):
        index_article(article)
    if not _is_postgres():
        db.session.execute(text("INSERT INTO search_fts (search_fts) VALUES ('optimize')"))
    return db.session.execute(text("SELECT COUNT(*) FROM search_documents")).scalar_one()


# --- Queries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedQuery:
    phrases: tuple[tuple[str, ...], ...]  # each a phrase of one or more words, all required
    excluded: tuple[tuple[str, ...], ...]
    text: str  # the cleaned query, as PostgreSQL's websearch_to_tsquery receives it
    shortened: bool

    @property
    def is_empty(self) -> bool:
        return not self.phrases

    @property
    def words_text(self) -> str:
        """The query with its phrases loosened to plain words (all still required)."""
        positive = " ".join(" ".join(p) for p in self.phrases)
        return " ".join([positive] + ["-" + " ".join(p) for p in self.excluded if len(p) == 1])


def parse_query(raw: str | None) -> ParsedQuery:
    """Turn whatever was typed into words and phrases; nothing typed can become syntax."""
    cleaned = " ".join(_CONTROL_RE.sub(" ", raw or "").split())
    shortened = len(cleaned) > MAX_QUERY_CHARS
    cleaned = cleaned[:MAX_QUERY_CHARS]
    phrases: list[tuple[str, ...]] = []
    excluded: list[tuple[str, ...]] = []
    for match in _PART_RE.finditer(cleaned):
        negated = bool(match.group(1) or match.group(3))
        quoted, bare = match.group(2), match.group(4)
        words = tuple(w.lower() for w in _WORD_RE.findall(bare if quoted is None else quoted))
        words = tuple(w for w in words if len(w) <= 40)
        if not words or (len(words) == 1 and words[0] == "or"):
            continue
        (excluded if negated else phrases).append(words)
    phrases = phrases[:MAX_TERMS]
    excluded = excluded[: max(0, MAX_TERMS - len(phrases))]
    parts = [" ".join(p) if len(p) == 1 else '"' + " ".join(p) + '"' for p in phrases]
    parts += ["-" + (" ".join(p) if len(p) == 1 else '"' + " ".join(p) + '"') for p in excluded]
    return ParsedQuery(tuple(phrases), tuple(excluded), " ".join(parts), shortened)


def _fts5_expression(query: ParsedQuery) -> str:
    # Every word is double-quoted, so FTS5 reads it as a string, never as an operator.
    def phrase(words):
        return '"' + " ".join(words) + '"'

    positive = " AND ".join(phrase(p) for p in query.phrases)
    negative = "".join(f" NOT {phrase(p)}" for p in query.excluded)
    return f"({positive}){negative}" if negative else positive


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


@dataclass(frozen=True)
class Markers:
    start: str
    end: str

    @classmethod
    def fresh(cls) -> "Markers":
        # Letters and digits only: html.escape leaves them alone and ts_headline's option
        # string needs no quoting.
        token = secrets.token_hex(MARKER_BYTES)
        return cls(f"hlstart{token}", f"hlend{token}")

    def highlight(self, fragment: str | None) -> str:
        """The snippet as HTML: its text escaped, only these markers made <mark>."""
        escaped = html.escape(fragment or "", quote=False)
        return escaped.replace(self.start, "<mark>").replace(self.end, "</mark>")


def search(
    query: ParsedQuery,
    *,
    tag: str | None = None,
    stage: str | None = None,
    page: int = 1,
    dose: str | None = None,
    month_min: int | None = None,
    month_max: int | None = None,
) -> SearchPage:
    """One page of visible results, best first, with how many there are in all."""
    if query.is_empty:
        return SearchPage([], 1, False, query)
    page = max(1, page)
    offset = (page - 1) * PAGE_SIZE
    if offset >= MAX_RESULTS:
        return SearchPage([], page, False, query)
    limit = min(PAGE_SIZE + 1, MAX_RESULTS - offset)
    filters = []
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
    if _is_postgres():
        rows = _search_postgres(query, where, params)
    else:
        rows = _search_sqlite(query, where, params)
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


def _result_joins(alias: str) -> str:
    return (
        f" LEFT JOIN threads t ON t.id = {alias}.thread_id"
        f" LEFT JOIN guide_articles g ON {alias}.kind = 'guide' AND g.id = {alias}.ref_id"
    )


def _search_sqlite(query: ParsedQuery, where: str, params: dict):
    params["match"] = _fts5_expression(query)
    # Only fixed SQL fragments are joined below; every value is a bound parameter.
    matches = (
        " FROM search_fts JOIN search_documents d ON d.id = search_fts.rowid"
        " WHERE search_fts MATCH :match AND d.visible" + where
    )
    # FTS5 walks a term's matches newest first without ranking them, so the window of the
    # newest CANDIDATES matches costs little even for a common word; only it is ranked.
    window = (
        " AND search_fts.rowid >= COALESCE((SELECT search_fts.rowid"
        + matches
        + " ORDER BY search_fts.rowid DESC LIMIT 1 OFFSET :candidates - 1), 0)"
    )
    sql = (
        "SELECT d.kind, d.ref_id, d.thread_id, d.title, d.stage, d.created_at,"
        # Counted once for the whole statement: FTS5's ranking functions refuse a window.
        " (SELECT COUNT(*)" + matches + window + ") AS total,"
        " t.title AS thread_title, g.slug AS guide_slug,"
        " snippet(search_fts, 1, :ms, :me, '…', 24) AS snippet"
        " FROM search_fts JOIN search_documents d ON d.id = search_fts.rowid"
        + _result_joins("d")
        + " WHERE search_fts MATCH :match AND d.visible"
        + where
        + window
        # Title matches weigh eight times body matches.
        + " ORDER BY bm25(search_fts, 8.0, 1.0), d.id DESC LIMIT :limit OFFSET :offset"
    )
    return db.session.execute(text(sql).columns(created_at=DateTime()), params).all()


def _search_postgres(query: ParsedQuery, where: str, params: dict):
    params["q"] = query.text
    params["words"] = query.words_text
    # Only fixed SQL fragments are joined below; every value is a bound parameter.
    # The tsquery is written out where it is used rather than kept in a CTE: the planner
    # must see it to estimate how common the words are and pick the plan.
    tsquery = "websearch_to_tsquery('english', :q)"
    # Candidates are chosen on the words alone, phrases loosened: PostgreSQL estimates a
    # phrase of two common words as common, and would then walk the whole table backwards
    # looking for an adjacency that may never occur. The phrase is checked among them.
    words = "websearch_to_tsquery('english', :words)"
    sql = (
        "WITH candidates AS ("
        # The newest CANDIDATES matches: for a common word the planner walks the primary
        # key backwards and stops early; for a rare one it reads the GIN index.
        " SELECT d.id, d.kind, d.ref_id, d.thread_id, d.title, d.body, d.stage, d.created_at,"
        f" d.tsv FROM search_documents d WHERE d.visible AND d.tsv @@ {words}"
        + where
        + " ORDER BY d.id DESC LIMIT :candidates),"
        " ranked AS ("
        " SELECT c.id, c.kind, c.ref_id, c.thread_id, c.title, c.body, c.stage, c.created_at,"
        f" ts_rank_cd(c.tsv, {tsquery}) AS rank, COUNT(*) OVER () AS total"
        f" FROM candidates c WHERE c.tsv @@ {tsquery}"
        " ORDER BY rank DESC, c.id DESC LIMIT :limit OFFSET :offset)"
        " SELECT r.kind, r.ref_id, r.thread_id, r.title, r.stage, r.created_at,"
        " r.total,"
        " t.title AS thread_title, g.slug AS guide_slug,"
        f" ts_headline('english', r.body, {tsquery}, 'StartSel=' || :ms || ', StopSel=' || :me"
        " || ', MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \"')"
        " AS snippet"
        " FROM ranked r" + _result_joins("r") + " ORDER BY r.rank DESC, r.id DESC"
    )
    # A last guard against a plan that goes wrong on some word: no search may hold a
    # worker for long. The setting lasts until the end of this transaction.
    db.session.execute(
        text("SELECT set_config('statement_timeout', :ms, true)"),
        {"ms": str(int(current_app.config["SEARCH_TIMEOUT_MS"]))},
    )
    try:
        return db.session.execute(text(sql).columns(created_at=DateTime()), params).all()
    except OperationalError as exc:
        if not isinstance(exc.orig, QueryCanceled):
            raise
        db.session.rollback()
        raise ForumError(
            "That search took too long. Try more specific words, or a topic filter.",
            status=503,
        ) from exc


def clear_index(conn) -> None:
    """Empty the index (tests)."""
    conn.execute(text("DELETE FROM search_documents"))


__all__ = [
    "GUIDE",
    "REPLY",
    "THREAD",
    "ParsedQuery",
    "SearchHit",
    "SearchPage",
    "clear_index",
    "index_article",
    "index_post",
    "parse_query",
    "refresh_thread",
    "remove_post",
    "reindex",
    "search",
]
