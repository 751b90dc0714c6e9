"""``flask bench inprocess`` (issue #17): the signed-in pages timed in one process, as the
benchmark's member signed in through the form, each answered from the members' store;
then replies posted and the signed-out long tail."""

from click.testing import CliRunner

from tests.bench.test_seed import SIZE


def test_the_signed_in_pages_are_timed_and_one_is_profiled(app, tmp_path):
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    runner = CliRunner()
    seeded = runner.invoke(app.cli, ["bench", "seed", *SIZE, "--database-url", url])
    assert seeded.exit_code == 0, seeded.output
    args = ["bench", "inprocess", "--requests", "3", "--profile", "thread-25", "--top", "40"]
    result = runner.invoke(app.cli, [*args, "--database-url", url])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "posts in sqlite, signed in" in lines[0]
    for page in ("home", "tag", "thread-25", "thread-500"):
        [line] = [line for line in lines if line.startswith(page + " ")]
        assert line.endswith("ms  (shared)"), line  # a signed-in member's page, shared
    for journey in ("reply", "long-tail"):  # posted and redirected; rendered signed out
        [line] = [line for line in lines if line.startswith(journey + " ")]
        assert line.endswith("ms  (rendered)"), line
    assert "Ordered by: cumulative time" in result.output
    assert "member_page.py" in result.output  # the thread page's own view was profiled


def test_it_refuses_the_test_database(app):
    own = app.config["SQLALCHEMY_DATABASE_URI"]
    result = CliRunner().invoke(app.cli, ["bench", "inprocess", "--database-url", own])
    assert result.exit_code != 0 and "database of its own" in result.output
