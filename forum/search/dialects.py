"""The search query of each database: SQLite FTS5 and PostgreSQL full-text search.

Only fixed SQL fragments are joined here; every value is a bound parameter.
"""

from flask import current_app
from psycopg.errors import QueryCanceled
from sqlalchemy import DateTime, text
from sqlalchemy.exc import OperationalError

from forum.errors import ForumError
from forum.extensions import db
from forum.search.query import ParsedQuery, fts5_expression


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def _result_joins(alias: str) -> str:
    return (
        f" LEFT JOIN threads t ON t.id = {alias}.thread_id"
        f" LEFT JOIN guide_articles g ON {alias}.kind = 'guide' AND g.id = {alias}.ref_id"
    )


def search_sqlite(query: ParsedQuery, where: str, params: dict):
    params["match"] = fts5_expression(query)
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


def search_postgres(query: ParsedQuery, where: str, params: dict):
    params["q"] = query.text
    params["words"] = query.words_text
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
