"""The benchmark's seed (issue #6): a consistent forum, the same every time, never written
into the test database or the forum's own."""

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from forum.bench.runner import Result, table

SIZE = ("--threads", "120", "--posts", "2400", "--journals", "50", "--entries", "4000")


@pytest.fixture
def seeded(app, tmp_path):
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    result = CliRunner().invoke(app.cli, ["bench", "seed", *SIZE, "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "Seeded 2,400 posts in 120 threads" in result.output
    engine = create_engine(url)
    yield engine, result.output
    engine.dispose()


def scalar(engine, sql: str):
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def test_the_seed_is_a_consistent_forum(seeded):
    engine, output = seeded
    assert scalar(engine, "SELECT COUNT(*) FROM posts") == 2400
    assert scalar(engine, "SELECT COUNT(*) FROM threads") == 120
    # Every thread's counters and every node's child count match its rows.
    assert (
        scalar(
            engine,
            "SELECT COUNT(*) FROM threads t WHERE reply_count <>"
            " (SELECT COUNT(*) FROM posts p WHERE p.thread_id = t.id AND p.parent_id IS NOT NULL)",
        )
        == 0
    )
    assert (
        scalar(
            engine,
            "SELECT COUNT(*) FROM posts p WHERE p.parent_id IS NOT NULL AND child_count <>"
            " (SELECT COUNT(*) FROM posts c WHERE c.parent_id = p.id)",
        )
        == 0
    )
    # An opening post's replies are numbered by its thread.
    assert (
        scalar(
            engine,
            "SELECT COUNT(*) FROM threads t WHERE top_level_count <> (SELECT COUNT(*)"
            " FROM posts p WHERE p.thread_id = t.id AND p.depth = 1)",
        )
        == 0
    )
    assert scalar(engine, "SELECT MAX(child_count) FROM posts WHERE parent_id IS NULL") == 0
    assert scalar(engine, "SELECT COUNT(DISTINCT thread_id || ':' || path) FROM posts") == 2400
    # Some threads of 500+ replies, one with a chain 50 deep.
    assert scalar(engine, "SELECT MAX(reply_count) FROM threads") >= 500
    assert scalar(engine, "SELECT MAX(depth) FROM posts") >= 50
    # Everything is searchable, and the search index knows what is hidden.
    assert scalar(engine, "SELECT COUNT(*) FROM search_documents WHERE kind <> 'guide'") == 2400
    assert scalar(engine, "SELECT COUNT(*) FROM search_fts WHERE search_fts MATCH 'dry'") > 100
    assert scalar(engine, "SELECT COUNT(*) FROM review_items") >= 3


def test_the_seed_keeps_treatment_journals_within_their_courses(seeded):
    engine, output = seeded
    assert "Journals: 50 holding 4,000 entries." in output
    assert scalar(engine, "SELECT COUNT(*) FROM journal_entries") == 4000
    assert scalar(engine, "SELECT COUNT(DISTINCT user_id) FROM journal_entries") == 50
    # Every entry lies inside its member's course, and every journal has its dose periods.
    outside = (
        "SELECT COUNT(*) FROM journal_entries e JOIN users u ON u.id = e.user_id"
        " WHERE e.day < u.course_start OR e.day > COALESCE(u.course_end, DATE('now'))"
    )
    assert scalar(engine, outside) == 0
    assert (
        scalar(
            engine,
            "SELECT COUNT(*) FROM journals j WHERE NOT EXISTS"
            " (SELECT 1 FROM journal_dose_periods p WHERE p.user_id = j.user_id"
            " AND p.starts_on = (SELECT course_start FROM users WHERE id = j.user_id))",
        )
        == 0
    )
    # Contributors and shared journals, private ones, and ratings that vary.
    assert scalar(engine, "SELECT COUNT(DISTINCT visibility) FROM journals") == 3
    assert 0 < scalar(engine, "SELECT COUNT(*) FROM users WHERE contribute") < 50
    assert scalar(engine, "SELECT COUNT(DISTINCT skin) FROM journal_entries") == 5
    assert 0 < scalar(engine, "SELECT AVG(se_dry_lips > 0) FROM journal_entries") < 1
    assert scalar(engine, "SELECT COUNT(*) FROM journal_checkins WHERE answered_at IS NOT NULL")


def test_the_seeded_journals_feed_the_statistics(seeded, app):
    from forum.bench.commands import _bench_app
    from forum.journals.aggregate import aggregate, load_stats

    engine, _ = seeded
    bench = _bench_app(engine.url.render_as_string(hide_password=False))
    with bench.app_context():
        assert aggregate() > 0
        stats = load_stats()
        month_one = stats.series("dry_lips").cells[0]
        assert month_one.n >= 10 and 0 < month_one.value <= 1


def test_the_same_arguments_give_the_same_forum(seeded, app, tmp_path):
    engine, _ = seeded
    again = f"sqlite:///{tmp_path / 'again.db'}"
    CliRunner().invoke(app.cli, ["bench", "seed", *SIZE, "--database-url", again])
    digest = "SELECT SUM(id * 31 + LENGTH(path) + depth + author_id) FROM posts"
    journal_digest = (
        "SELECT SUM(id * 7 + user_id + skin * 3 + mood + se_dry_lips + se_low_mood) "
        "FROM journal_entries"
    )
    other = create_engine(again)
    try:
        assert scalar(engine, digest) == scalar(other, digest)
        assert scalar(engine, journal_digest) == scalar(other, journal_digest)
    finally:
        other.dispose()


def test_the_seed_refuses_the_test_and_the_forums_own_database(app):
    runner = CliRunner()
    own = app.config["SQLALCHEMY_DATABASE_URI"]
    result = runner.invoke(app.cli, ["bench", "seed", "--posts", "10", "--database-url", own])
    assert result.exit_code != 0
    assert "give the benchmark a database of its own" in result.output


def test_the_table_shows_each_page_against_the_limit():
    rows = [
        Result("home", "/", 900.0, 2.0, 8.5, 3, 95.0, 0, 0.5),
        Result("limit", "/", 1800.0, 1.0, 3.0, 0, 27.0, 0, 1.0),
    ]
    printed = table(rows)
    assert printed.splitlines()[0].split() == [
        "page", "req/s", "p50", "ms", "p99", "ms", "queries", "worker", "MB", "of", "limit",
        "errors",
    ]  # fmt: skip
    assert "50%" in printed and "100%" in printed and "8.5" in printed
