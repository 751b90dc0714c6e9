"""`flask demo load` (issue #11): a newcomer's empty development database becomes a forum
with every feature to look at, through the same services members use."""

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from config import DevelopmentConfig, ProductionConfig
from forum.demo.samples import HELD, SAMPLES, STORIES, Reply
from forum.extensions import db
from forum.models import HelpfulMark, Post, Report, ReviewItem, Thread, User
from forum.moderation.crisis import find_crisis_phrase
from tests.factories import make_user

FAST_HASH = "pbkdf2:sha256:1"  # noqa: S105 - a hash method name


@pytest.fixture
def dev_app(make_app, monkeypatch):
    for name in ("BASE_URL", "HOST", "PORT", "FLASK_RUN_HOST", "FLASK_RUN_PORT"):
        monkeypatch.delenv(name, raising=False)
    return make_app(
        DevelopmentConfig,
        USE_DATABASE_URL=False,
        SECRET_KEY="development-test-key",
        MAIL_BACKEND="memory",
        WTF_CSRF_ENABLED=False,
        RATELIMIT_STORAGE_URI="memory://",
        ANON_CACHE_SECONDS=0,
        TREE_CACHE_SECONDS=0,
        PASSWORD_HASH_METHOD=FAST_HASH,
    )


def demo_load(app, *args):
    db.session.commit()  # the test's own reads hold no lock while the command writes
    # The test runs inside the suite's app context, which the command would otherwise use.
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo", "load", *args])
        db.session.remove()
    db.session.expire_all()
    return result


def printed_password(output: str, username: str) -> str:
    match = re.search(rf"^\s*{username}\s+\w+\s+password: (\S+)$", output, re.M)
    assert match, output
    return match.group(1)


def sign_in(client, username, password):
    return client.post("/login", data={"login": username, "password": password})


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def walk(replies: tuple[Reply, ...]):
    for reply in replies:
        yield reply
        yield from walk(reply.replies)


def test_demo_load_fills_an_empty_database_with_a_forum_to_explore(dev_app):
    result = demo_load(dev_app)
    assert result.exit_code == 0, result.output
    assert "Sample data loaded: 10 members, 7 threads" in result.output
    assert "http://127.0.0.1:5000/login" in result.output
    for where in ("/mod/queue", "/mod/log", "/guide/<slug>/edit", "users set-role"):
        assert where in result.output

    client = dev_app.test_client()
    home = unescape(client.get("/").text)
    for story in STORIES:
        assert story.title in home
    assert HELD.title not in home  # the newcomer's first post waits for a moderator
    assert "sample_ana" in home

    lips = db.session.scalar(select(Thread).where(Thread.title == STORIES[0].title))
    page = unescape(client.get(f"/t/{lips.id}").text)
    deepest = STORIES[0].replies[0].replies[0].replies[0]
    assert deepest.body in page
    post = db.session.scalar(select(Post).where(Post.body == deepest.body))
    assert post.depth == 3
    assert "Month 3 · 40 mg/day" in page  # the author's course, on her post
    assert lips.helpful_count == 3
    db.session.commit()  # the test's reads end before the requests below write

    password = printed_password(result.output, "sample_moderator")
    assert sign_in(client, "sample_moderator", password).status_code == 302
    queue = unescape(client.get("/mod/queue").text)
    assert "Honestly the blood tests are box-ticking" in queue
    assert HELD.title in queue
    admin = dev_app.test_client()
    assert (
        sign_in(admin, "sample_admin", printed_password(result.output, "sample_admin")).status_code
        == 302
    )
    assert admin.get("/guide/managing-dryness/edit").status_code == 200

    assert count(Report) == 1
    assert db.session.scalar(select(func.count()).where(ReviewItem.is_crisis)) == 0
    assert count(HelpfulMark) == sum(len(names) for names in SAMPLES.helpful.values())


def test_every_sample_member_is_clearly_a_sample_and_can_be_told_apart(dev_app):
    assert demo_load(dev_app).exit_code == 0
    users = db.session.scalars(select(User)).all()
    assert len(users) == len(SAMPLES.members)
    for user in users:
        assert user.username.startswith("sample_")
        assert user.email.endswith("@sample.example.org")
        assert user.is_verified


def test_no_sample_text_trips_the_crisis_matcher():
    texts = []
    for story in (*STORIES, HELD):
        texts += [story.title, story.body, *(reply.body for reply in walk(story.replies))]
    assert texts and [text for text in texts if find_crisis_phrase(text)] == []


def test_running_it_again_changes_nothing(dev_app):
    first = demo_load(dev_app)
    assert first.exit_code == 0
    counts = (count(User), count(Thread), count(Post), count(HelpfulMark), count(ReviewItem))
    again = demo_load(dev_app)
    assert again.exit_code == 0
    assert "already loaded; nothing changed" in again.output
    assert (count(User), count(Thread), count(Post), count(HelpfulMark), count(ReviewItem)) == (
        counts
    )


def test_new_passwords_replace_the_printed_ones(dev_app):
    old = printed_password(demo_load(dev_app).output, "sample_moderator")
    result = demo_load(dev_app, "--new-passwords")
    assert result.exit_code == 0
    new = printed_password(result.output, "sample_moderator")
    assert new != old
    db.session.commit()
    assert sign_in(dev_app.test_client(), "sample_moderator", old).status_code == 422
    assert sign_in(dev_app.test_client(), "sample_moderator", new).status_code == 302


def test_refuses_a_database_with_a_real_member(dev_app):
    make_user("realperson")
    db.session.commit()
    result = demo_load(dev_app)
    assert result.exit_code != 0
    assert "already has 1 real member" in result.output
    assert count(User) == 1 and count(Thread) == 0


def test_refuses_outside_development(make_app):
    prod = make_app(
        ProductionConfig,
        SECRET_KEY="x" * 32,
        BASE_URL="https://forum.example",
        RATELIMIT_STORAGE_URI="memory://",
    )
    result = demo_load(prod)
    assert result.exit_code != 0
    assert "for development only" in result.output
    assert count(User) == 0


def test_refuses_in_the_test_configuration_too(app):
    result = demo_load(app)
    assert result.exit_code != 0 and "for development only" in result.output


def test_an_unmigrated_database_gets_a_clear_message(make_app, tmp_path):
    empty = make_app(
        DevelopmentConfig,
        USE_DATABASE_URL=False,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.db'}",
        SECRET_KEY="development-test-key",
        RATELIMIT_STORAGE_URI="memory://",
    )
    result = demo_load(empty)
    assert result.exit_code != 0
    assert "no tables yet: run `flask --app forum setup`" in result.output
