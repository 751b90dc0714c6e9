"""``flask --app forum bench seed|run``: the reproducible benchmark (issue #6)."""

import os
import sys
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import click
import flask_migrate
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from config import INSTANCE, ProductionConfig
from forum.bench import corpus, inprocess, runner
from forum.bench import pages as bench_pages
from forum.bench import seed as seeding
from forum.bench.fanout import measure_fanout
from forum.database import recreate_empty
from forum.extensions import db
from forum.models import Post, PostStatus, Thread

bench_group = click.Group("bench", help="Benchmark data and load tests.")
DEFAULT_URL = f"sqlite:///{INSTANCE / 'bench.db'}"

database_option = click.option(
    "--database-url",
    envvar="BENCH_DATABASE_URL",
    default=DEFAULT_URL,
    show_default=True,
    help="The benchmark's own database (never the test or the real one).",
)


def _normalise(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def _check_own_database(url: str) -> str:
    url = _normalise(url)
    forbidden = {
        os.environ.get("TEST_DATABASE_URL", ""),
        current_app.config["SQLALCHEMY_DATABASE_URI"],
    }
    if url in {_normalise(u) for u in forbidden if u}:
        raise click.UsageError(
            "That is the test or the forum's own database; give the benchmark a database of "
            "its own with --database-url or BENCH_DATABASE_URL."
        )
    return url


def _bench_app(url: str, *, loading: bool = False, **settings):
    from forum import create_app

    class BenchConfig(ProductionConfig):
        ENV_NAME = "bench"
        USE_DATABASE_URL = False
        SQLALCHEMY_DATABASE_URI = url
        SECRET_KEY = runner.BENCH_SECRET
        MAIL_BACKEND = "file"
        ACCESS_LOG = False
        # Loading the benchmark's own throwaway file needs no fsync per batch.
        SQLITE_SYNCHRONOUS = "OFF" if loading else "FULL"

    for name, value in settings.items():
        setattr(BenchConfig, name, value)
    return create_app(BenchConfig)


@contextmanager
def _progress(total: int):
    """A progress bar on a terminal; a line every tenth of the way in a log."""
    if sys.stdout.isatty():
        with click.progressbar(length=total, label="Posts", show_pos=True) as bar:
            yield bar.update
        return
    done, shown = 0, 0

    def advance(count: int) -> None:
        nonlocal done, shown
        done += count
        if done * 10 // total > shown or done >= total:
            shown = done * 10 // total
            click.echo(f"Posts: {done:,} of {total:,}")

    yield advance


@bench_group.command("seed")
@click.option("--threads", type=click.IntRange(1), default=50_000, show_default=True)
@click.option("--posts", type=click.IntRange(1), default=1_000_000, show_default=True)
@click.option("--seed", "seed_value", type=int, default=seeding.DEFAULT_SEED, show_default=True)
@click.option(
    "--journals",
    type=click.IntRange(0),
    default=20_000,
    show_default=True,
    help="Members keeping a treatment journal (at most the members seeded).",
)
@click.option(
    "--entries",
    type=click.IntRange(0),
    default=1_000_000,
    show_default=True,
    help="Journal entries in all.",
)
@database_option
@with_appcontext
def seed_command(threads, posts, seed_value, database_url, journals, entries):
    """Fill the benchmark database with synthetic threads, replies, members, reports and
    treatment journals."""
    url = _check_own_database(database_url)
    started = time.monotonic()
    recreate_empty(url)
    app = _bench_app(url, loading=True)
    with app.app_context():
        flask_migrate.upgrade()
        from forum.cli import SHIPPED_DATA_LOADERS

        for loader in SHIPPED_DATA_LOADERS:
            loader()
        db.session.commit()
        with _progress(posts) as advance:
            report = seeding.seed(
                threads=threads,
                posts=posts,
                seed_value=seed_value,
                progress=advance,
                journals=journals,
                entries=entries,
            )
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    minutes, seconds = divmod(int(time.monotonic() - started), 60)
    click.echo(
        f"Seeded {report.posts:,} posts in {report.threads:,} threads by {report.users:,} "
        f"members in {minutes}m{seconds:02d}s into {make_url(url).render_as_string()}."
    )
    click.echo(
        f"25-reply thread: {report.small_thread}; threads of 500+ replies: "
        f"{len(report.big_threads)} (a chain {seeding.CHAIN_DEPTH} deep in {report.chain_thread})."
    )
    click.echo(f"Journals: {report.journals:,} holding {report.entries:,} entries.")


def _has_data(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return bool(conn.scalar(text("SELECT COUNT(*) FROM threads")))
    except Exception:
        return False
    finally:
        engine.dispose()


def _targets(url: str) -> dict:
    app = _bench_app(url)
    with app.app_context():
        visible = Thread.status == PostStatus.VISIBLE
        small = db.session.scalar(
            select(Thread.id).where(visible, Thread.reply_count == 25).order_by(Thread.id)
        )
        big = db.session.scalar(
            select(Thread.id)
            .where(visible, Thread.reply_count >= seeding.BIG_THREAD_MIN)
            .order_by(Thread.reply_count)
        )
        post_thread = db.session.scalar(
            select(Thread.id)
            .where(visible, Thread.reply_count.between(5, 15), Thread.locked.is_(False))
            .order_by(Thread.id.desc())
        )
        posts = db.session.scalar(select(func.count(Post.id)))
        long_tail_ids = bench_pages.public_thread_ids()
    if not (small and big and post_thread):
        raise click.ClickException("The benchmark database has no data: run `bench seed`.")
    return {
        "small_thread": small,
        "big_thread": big,
        "post_thread": post_thread,
        "tag": "dryness",
        "rare": corpus.RARE_TERM,
        "medium": corpus.MEDIUM_TERM,
        "common": corpus.COMMON_TERM,
        "posts": posts,
        "long_tail_ids": long_tail_ids,
    }


@bench_group.command("run")
@database_option
@click.option("--redis-url", envvar="BENCH_REDIS_URL", default="", help="Redis for the app.")
@click.option("--workers", type=click.IntRange(1), default=2, show_default=True)
@click.option("--seconds", type=click.IntRange(1), default=10, show_default=True)
@click.option("--connections", type=click.IntRange(1), default=8, show_default=True)
@click.option("--wrk-threads", type=click.IntRange(1), default=2, show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=None)
@click.option(
    "--seed-threads",
    type=click.IntRange(1),
    default=50_000,
    show_default=True,
    help="Threads to seed when the database is empty.",
)
@click.option(
    "--seed-posts",
    type=click.IntRange(1),
    default=1_000_000,
    show_default=True,
    help="Posts to seed when the database is empty.",
)
@click.pass_context
@with_appcontext
def run_command(
    ctx, database_url, redis_url, workers, seconds, connections, wrk_threads, out, **seed_size
):
    """Serve the benchmark database under gunicorn, load each page with wrk, print a table.

    An empty or missing benchmark database is seeded first (--seed-threads, --seed-posts).
    """
    url = _check_own_database(database_url)
    if not _has_data(url):
        ctx.invoke(
            seed_command,
            threads=seed_size["seed_threads"],
            posts=seed_size["seed_posts"],
            seed_value=seeding.DEFAULT_SEED,
            database_url=database_url,
        )
    else:
        # A database seeded by an older checkout gets this one's schema (new indexes
        # included), so the figures are this code's.
        with _bench_app(url).app_context():
            flask_migrate.upgrade()
    targets = _targets(url)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out = out or Path("bench-results") / f"bench-{stamp}.json"
    click.echo(
        f"{targets['posts']:,} posts in {make_url(url).get_backend_name()}, {workers} workers, "
        f"wrk -t{wrk_threads} -c{connections} -d{seconds}s --latency"
        f"{', Redis' if redis_url else ', no Redis'}"
    )
    results = runner.run(
        database_url=url,
        targets=targets,
        redis_url=redis_url or None,
        workers=workers,
        seconds=seconds,
        connections=connections,
        threads=wrk_threads,
        out=out,
        echo=click.echo,
    )
    with _bench_app(url).app_context():
        # After the pages: one reply told to every watcher, in this process (issue #12).
        results.append(measure_fanout(targets["post_thread"]))
    click.echo("  measured the fan-out")
    click.echo("")
    click.echo(runner.table(results))
    click.echo(f"\nFigures saved to {out}.")


@bench_group.command("inprocess")
@database_option
@click.option("--requests", type=click.IntRange(1), default=1000, show_default=True)
@click.option(
    "--profile",
    "profiled",
    type=click.Choice(["home", "tag", "thread-25", "thread-500", "reply", "long-tail"]),
    default=None,
    help="Also profile this page or journey (cProfile, by cumulative time).",
)
@click.option("--top", type=click.IntRange(1), default=40, show_default=True)
@with_appcontext
def inprocess_command(database_url, requests, profiled, top):
    """Time the signed-in pages, a reply and the signed-out long tail inside this process
    (no gunicorn, no wrk)."""
    url = _check_own_database(database_url)
    targets = _targets(url)
    # Production settings, over plain HTTP to the test client, with no rate limits.
    app = _bench_app(
        url,
        BASE_URL="http://localhost",
        SESSION_COOKIE_SECURE=False,
        REMEMBER_COOKIE_SECURE=False,
        RATELIMIT_ENABLED=False,
    )
    timed = inprocess.journeys(app, inprocess.signed_in_client(app), targets)
    click.echo(f"{targets['posts']:,} posts in {make_url(url).get_backend_name()}, signed in")
    for name, mean_ms, answered in inprocess.time_pages(timed, requests):
        click.echo(f"{name:12} {mean_ms:7.3f} ms  ({answered})")
    if profiled:
        click.echo(inprocess.profile_page(timed[profiled], requests, top))
