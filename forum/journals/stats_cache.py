"""The community statistics as each process keeps them (issue #14).

The statistics change only when ``aggregate`` runs (hourly), yet every tag page and guide
article that names a measure shows them. So each process keeps the whole table in memory and
those pages cost no query for it. The copy follows ``aggregate`` the way the guide beside the
threads follows the guide's edits (``forum.guide.aside``): a generation number kept beside the
page cache (in Redis with REDIS_URL, else a stamp file under instance/ that every worker on
the host reads). The commit that wrote new statistics bumps it and keeps the rows it wrote
as this process's copy; another process loads the table again (one query) the next time it is
asked after a bump.
"""

import logging
import threading
from dataclasses import dataclass
from types import SimpleNamespace

from flask import has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from forum.generations import SharedGeneration
from forum.journals.aggregate import Stats, load_stats

log = logging.getLogger(__name__)

GENERATION_KEY = "forum:journals:stats:generation"
STAMP_FILE = "journal-stats.stamp"
WRITTEN = "journal_stats_written"  # session.info: the rows ``aggregate`` wrote


@dataclass(frozen=True)
class _Snapshot:
    generation: int | None
    stats: Stats


_lock = threading.Lock()
_snapshot: _Snapshot | None = None


def cached_stats() -> Stats:
    """The statistics: this process's copy while it is current, else one query."""
    global _snapshot
    generation = _read_generation()
    with _lock:
        current = _snapshot
    if current is not None and (generation is None or current.generation == generation):
        return current.stats
    stats = load_stats()
    with _lock:
        _snapshot = _Snapshot(generation, stats)
    return stats


def note_written(session, rows: list[dict]) -> None:
    """``aggregate`` replaced the table with ``rows`` in ``session``'s transaction."""
    session.info[WRITTEN] = rows


def forget_emptied_stats(_connection=None) -> None:
    """The statistics table was just emptied (the test suite does between tests): keep an
    empty copy at the current generation, which needs no query."""
    global _snapshot
    with _lock:
        _snapshot = _Snapshot(_read_generation(), Stats([]))


# --- The generation shared by the workers ----------------------------------------------------

_GENERATION = SharedGeneration("journal statistics", GENERATION_KEY, STAMP_FILE)
_read_generation = _GENERATION.read
_bump_generation = _GENERATION.bump


@event.listens_for(Session, "after_commit")
def _publish_after_commit(db_session):
    global _snapshot
    rows = db_session.info.pop(WRITTEN, None)
    if rows is None or not has_app_context():
        return
    _bump_generation()
    stats = Stats([SimpleNamespace(**row) for row in rows])
    with _lock:
        _snapshot = _Snapshot(_read_generation(), stats)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(db_session):
    db_session.info.pop(WRITTEN, None)
