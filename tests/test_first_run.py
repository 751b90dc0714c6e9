"""A newcomer's first run (issue #11): links follow the port the app serves on, production
refuses to start without BASE_URL, and a fresh SQLite path gets its folder."""

import os
import re
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest

from config import DevelopmentConfig, ProductionConfig
from forum import create_app
from forum.extensions import db
from forum.models import User
from forum.tags.services import load_shipped_tags
from tests.conftest import outbox
from tests.factories import make_thread

ROOT = Path(__file__).resolve().parent.parent
STRONG = "correct horse battery staple"
SERVER_VARIABLES = ("BASE_URL", "HOST", "PORT", "FLASK_RUN_HOST", "FLASK_RUN_PORT")


@pytest.fixture
def clean_env(monkeypatch):
    for name in SERVER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def development_app(make_app):
    return make_app(
        DevelopmentConfig,
        USE_DATABASE_URL=False,
        SECRET_KEY="development-test-key",
        MAIL_BACKEND="memory",
        MAIL_DELIVERY="after_commit",  # read the mail as soon as the request is answered
        WTF_CSRF_ENABLED=False,
        RATELIMIT_STORAGE_URI="memory://",
        ANON_CACHE_SECONDS=0,
    )


@pytest.mark.parametrize("variable", ["PORT", "FLASK_RUN_PORT"])
def test_development_links_in_mail_and_feeds_name_the_port_served_on(make_app, clean_env, variable):
    clean_env.setenv(variable, "5931")
    dev = development_app(make_app)
    client = dev.test_client()
    response = client.post(
        "/register",
        data={
            "username": "newcomer",
            "email": "newcomer@example.org",
            "password": STRONG,
            "password_confirm": STRONG,
            "age_confirm": "y",
            "accept_terms": "y",
        },
    )
    assert response.status_code == 302
    [message] = outbox(dev)
    [link] = re.findall(r"https?://\S+", message.get_content())
    assert link.startswith("http://127.0.0.1:5931/verify/")
    assert client.get(link.removeprefix("http://127.0.0.1:5931")).status_code == 302
    db.session.expire_all()
    assert db.session.query(User).filter_by(username="newcomer").one().is_verified

    load_shipped_tags()
    thread = make_thread(title="A thread in the feed", tags=("mood",))
    db.session.commit()
    feed = feedparser.parse(client.get("/feeds/latest.atom").get_data())
    assert feed.entries[0].link == f"http://127.0.0.1:5931/t/{thread.id}/a-thread-in-the-feed"
    assert {link.href for link in feed.feed.links} == {
        "http://127.0.0.1:5931/feeds/latest.atom",
        "http://127.0.0.1:5931/",
    }


def test_development_listening_on_every_address_links_to_the_loopback(make_app, clean_env):
    clean_env.setenv("FLASK_RUN_HOST", "0.0.0.0")  # noqa: S104 - a setting, not a bind
    clean_env.setenv("FLASK_RUN_PORT", "8123")
    assert development_app(make_app).config["BASE_URL"] == "http://127.0.0.1:8123"


def test_development_default_and_explicit_base_url(make_app, clean_env):
    assert development_app(make_app).config["BASE_URL"] == "http://127.0.0.1:5000"
    clean_env.setenv("PORT", "5931")
    clean_env.setenv("BASE_URL", "https://tunnel.example.org/")
    assert development_app(make_app).config["BASE_URL"] == "https://tunnel.example.org"


def test_production_refuses_to_start_without_base_url(clean_env):
    clean_env.setenv("SECRET_KEY", "x" * 32)
    clean_env.setenv("PORT", "8000")  # where gunicorn binds says nothing about the public name
    with pytest.raises(RuntimeError, match="BASE_URL must be set in the environment"):
        create_app(ProductionConfig)


def test_a_base_url_without_a_scheme_is_refused(clean_env):
    clean_env.setenv("SECRET_KEY", "x" * 32)
    clean_env.setenv("BASE_URL", "forum.example.org")
    with pytest.raises(RuntimeError, match="must start with http:// or https://"):
        create_app(ProductionConfig)


def test_setup_creates_the_folder_of_a_new_sqlite_file(tmp_path):
    database = tmp_path / "new" / "dir" / "forum.db"
    env = {
        **os.environ,
        "FORUM_CONFIG": "development",
        "SECRET_KEY": "set-in-the-environment",
        "DATABASE_URL": f"sqlite:///{database}",
        "MAIL_OUTBOX": str(tmp_path / "outbox"),
    }
    env.pop("TEST_DATABASE_URL", None)
    result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "flask", "--app", "forum", "setup"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Setup complete." in result.stdout
    assert database.is_file()
