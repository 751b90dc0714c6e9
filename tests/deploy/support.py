"""Real servers for deployment tests: gunicorn processes on their own ports and databases."""

import http.cookiejar
import os
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from html import unescape

import flask_migrate
from sqlalchemy import create_engine, text

from config import TestingConfig
from forum import create_app
from forum.bench.runner import Server
from forum.database import recreate_empty
from forum.extensions import db
from forum.tags.services import load_shipped_tags
from tests.factories import PASSWORD, make_user

__all__ = ["PASSWORD", "Browser", "Server", "make_members", "prepare_database", "server_env"]


def prepare_database(url: str) -> None:
    """An empty database of the given URL, migrated, with the shipped tags."""
    recreate_empty(url)
    with _app_for(url).app_context():
        flask_migrate.upgrade()
        load_shipped_tags()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _app_for(url: str):
    config = type("DeployTestConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    return create_app(config)


def make_members(url: str, names: list[str]) -> None:
    with _app_for(url).app_context():
        for name in names:
            make_user(name)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def database_scalar(url: str, sql: str, **params):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()
    finally:
        engine.dispose()


def server_env(database_url: str, *, redis_url: str = "", **settings) -> dict:
    """Production settings, over plain HTTP on loopback, for one test's servers."""
    env = {
        **os.environ,
        "FORUM_CONFIG": "production",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "deploy-test-" + secrets.token_hex(8),
        "SESSION_COOKIE_SECURE": "0",
        "REMEMBER_COOKIE_SECURE": "0",
        "MAIL_BACKEND": "memory",
        "NEW_MEMBER_HELD_POSTS": "0",
        "ACCESS_LOG": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("TEST_DATABASE_URL", None)
    env.update({key: str(value) for key, value in settings.items()})
    return env


class Browser:
    """A client with its own cookie jar that never follows redirects."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def request(self, path: str, data: dict | None = None, *, base: str | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request((base or self.base) + path, data=body)  # noqa: S310
        try:
            response = self.opener.open(req, timeout=60)
        except urllib.error.HTTPError as exc:
            response = exc
        with response:
            return response.status, response.headers, response.read().decode("utf-8", "replace")

    def get(self, path: str, **kwargs):
        return self.request(path, **kwargs)

    def post_form(self, page_path: str, action: str, data: dict, *, base: str | None = None):
        """Load the page with the form, then submit it with its CSRF token (and nonce)."""
        status, _, page = self.get(page_path, base=base)
        assert status == 200, f"{page_path} answered {status}"
        fields = {"csrf_token": hidden_value(page, "csrf_token")}
        nonce = hidden_value(page, "nonce", required=False)
        if nonce:
            fields["nonce"] = nonce
        return self.request(action, {**fields, **data}, base=base)

    def log_in(self, username: str, password: str = PASSWORD, *, base: str | None = None):
        return self.post_form(
            "/login", "/login", {"login": username, "password": password}, base=base
        )


def hidden_value(page: str, name: str, *, required: bool = True) -> str | None:
    for tag in re.findall(r"<input[^>]+>", page):
        if f'name="{name}"' in tag:
            match = re.search(r'value="([^"]*)"', tag)
            if match:
                return unescape(match.group(1))
    if required:
        raise AssertionError(f"no {name} field on the page")
    return None
