"""The guide beside every experience (issue #11): the published articles on a thread's
topics, with their one-line summaries, so the guide is one click from every thread page.

Articles change rarely and every thread page shows them, so each process keeps all the
published articles' links in memory, by tag, and a thread page costs no query for them.
The copy follows the guide's edits through a generation number kept beside the page cache
(in Redis with REDIS_URL, else a stamp file under instance/ that every worker on the host
reads): a commit that added, changed or removed an article bumps it, and each process
loads the articles again (one query) the next time it is asked after a bump. The commit
hook below notices the articles in the flush, so no caller has to remember it.
"""

import logging
import re
import threading
from dataclasses import dataclass
from itertools import chain

from flask import has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from forum.extensions import db
from forum.generations import SharedGeneration
from forum.models import GuideArticle, guide_article_tags

log = logging.getLogger(__name__)

GENERATION_KEY = "forum:guide:generation"
STAMP_FILE = "guide.stamp"
CHANGED = "guide_articles_changed"
LOADED = "guide_articles_loaded"
# The first sentence of a summary, when it ends within this many characters.
ONE_LINE_MAX = 200
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


@dataclass(frozen=True)
class ArticleLink:
    slug: str
    title: str
    summary: str  # one line: the summary's first sentence
    order: tuple[int, str]


@dataclass(frozen=True)
class _Snapshot:
    generation: int | None
    by_tag: dict[int, tuple[ArticleLink, ...]]


_lock = threading.Lock()
_snapshot: _Snapshot | None = None


def one_line(summary: str) -> str:
    """The first sentence of an article's summary (the whole summary if it has one)."""
    summary = " ".join(summary.split())
    first = _SENTENCE_END.split(summary, maxsplit=1)[0]
    return first if len(first) <= ONE_LINE_MAX else summary


def articles_for_tags(tag_ids) -> list[ArticleLink]:
    """The published articles linked to any of these tags, once each, in guide order;
    from this process's copy, so no query unless the guide changed since it was loaded."""
    by_tag = _current().by_tag
    found = {link.slug: link for tag_id in tag_ids for link in by_tag.get(tag_id, ())}
    return sorted(found.values(), key=lambda link: link.order)


def _current() -> _Snapshot:
    global _snapshot
    generation = _read_generation()
    snapshot = _snapshot
    if snapshot is not None and (generation is None or snapshot.generation == generation):
        return snapshot
    with _lock:
        if _snapshot is None or _snapshot.generation != generation or generation is None:
            _snapshot = _Snapshot(generation, _load(db.session))
        return _snapshot


def _load(connection) -> dict[int, tuple[ArticleLink, ...]]:
    rows = connection.execute(
        select(
            guide_article_tags.c.tag_id,
            GuideArticle.slug,
            GuideArticle.title,
            GuideArticle.summary,
            GuideArticle.sort_order,
        )
        .join(GuideArticle, GuideArticle.id == guide_article_tags.c.article_id)
        .where(GuideArticle.published)
        .order_by(GuideArticle.sort_order, GuideArticle.title)
    )
    by_tag: dict[int, list[ArticleLink]] = {}
    for tag_id, slug, title, summary, sort_order in rows:
        link = ArticleLink(slug, title, one_line(summary or ""), (sort_order, title))
        by_tag.setdefault(tag_id, []).append(link)
    return {tag_id: tuple(links) for tag_id, links in by_tag.items()}


def forget_emptied_guide(_connection=None) -> None:
    """The guide's tables were just emptied (the test suite does between tests): keep an
    empty copy at the current generation, which needs no query."""
    global _snapshot
    with _lock:
        _snapshot = _Snapshot(_read_generation(), {})


# --- The generation shared by the workers ----------------------------------------------------

_GENERATION = SharedGeneration("guide", GENERATION_KEY, STAMP_FILE)
_read_generation = _GENERATION.read
_bump_generation = _GENERATION.bump


def _touches_articles(db_session) -> bool:
    changed = chain(db_session.new, db_session.dirty, db_session.deleted)
    return any(isinstance(obj, GuideArticle) for obj in changed)


@event.listens_for(Session, "after_flush")
def _note_article_changes(db_session, _flush_context):
    if _touches_articles(db_session):
        db_session.info[CHANGED] = True


@event.listens_for(Session, "before_commit")
def _load_before_commit(db_session):
    """Read the articles as this commit leaves them, in its own transaction: the request
    that changed the guide pays for the query, not the next reader of a thread page (and
    after the commit the session can run no SQL)."""
    if db_session.in_nested_transaction() or not has_app_context():
        return
    if not db_session.info.get(CHANGED) and not _touches_articles(db_session):
        return
    db_session.flush()
    if db_session.info.get(CHANGED):
        db_session.info[LOADED] = _load(db_session)


@event.listens_for(Session, "after_commit")
def _install_after_commit(db_session):
    global _snapshot
    if db_session.in_nested_transaction():
        return  # a savepoint: wait for the real commit
    changed = db_session.info.pop(CHANGED, False)
    by_tag = db_session.info.pop(LOADED, None)
    if not changed or not has_app_context():
        return
    with _lock:
        _bump_generation()
        # Another worker's change committed between the load and this read would be missed
        # until the next change; guide edits are an admin's, minutes apart.
        generation = _read_generation()
        _snapshot = None if by_tag is None else _Snapshot(generation, by_tag)


@event.listens_for(Session, "after_soft_rollback")
def _forget_changes(db_session, previous_transaction):
    if not previous_transaction.nested:  # a savepoint's rollback leaves the rest to commit
        db_session.info.pop(CHANGED, None)
        db_session.info.pop(LOADED, None)
