"""Fixtures: one migrated database per run, emptied between tests."""

import atexit
import contextlib
import os
import shutil
import tempfile

# Each run gets its own instance folder (cache and generation stamps), so two suites running
# side by side, as CI runs SQLite and PostgreSQL, never bump each other's stamps. Set before
# config is imported, which reads it.
if "INSTANCE_PATH" not in os.environ:
    os.environ["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="forum-test-instance-")
    atexit.register(shutil.rmtree, os.environ["INSTANCE_PATH"], ignore_errors=True)

import flask_migrate
import pytest
from flask import g
from flask_login import FlaskLoginClient
from sqlalchemy import event, inspect, select
from sqlalchemy.engine import make_url

from config import TestingConfig
from forum import create_app
from forum.auth.sessions import create_session
from forum.database import TRANSACTION
from forum.extensions import db, limiter
from forum.guide import aside as guide_aside
from forum.journals import stats_cache as journal_stats
from forum.models import Role, Tag
from forum.search import backend as search_backend
from forum.tags.services import load_shipped_tags
from tests.factories import make_user

USING_PG = make_url(TestingConfig.SQLALCHEMY_DATABASE_URI).get_backend_name() == "postgresql"


def _require(flag: str) -> bool:
    return os.environ.get(flag) == "1"


@pytest.fixture(scope="session")
def app():
    app = create_app(TestingConfig)

    def forget_previous_user():
        # Test requests run inside the test's app context and so share its ``g``, where
        # Flask-Login caches the user and Flask-WTF the CSRF token: drop them, as a real
        # request starts without them.
        g.pop("_login_user", None)
        g.pop("csrf_token", None)

    app.before_request_funcs.setdefault(None, []).insert(0, forget_previous_user)
    with app.app_context():
        if USING_PG:
            _reset_postgres_schema()
        else:
            db.engine.dispose()
            path = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
            for suffix in ("", "-wal", "-shm"):
                if path and os.path.exists(path + suffix):
                    os.remove(path + suffix)
        flask_migrate.upgrade()
        guide_aside.forget_emptied_guide()
        journal_stats.forget_emptied_stats()
        yield app
        db.session.remove()
        db.engine.dispose()


def _reset_postgres_schema() -> None:
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")


@pytest.fixture(autouse=True)
def clean_tables(app):
    with app.app_context():
        yield
        db.session.remove()
        with db.engine.begin() as conn:
            empty_model_tables(conn)
            clear_extra_tables(conn)
    limiter.reset()
    app.extensions.get("mail_outbox", []).clear()
    # Ids are reused once the tables are emptied: nothing rendered for one test may be
    # found by the next (the reply trees shared by members live in this store).
    app.extensions["page_cache"].purge()


def empty_model_tables(conn) -> None:
    """Delete every model table's rows, children first. PostgreSQL takes the DELETEs in one
    round trip (a quarter of the time of one each, after every test)."""
    tables = reversed(db.metadata.sorted_tables)
    deletes = [str(table.delete().compile(dialect=conn.dialect)) for table in tables]
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(";".join(deletes))
    else:  # sqlite3 runs one statement per call
        for delete in deletes:
            conn.exec_driver_sql(delete)


# Tables outside the models (the search index) are emptied by these functions.
EXTRA_TABLE_CLEANERS = [
    search_backend.clear_index,
    guide_aside.forget_emptied_guide,
    journal_stats.forget_emptied_stats,
]


def clear_extra_tables(conn) -> None:
    for cleaner in EXTRA_TABLE_CLEANERS:
        cleaner(conn)


@pytest.fixture
def make_app(app):
    """Build another app instance on the suite's database, with some settings changed.

    Flask-Limiter keeps one storage per Limiter object, and every ``init_app`` replaces it;
    the shared limiter is put back afterwards so later tests count in the suite's storage.
    """
    saved = dict(vars(limiter))
    extras = []

    def factory(base: type = TestingConfig, **settings):
        config = type(
            "ExtraConfig",
            (base,),
            {
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                **settings,
            },
        )
        extra = create_app(config)
        extras.append(extra)
        return extra

    yield factory
    for extra in extras:
        with extra.app_context():
            db.session.remove()
            db.engine.dispose()
    vars(limiter).clear()
    vars(limiter).update(saved)


def outbox(app) -> list:
    """Messages sent with MAIL_BACKEND=memory (emptied after each test)."""
    return app.extensions.setdefault("mail_outbox", [])


@pytest.fixture
def database(app):
    return db


@pytest.fixture
def shipped_tags(app) -> list[Tag]:
    """The tags the forum ships with, loaded and committed; in their display order."""
    load_shipped_tags()
    db.session.commit()
    return list(db.session.scalars(select(Tag).order_by(Tag.sort_order, Tag.slug)))


@pytest.fixture
def client(app):
    return app.test_client()


def login(client, user, *, remember: bool = False):
    """Sign ``user`` in on ``client`` the way the login form does: a server-side session."""
    # The identity needs no query: ``client`` may belong to another app instance, whose
    # context would send a lazy load of an expired ``user`` to that app's engine (and on
    # SQLite, a load in the test's own session would hold the write lock).
    [user_id] = inspect(user).identity
    with client.application.test_request_context():
        target = db.session.get(type(user), user_id)
        create_session(target, remember=remember, user_agent="pytest")
        db.session.commit()
        token = target.session_token
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    # Requests reuse the test's app context, so Flask-Login's cached user (in g) would
    # outlive a switch of user within one test.
    g.pop("_login_user", None)
    return client


@pytest.fixture
def member(app):
    user = make_user("member1")
    db.session.commit()
    return user


@pytest.fixture
def other_member(app):
    user = make_user("member2")
    db.session.commit()
    return user


@pytest.fixture
def unverified(app):
    user = make_user("newbie", verified=False)
    db.session.commit()
    return user


@pytest.fixture
def moderator(app):
    user = make_user("mod1", role=Role.MODERATOR)
    db.session.commit()
    return user


@pytest.fixture
def admin(app):
    user = make_user("admin1", role=Role.ADMIN)
    db.session.commit()
    return user


@pytest.fixture
def banned_user(app):
    user = make_user("banned1", status="banned", status_reason="Spam.")
    db.session.commit()
    return user


@pytest.fixture
def member_client(client, member):
    return login(client, member)


class QueryLog:
    """The SQL statements one block ran (transaction control such as BEGIN left out)."""

    SKIP = TRANSACTION  # what the X-Query-Count header leaves out too

    def __init__(self):
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)

    @property
    def count(self) -> int:
        return len(self.statements)

    def __str__(self) -> str:
        return "\n".join(f"{n}. {s}" for n, s in enumerate(self.statements, 1))


@pytest.fixture
def count_queries(app):
    """``with count_queries() as log: ...`` then ``log.count``. Requests share the test's
    session, so everything in it is expired first: nothing is served from objects the test
    itself loaded."""

    @contextlib.contextmanager
    def counting():
        db.session.commit()
        db.session.expire_all()
        log = QueryLog()

        def record(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(QueryLog.SKIP):
                log.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield log
        finally:
            event.remove(db.engine, "before_cursor_execute", record)

    return counting


__all__ = ["FlaskLoginClient", "USING_PG", "login", "outbox"]
