"""Writing the search index: one row of ``search_documents`` per searchable thing.

A thread (its opening post, titled by the thread), a reply, or a guide article. SQLite
indexes the rows with an FTS5 external-content table kept in step by triggers; PostgreSQL
with a generated ``tsvector`` column and a GIN index. Both are built by migration 0005.

Each row carries a ``visible`` flag computed from the post and its thread by the same SQL
as ``forum.visibility.posts_for_members``, and a ``members_only`` flag from the thread's
audience (``forum.members_only``), so a search never has to join the whole thread table
to leave out hidden, held, removed or deleted content, nor, for a signed-out reader, the
threads written for members (issues #13 and #18).

The writers take a connection and read what they index from the database, so they can run
inside a flush (``forum.sync`` calls them there for every change made through the session)
and always index the rows as they are now, whatever objects are loaded.
"""

import functools
import html
import re
from collections.abc import Iterable

from sqlalchemy import (
    Text,
    and_,
    bindparam,
    case,
    column,
    func,
    or_,
    select,
    table,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from forum.extensions import db
from forum.members_only import for_everyone_sql
from forum.models import GuideArticle, Post, Thread, utcnow
from forum.visibility import posts_for_members

THREAD, REPLY, GUIDE = "thread", "reply", "guide"
CHUNK = 500

_TAG_RE = re.compile(r"<[^>]+>")
_INSERT = text(
    "INSERT INTO search_documents"
    " (kind, ref_id, thread_id, title, body, stage, visible, members_only, created_at)"
    " VALUES (:kind, :ref_id, :thread_id, :title, :body, :stage, :visible, :members_only,"
    " :created_at)"
)
# ON CONFLICT ... DO UPDATE is the same on SQLite (3.24+) and PostgreSQL.
_UPSERT = text(
    "INSERT INTO search_documents"
    " (kind, ref_id, thread_id, title, body, stage, visible, members_only, created_at)"
    " VALUES (:kind, :ref_id, :thread_id, :title, :body, :stage, :visible, :members_only,"
    " :created_at)"
    " ON CONFLICT (kind, ref_id) DO UPDATE SET thread_id = excluded.thread_id,"
    " title = excluded.title, body = excluded.body, stage = excluded.stage,"
    " visible = excluded.visible, members_only = excluded.members_only"
)
_documents = table(
    "search_documents",
    column("kind"),
    column("ref_id"),
    column("thread_id"),
    column("title"),
    column("visible"),
    column("members_only"),
)


def plain_text(body_html: str) -> str:
    """Text of stored, already-sanitised HTML, for indexing."""
    return " ".join(html.unescape(_TAG_RE.sub(" ", body_html or "")).split())


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _post_documents(conn: Connection, where, *, limit: int | None = None) -> list[dict]:
    """The documents of the posts matching ``where`` (deleted posts have none)."""
    statement = (
        select(
            Post.id,
            Post.parent_id,
            Post.thread_id,
            Post.body_html,
            Post.stage,
            Post.created_at,
            Thread.title,
            Thread.stage.label("thread_stage"),
            posts_for_members().label("visible"),
            (~for_everyone_sql()).label("members_only"),
        )
        .join(Thread, Thread.id == Post.thread_id)
        .where(where, Post.deleted_at.is_(None))
        .order_by(Post.id)
        .limit(limit)
    )
    return [
        {
            "kind": THREAD if row.parent_id is None else REPLY,
            "ref_id": row.id,
            "thread_id": row.thread_id,
            "title": row.title if row.parent_id is None else "",
            "body": plain_text(row.body_html),
            "stage": (row.thread_stage if row.parent_id is None else None) or row.stage,
            "visible": bool(row.visible),
            "members_only": bool(row.members_only),
            "created_at": row.created_at or utcnow(),
        }
        for row in conn.execute(statement)
    ]


def write_posts(conn: Connection, post_ids: Iterable[int]) -> None:
    """Add or refresh the documents of these posts; a deleted or missing post's goes."""
    for chunk in _chunks(post_ids):
        documents = _post_documents(conn, Post.id.in_(chunk))
        remove_posts(conn, set(chunk) - {document["ref_id"] for document in documents})
        if documents:
            conn.execute(_UPSERT, documents)


_all_columns = table(
    "search_documents",
    *(column(name) for name in ("kind", "ref_id", "thread_id", "title", "body", "stage")),
    column("visible"),
    column("members_only"),
    column("created_at"),
)


def write_new_post(conn: Connection, post_id: int, body_html: str) -> None:
    """The document of a post just inserted, in one statement: its text from the HTML just
    written, everything else (its thread's title, stage, visibility and audience) read by the same
    statement from the rows as they are now."""
    conn.execute(
        _new_post_statement(conn.dialect.name),
        {"post_id": post_id, "document_body": plain_text(body_html)},
    )


@functools.cache
def _new_post_statement(dialect_name: str):
    """Built once per dialect, its values bound at run time: building it cost more than
    running it, on every post (issue #17)."""
    opening = Post.parent_id.is_(None)
    rows = (
        select(
            case((opening, THREAD), else_=REPLY),
            Post.id,
            Post.thread_id,
            case((opening, Thread.title), else_=""),
            bindparam("document_body", type_=Text),
            case((opening, func.coalesce(Thread.stage, Post.stage)), else_=Post.stage),
            posts_for_members(),
            ~for_everyone_sql(),
            Post.created_at,
        )
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.id == bindparam("post_id"), Post.deleted_at.is_(None))
    )
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    statement = dialect.insert(_all_columns).from_select(
        [c.name for c in _all_columns.columns], rows
    )
    refreshed = ("thread_id", "title", "body", "stage", "visible", "members_only")
    return statement.on_conflict_do_update(
        index_elements=["kind", "ref_id"],
        set_={name: statement.excluded[name] for name in refreshed},
    )


def remove_posts(conn: Connection, post_ids: Iterable[int]) -> None:
    for chunk in _chunks(post_ids):
        conn.execute(
            _documents.delete().where(
                _documents.c.kind.in_((THREAD, REPLY)), _documents.c.ref_id.in_(chunk)
            )
        )


def refresh_threads(conn: Connection, thread_ids: Iterable[int]) -> None:
    """Recompute the visibility of every document of these threads, and rewrite their
    opening posts' (which carry the thread's title and stage)."""

    def of_post(clause):
        return (
            select(clause)
            .select_from(Post)
            .join(Thread, Thread.id == Post.thread_id)
            .where(Post.id == _documents.c.ref_id)
            .scalar_subquery()
        )

    visible, members_only = of_post(posts_for_members()), of_post(~for_everyone_sql())
    for chunk in _chunks(thread_ids):
        conn.execute(
            update(_documents)
            .where(
                _documents.c.thread_id.in_(chunk),
                _documents.c.kind.in_((THREAD, REPLY)),
                or_(
                    _documents.c.visible.is_distinct_from(visible),
                    _documents.c.members_only.is_distinct_from(members_only),
                ),
            )
            .values(visible=visible, members_only=members_only)
        )
        documents = _post_documents(conn, and_(Post.thread_id.in_(chunk), Post.parent_id.is_(None)))
        if documents:
            conn.execute(_UPSERT, documents)


def remove_threads(conn: Connection, thread_ids: Iterable[int]) -> None:
    for chunk in _chunks(thread_ids):
        conn.execute(
            _documents.delete().where(
                _documents.c.kind.in_((THREAD, REPLY)), _documents.c.thread_id.in_(chunk)
            )
        )


def _article_documents(conn: Connection, where) -> list[dict]:
    rows = conn.execute(
        select(
            GuideArticle.id,
            GuideArticle.title,
            GuideArticle.summary,
            GuideArticle.body_html,
            GuideArticle.published,
            GuideArticle.updated_at,
        ).where(where)
    )
    return [
        {
            "kind": GUIDE,
            "ref_id": row.id,
            "thread_id": None,
            "title": row.title,
            "body": f"{row.summary} {plain_text(row.body_html)}",
            "stage": None,
            "visible": bool(row.published),
            "members_only": False,
            "created_at": row.updated_at or utcnow(),
        }
        for row in rows
    ]


def write_articles(conn: Connection, article_ids: Iterable[int]) -> None:
    """Add or refresh the documents of these guide articles; a missing one's goes."""
    for chunk in _chunks(article_ids):
        documents = _article_documents(conn, GuideArticle.id.in_(chunk))
        remove_articles(conn, set(chunk) - {document["ref_id"] for document in documents})
        if documents:
            conn.execute(_UPSERT, documents)


def remove_articles(conn: Connection, article_ids: Iterable[int]) -> None:
    for chunk in _chunks(article_ids):
        conn.execute(
            _documents.delete().where(_documents.c.kind == GUIDE, _documents.c.ref_id.in_(chunk))
        )


# --- One object at a time, in the session's transaction (scripts and tests) ----------------


def index_post(post: Post) -> None:
    """Add or refresh one post (an opening post is indexed as its thread)."""
    db.session.flush()
    write_posts(db.session.connection(), [post.id])


def remove_post(post: Post) -> None:
    remove_posts(db.session.connection(), [post.id])


def refresh_thread(thread: Thread) -> None:
    """Recompute the visibility of every document of a thread, and the thread's title."""
    db.session.flush()
    refresh_threads(db.session.connection(), [thread.id])


def index_article(article: GuideArticle) -> None:
    db.session.flush()
    write_articles(db.session.connection(), [article.id])


def reindex(batch: int = 2000) -> int:
    """Rebuild the whole index from posts and guide articles; returns the document count."""
    db.session.flush()
    conn = db.session.connection()
    # On SQLite the delete trigger takes each row out of the FTS index as it goes.
    conn.execute(text("DELETE FROM search_documents"))
    last = 0
    while documents := _post_documents(conn, Post.id > last, limit=batch):
        conn.execute(_INSERT, documents)
        last = documents[-1]["ref_id"]
    write_articles(conn, conn.execute(select(GuideArticle.id)).scalars())
    if conn.dialect.name != "postgresql":
        conn.execute(text("INSERT INTO search_fts (search_fts) VALUES ('optimize')"))
    return conn.execute(text("SELECT COUNT(*) FROM search_documents")).scalar_one()


def clear_index(conn: Connection) -> None:
    """Empty the index (tests)."""
    conn.execute(text("DELETE FROM search_documents"))
