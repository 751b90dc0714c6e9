"""The search index on this database (SQLite FTS5, or PostgreSQL when TEST_DATABASE_URL)."""

import pytest

from forum.errors import ForumError
from forum.extensions import db
from forum.models import GuideArticle, PostStatus
from forum.search import backend
from forum.threads import services as thread_services
from tests.conftest import USING_PG
from tests.factories import make_post, make_thread, make_user, opening_post


def _find(q, **filters):
    return backend.search(backend.parse_query(q), **filters).hits


@pytest.fixture
def author(app):
    return make_user("writer")


def test_finds_threads_by_title_and_body_and_replies(author):
    thread = make_thread(
        author, title="Lips cracking in month two", body="Vaseline every hour helped."
    )
    make_post(thread, author, body="Aquaphor worked better than lanolin for me.")
    assert [h.kind for h in _find("cracking")] == ["thread"]
    assert [h.kind for h in _find("vaseline")] == ["thread"]
    hits = _find("aquaphor")
    assert [(h.kind, h.thread_title) for h in hits] == [("reply", "Lips cracking in month two")]


def test_stemming_matches_word_forms(author):
    make_thread(author, title="Dryness everywhere", body="My skin is so dry.")
    assert len(_find("drying")) == 1


def test_title_match_ranks_above_body_match(author):
    make_thread(author, title="Nothing relevant here", body="I had some nosebleeds in winter.")
    make_thread(author, title="Nosebleeds every morning", body="Started in the second month.")
    assert [h.title for h in _find("nosebleeds")][0] == "Nosebleeds every morning"


def test_snippet_highlights_and_escapes(author):
    make_thread(
        author, title="Markup test", body="The <b>nosebleeds</b> & <script>alert(1)</script> stop."
    )
    (hit,) = _find("nosebleeds")
    assert "<mark>nosebleeds</mark>" in hit.snippet_html
    assert "<script>" not in hit.snippet_html and "<b>" not in hit.snippet_html


def test_hidden_held_removed_and_deleted_content_never_appears(author):
    visible = make_thread(author, title="Visible zebra thread", body="zebra one")
    make_thread(author, title="Hidden zebra thread", body="zebra two", status=PostStatus.HIDDEN)
    make_thread(author, title="Held zebra thread", body="zebra three", status=PostStatus.PENDING)
    make_post(visible, author, body="removed zebra reply", status=PostStatus.REMOVED)
    deleted = make_post(visible, author, body="deleted zebra reply")
    thread_services.delete_post(deleted, author)
    backend.index_post(deleted)  # indexing it again must not bring it back
    assert [h.title for h in _find("zebra")] == ["Visible zebra thread"]


def test_refresh_thread_follows_moderation_of_the_opening_post(author):
    thread = make_thread(author, title="Quokka story", body="quokka")
    post = opening_post(thread)
    make_post(thread, author, body="a quokka reply")
    assert len(_find("quokka")) == 2
    thread.status = post.status = PostStatus.HIDDEN
    db.session.flush()
    backend.refresh_thread(thread)
    assert _find("quokka") == []
    thread.status = post.status = PostStatus.VISIBLE
    thread.title = "Quokka story, updated"
    db.session.flush()
    backend.refresh_thread(thread)
    hits = sorted((h.kind, h.title) for h in _find("quokka"))
    assert hits == [("reply", "Quokka story, updated"), ("thread", "Quokka story, updated")]


def test_filters_by_tag_and_stage(author):
    make_thread(
        author, title="Ointment notes", body="ointment", tags=("dryness",), stage="on_treatment"
    )
    make_thread(
        author, title="Ointment and mood", body="ointment", tags=("mood",), stage="finished"
    )
    assert [h.title for h in _find("ointment", tag="mood")] == ["Ointment and mood"]
    assert [h.title for h in _find("ointment", stage="on_treatment")] == ["Ointment notes"]
    assert _find("ointment", tag="mood", stage="on_treatment") == []


def test_guide_articles_are_found_and_unpublished_ones_are_not(app):
    article = GuideArticle(
        slug="dryness", title="Managing dryness", summary="Lips first.", body_html="<p>Balm</p>"
    )
    draft = GuideArticle(slug="draft", title="Draft balm", body_html="<p>Balm</p>", published=False)
    db.session.add_all([article, draft])
    db.session.flush()
    backend.index_article(article)
    backend.index_article(draft)
    assert [(h.kind, h.guide_slug) for h in _find("balm")] == [("guide", "dryness")]


def test_reindex_rebuilds_everything(author):
    thread = make_thread(author, title="Platypus", body="platypus body")
    make_post(thread, author, body="platypus reply")
    db.session.execute(db.text("DELETE FROM search_documents"))
    assert _find("platypus") == []
    assert backend.reindex() == 2
    assert len(_find("platypus")) == 2


def test_paging(author):
    for n in range(backend.PAGE_SIZE + 3):
        make_thread(author, title=f"Wombat {n}", body="wombat")
    first = backend.search(backend.parse_query("wombat"), page=1)
    second = backend.search(backend.parse_query("wombat"), page=2)
    assert len(first.hits) == backend.PAGE_SIZE and first.has_next
    assert len(second.hits) == 3 and not second.has_next
    assert not {h.ref_id for h in first.hits} & {h.ref_id for h in second.hits}


@pytest.mark.parametrize(
    "raw",
    [
        '"',
        '""',
        "dry AND OR NOT",
        "NEAR(dry lips)",
        "dry* ^lips",
        "title:dry",
        "'; DROP TABLE posts; --",
        "-",
        "- - -",
        "(((",
        "a" * 10_000,
        "\x00dry\x00",
        "😀 dry",
        "ドライ",
        "-dry",
        '"dry lips" -chapped OR',
    ],
)
def test_hostile_queries_never_fail(author, raw):
    make_thread(author, title="Dry lips", body="dry lips every day")
    query = backend.parse_query(raw)
    backend.search(query)  # must not raise
    assert len(query.text) <= backend.MAX_QUERY_CHARS + 2 * backend.MAX_TERMS


def test_phrases_and_exclusions(author):
    make_thread(author, title="Lips only", body="my dry lips")
    make_thread(author, title="Skin mostly", body="lips are fine but skin is dry and chapped")
    assert [h.title for h in _find('"dry lips"')] == ["Lips only"]
    assert [h.title for h in _find("dry -chapped")] == ["Lips only"]


def test_ranking_is_bounded_to_the_newest_candidates(author, monkeypatch):
    monkeypatch.setattr(backend, "CANDIDATES", 5)
    make_thread(author, title="Gecko in the title", body="an old post that mentions the gecko")
    for n in range(6):
        make_thread(author, title=f"Newer {n}", body="gecko gecko")
    hits = _find("gecko")
    # Only the five newest matches are ranked, so the old title match is left out.
    assert len(hits) == 5
    assert "Gecko in the title" not in [h.title for h in hits]


def test_results_stop_at_the_best_fifty(author):
    for n in range(backend.MAX_RESULTS + 5):
        make_thread(author, title=f"Newt {n}", body="newt")
    last_page = -(-backend.MAX_RESULTS // backend.PAGE_SIZE)
    page = backend.search(backend.parse_query("newt"), page=last_page)
    assert page.hits and not page.has_next
    assert backend.search(backend.parse_query("newt"), page=last_page + 1).hits == []


@pytest.mark.skipif(not USING_PG, reason="the statement timeout guards PostgreSQL searches")
def test_a_search_that_runs_too_long_is_stopped_with_a_message(app, author, monkeypatch):
    make_thread(author, title="Dry lips", body="dry lips")
    monkeypatch.setitem(app.config, "SEARCH_TIMEOUT_MS", 1)
    real_execute = db.session.execute

    def slow(statement, *args, **kwargs):
        if "candidates" in str(statement):
            real_execute(db.text("SELECT pg_sleep(0.05)"))
        return real_execute(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "execute", slow)
    with pytest.raises(ForumError) as caught:
        backend.search(backend.parse_query("dry"))
    assert caught.value.status == 503
    assert "took too long" in str(caught.value)
