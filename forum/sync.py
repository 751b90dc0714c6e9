"""The page cache and the search index follow the data by themselves (issue #10).

Nothing calls a purge or an indexer after a write any more. Listeners on the session see
every change made through it to a Post, Thread, Tag or GuideArticle row, and to which tags
a thread or article carries:

- ``after_flush``: the search documents of what changed are written at once, in the same
  transaction, through the session's connection (so a rollback takes them back too), and
  the session is marked for a page cache purge (``forum.cache.mark_for_purge``), which
  happens only after the commit;
- ``do_orm_execute``: an UPDATE or DELETE statement run through the session on those tables
  (they bypass the objects) is treated the same way, for the rows it matches.

Which changes purge, as before: a change readers would see at once (text, status, title,
lock, tags, a tag's name, a guide article) purges; a new thread or reply does not (readers
may see it up to ANON_CACHE_SECONDS late, its author sees it at once), nor any change to a
row made in the same transaction (no reader saw it yet), nor the counters kept in SQL on
every reply and helpful mark. Every new, changed or deleted post, thread or article
reaches search at once.

Writes that go around the session (``db.engine.begin()``) are not seen: use the session.
"""

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from forum import cache
from forum.extensions import db
from forum.models import GuideArticle, Post, Tag, Thread, thread_tags
from forum.models.guide import guide_article_tags
from forum.search import index

KINDS = {Post: "post", Thread: "thread", Tag: "tag", GuideArticle: "guide"}
TABLES = {
    Post.__table__.name: "post",
    Thread.__table__.name: "thread",
    Tag.__table__.name: "tag",
    GuideArticle.__table__.name: "guide",
    thread_tags.name: "thread_tags",
    guide_article_tags.name: "guide_tags",
}
# Kept up to date in SQL on every reply and helpful mark: the page shows them, but a
# signed-out reader may see them ANON_CACHE_SECONDS late, and no search document holds them.
# ``fanout_due`` is no counter, but likewise changes nothing anybody reads.
COUNTERS = frozenset(
    {
        "helpful_count",
        "child_count",
        "top_level_count",
        "reply_count",
        "last_activity_at",
        "fanout_due",
    }
)
# What the search documents are made of, beside the row's being there at all.
SEARCHED = {
    "post": frozenset(
        {"body_html", "status", "deleted_at", "stage", "parent_id", "thread_id", "thread"}
    ),
    "thread": frozenset({"title", "status", "stage", "visibility"}),
    "guide": frozenset({"title", "summary", "body_html", "published", "updated_at"}),
    "tag": frozenset(),
}
INDEXED = frozenset({"post", "thread", "guide"})  # the kinds with search documents
# A new thread is indexed with its opening post, a new tag has no document.
INDEXED_WHEN_NEW = frozenset({"post", "guide"})
# Readers see a new guide article at once (the guide is small and edited rarely).
PURGED_WHEN_NEW = frozenset({"guide"})
CREATED = "sync_created"  # (kind, id) of the rows inserted in this transaction


class _Changes:
    """What one flush or statement changed: the documents to write, the purge keys."""

    def __init__(self):
        self.posts: set[int] = set()
        self.removed_posts: set[int] = set()
        self.threads: set[int] = set()
        self.removed_threads: set[int] = set()
        self.articles: set[int] = set()
        self.purges: set[str] = set()
        # Posts inserted by this flush, with the HTML just written: one statement each.
        self.new_posts: dict[int, str] = {}

    def index(self, kind: str, ident: int) -> None:
        {"post": self.posts, "thread": self.threads, "guide": self.articles}[kind].add(ident)

    def remove(self, kind: str, ident: int) -> None:
        if kind == "post":
            self.removed_posts.add(ident)
        elif kind == "thread":
            self.removed_threads.add(ident)
        elif kind == "guide":
            self.articles.add(ident)  # written again: a missing article's document goes

    def write(self, session: Session) -> None:
        if self.purges:
            cache.mark_for_purge(session, *self.purges)
        documents = (
            self.posts,
            self.removed_posts,
            self.threads,
            self.removed_threads,
            self.articles,
            self.new_posts,
        )
        if not any(documents):
            return
        conn = session.connection()
        for post_id, body_html in self.new_posts.items():
            if post_id not in self.posts | self.removed_posts:
                index.write_new_post(conn, post_id, body_html)
        if self.removed_threads:
            index.remove_threads(conn, self.removed_threads)
        if self.removed_posts:
            index.remove_posts(conn, self.removed_posts)
        if self.posts - self.removed_posts:
            index.write_posts(conn, self.posts - self.removed_posts)
        if self.threads - self.removed_threads:
            index.refresh_threads(conn, self.threads - self.removed_threads)
        if self.articles:
            index.write_articles(conn, self.articles)


def _changed_keys(obj) -> set[str]:
    """The attributes of ``obj`` set since it was loaded, collections included."""
    state = inspect(obj)
    return {attr.key for attr in state.attrs if attr.history.has_changes()}


def _after_flush(session: Session, _flush_context) -> None:
    # The new, dirty and deleted sets and each attribute's history still show what this
    # flush wrote; the new rows have their ids.
    changes = _Changes()
    created = session.info.setdefault(CREATED, set())
    for obj in session.new:
        kind = KINDS.get(type(obj))
        if kind is None:
            continue
        created.add((kind, obj.id))
        if kind == "post":
            changes.new_posts[obj.id] = obj.body_html
        elif kind in INDEXED_WHEN_NEW:
            changes.index(kind, obj.id)
        if kind in PURGED_WHEN_NEW:
            changes.purges.add(f"{kind}:{obj.id}")
    for obj in session.dirty:
        kind = KINDS.get(type(obj))
        if kind is None:
            continue
        keys = _changed_keys(obj) - COUNTERS
        if not keys:
            continue
        if keys & SEARCHED[kind]:
            changes.index(kind, obj.id)
        if (kind, obj.id) not in created:
            changes.purges.add(f"{kind}:{obj.id}")
    for obj in session.deleted:
        kind = KINDS.get(type(obj))
        if kind is None:
            continue
        changes.remove(kind, obj.id)
        if (kind, obj.id) not in created:
            changes.purges.add(f"{kind}:{obj.id}")
    changes.write(session)


def _bulk_statement(state):
    """An UPDATE or DELETE on a watched table, run through the session: index and purge
    the rows it matches, unless it only moves counters."""
    if not (state.is_update or state.is_delete):
        return None
    statement = state.statement
    kind = TABLES.get(getattr(getattr(statement, "table", None), "name", None))
    if kind is None:
        return None
    if kind not in INDEXED:
        # A tag, or which tags a thread or article carries: no document holds them.
        result = state.invoke_statement()
        cache.mark_for_purge(state.session, kind)
        return result
    many = isinstance(state.parameters, list)
    columns: set[str] = set()
    if state.is_update:
        if many:  # an UPDATE by primary key, one set of values per row
            columns = {key for params in state.parameters for key in params} - {"id"}
        else:
            # The statement's SET clause; SQLAlchemy has no public name for it.
            columns = {getattr(c, "key", c) for c in getattr(statement, "_values", None) or ()}
        if columns and columns <= COUNTERS:
            return None
    if many:
        ids = [params["id"] for params in state.parameters if "id" in params]
    else:
        query = select(statement.table.c.id)
        if statement.whereclause is not None:
            query = query.where(statement.whereclause)
        ids = list(state.session.connection().execute(query, state.parameters).scalars())
    result = state.invoke_statement()
    changes = _Changes()
    created = state.session.info.get(CREATED, ())
    for ident in ids:
        if state.is_delete:
            changes.remove(kind, ident)
        elif not columns or columns & SEARCHED[kind]:
            changes.index(kind, ident)
        if (kind, ident) not in created:
            changes.purges.add(f"{kind}:{ident}")
    changes.write(state.session)
    return result


def _forget_created(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(CREATED, None)


_LISTENERS = {
    "after_flush": _after_flush,
    "do_orm_execute": _bulk_statement,
    "after_transaction_end": _forget_created,
}


def init_app(_app) -> None:
    """Listen to the session; once, since every app shares ``db.session``."""
    for name, listener in _LISTENERS.items():
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
