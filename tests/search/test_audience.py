"""The search index keeps each thread's audience (issues #13 and #18)."""

import importlib.util
from pathlib import Path

from forum.extensions import db
from forum.models import Audience
from forum.threads import services as threads
from forum.threads.audience import set_audience
from tests.factories import make_post, make_thread, make_user, set_post_status

MIGRATION = Path(__file__).parents[2] / "migrations/versions/16_0020_search_audience.py"


def _documents() -> set[tuple]:
    rows = db.session.execute(
        db.text(
            "SELECT kind, ref_id, visible, members_only FROM search_documents"
            " WHERE kind IN ('thread', 'reply')"
        )
    )
    return {(row.kind, row.ref_id, bool(row.visible), bool(row.members_only)) for row in rows}


def _forum():
    author = make_user("writer")
    closed = make_thread(author, title="For members", body="Quiet story.")
    set_audience(closed, Audience.MEMBERS)
    kept = make_post(closed, make_user("replier"), body="A kind reply.")
    hidden = make_post(closed, author, body="A reply that gets hidden.")
    set_post_status(hidden, "hidden")
    public = make_thread(author, title="Open story", body="Dry lips.")
    db.session.commit()
    return closed, kept, hidden, public


def test_documents_say_who_may_find_them_and_follow_the_audience(app):
    closed, kept, hidden, public = _forum()
    opening = threads.opening_post(closed).id
    assert _documents() == {
        ("thread", opening, True, True),
        ("reply", kept.id, True, True),
        ("reply", hidden.id, False, True),
        ("thread", threads.opening_post(public).id, True, False),
    }
    set_audience(closed, Audience.EVERYONE, confirmed=True)
    db.session.commit()
    assert ("reply", kept.id, True, False) in _documents()


def test_the_migration_computes_what_the_index_writes(app):
    _forum()
    written = _documents()
    db.session.execute(db.text("UPDATE search_documents SET visible = true, members_only = false"))
    spec = importlib.util.spec_from_file_location("search_audience", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    db.session.execute(db.text(migration.RECOMPUTE))
    assert _documents() == written
