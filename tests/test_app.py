"""What holds on every page: error pages, health check, security headers, cookies, CSRF,
configuration from the environment, and safe redirects."""

import os
import re
import stat
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from flask import abort

import config as config_module
from config import Config, ProductionConfig, apply_env, ensure_secret_key
from forum import create_app
from forum.urls import safe_next
from tests.conftest import login
from tests.factories import PASSWORD

CLOSED_DB = "postgresql+psycopg://postgres@127.0.0.1:1/x"


def in_layout(html: str) -> bool:
    return 'class="site-header"' in html and "Get help now" in html and "<h1>" in html


@pytest.fixture
def error_app(make_app):
    """An app with routes that fail in every way (routes must exist before any request)."""
    extra = make_app(MAX_CONTENT_LENGTH=1024)

    @extra.route("/boom/<int:code>")
    def boom(code):
        abort(code)

    @extra.route("/boom/crash")
    def crash():
        raise RuntimeError("secret detail that must not leak")

    @extra.route("/api/boom")
    def api_crash():
        raise RuntimeError("api failure")

    return extra


# --- Error pages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "title"),
    [
        (400, "Bad request"),
        (403, "Not allowed"),
        (404, "Page not found"),
        (405, "Method not allowed"),
        (413, "Too large"),
        (429, "Too many requests"),
        (503, "Temporarily unavailable"),
    ],
)
def test_every_error_page_is_a_real_page_in_the_layout(error_app, code, title):
    response = error_app.test_client().get(f"/boom/{code}")
    assert response.status_code == code
    assert response.mimetype == "text/html"
    assert in_layout(response.text)
    assert f"<h1>{title}</h1>" in response.text


def test_500_page_hides_the_error(error_app):
    response = error_app.test_client().get("/boom/crash")
    assert response.status_code == 500
    assert in_layout(response.text) and "Something went wrong" in response.text
    assert "secret detail" not in response.text and "Traceback" not in response.text


def test_real_404_405_and_413(error_app, client):
    assert client.get("/no/such/page").status_code == 404
    assert "Page not found" in client.get("/no/such/page").text
    not_allowed = client.get("/logout")
    assert not_allowed.status_code == 405 and in_layout(not_allowed.text)
    too_big = error_app.test_client().post("/login", data={"login": "x" * 5000, "password": "y"})
    assert too_big.status_code == 413 and in_layout(too_big.text)


def test_max_content_length_is_set(app):
    assert 0 < app.config["MAX_CONTENT_LENGTH"] <= 1024 * 1024


def test_429_page_says_when_to_retry(error_app):
    response = error_app.test_client().get("/boom/429")
    assert "Try again in" in response.text
    assert int(response.headers["Retry-After"]) > 0


def test_api_and_healthz_answer_json(error_app, client):
    missing = client.get("/api/nothing")
    assert missing.status_code == 404 and missing.is_json
    assert missing.mimetype == "application/problem+json"
    assert missing.get_json()["title"] == "Page not found"
    assert missing.get_json()["status"] == 404
    crashed = error_app.test_client().get("/api/boom")
    assert crashed.status_code == 500 and crashed.is_json
    assert "api failure" not in crashed.text
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json() == {"status": "ok", "database": True}


def test_database_down_gives_503_json_health_and_a_friendly_page(app, make_app, client, member):
    down = make_app(SQLALCHEMY_DATABASE_URI=CLOSED_DB)
    down_client = down.test_client()
    health = down_client.get("/healthz")
    assert health.status_code == 503 and health.is_json
    assert health.get_json()["database"] is False

    page = down_client.post("/login", data={"login": "member1", "password": PASSWORD})
    assert page.status_code == 503
    assert "Retry-After" in page.headers
    assert in_layout(page.text) and "reach its database" in page.text
    assert "Traceback" not in page.text and "psycopg" not in page.text

    # A signed-in visitor's cookie makes even the home page query (the user loader).
    login(client, member)
    down_client.set_cookie("session", client.get_cookie("session").value)
    home = down_client.get("/")
    assert home.status_code == 503 and "Retry-After" in home.headers
    assert 'href="/login"' not in home.text  # rendered without touching the user


# --- Security headers, inline code, cookies ------------------------------------------------------

PUBLIC_PAGES = [
    "/",
    "/login",
    "/register",
    "/reset",
    "/reset/sent",
    "/register/check-inbox",
    "/verify/bad-token",
    "/reset/bad-token",
    "/no/such/page",
]
MEMBER_PAGES = ["/settings", "/settings/sessions"]


@pytest.fixture
def member_pages(client, member):
    login(client, member)
    return client


def test_security_headers_on_every_page(client, member):
    responses = [client.get(url) for url in PUBLIC_PAGES] + [client.get("/healthz")]
    login(client, member)
    responses += [client.get(url) for url in MEMBER_PAGES]
    for response in responses:
        csp = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] in (
            "same-origin",
            "no-referrer",
            "strict-origin",
        )


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.I)


def test_pages_need_no_inline_script_or_style(client, member):
    pages = {url: client.get(url).text for url in PUBLIC_PAGES}
    login(client, member)
    pages.update({url: client.get(url).text for url in MEMBER_PAGES})
    for url, html in pages.items():
        assert not INLINE.findall(html), url


def test_session_cookies_are_httponly_and_samesite_lax(client, member):
    response = client.post(
        "/login", data={"login": "member1", "password": PASSWORD, "remember": "y"}
    )
    cookies = response.headers.getlist("Set-Cookie")
    assert {c.split("=", 1)[0] for c in cookies} >= {"session", "remember_token"}
    for cookie in cookies:
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "Secure" not in cookie  # development and tests run on plain http


def test_production_cookies_are_secure(make_app, member):
    prod = make_app(
        ProductionConfig,
        SECRET_KEY="x" * 32,
        BASE_URL="https://forum.example",
        RATELIMIT_STORAGE_URI="memory://",
    )
    client = prod.test_client()
    page = client.get("/login", base_url="https://forum.example")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/login",
        base_url="https://forum.example",
        headers={"Referer": "https://forum.example/login"},
        data={"login": "member1", "password": PASSWORD, "remember": "y", "csrf_token": token},
    )
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 2
    for cookie in cookies:
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


# --- CSRF ---------------------------------------------------------------------------------------


def test_csrf_is_enforced(make_app, member):
    strict = make_app(WTF_CSRF_ENABLED=True)
    client = strict.test_client()
    refused = client.post("/login", data={"login": "member1", "password": PASSWORD})
    assert refused.status_code == 400
    assert in_layout(refused.text) and "did not come from this site" in refused.text
    assert client.get_cookie("remember_token") is None

    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    ok = client.post("/login", data={"login": "member1", "password": PASSWORD, "csrf_token": token})
    assert ok.status_code == 302
    with client.session_transaction() as session:
        assert "csrf_token" not in session  # a new one is made for the signed-in session
    assert client.post("/logout").status_code == 400  # no token: still logged in
    assert 'href="/u/member1"' in client.get("/").text


class PostForms(HTMLParser):
    """Collects each <form method="post"> and the names of the inputs inside it."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._current = {"action": attrs.get("action"), "inputs": set()}
            self.forms.append(self._current)
        elif tag in ("input", "button", "select", "textarea") and self._current is not None:
            self._current["inputs"].add(attrs.get("name"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


# Pages to crawl; later issues add theirs (threads, moderation, ...).
CSRF_PUBLIC_URLS = ["/", "/login", "/register", "/reset"]
CSRF_MEMBER_URLS = ["/", "/settings", "/settings/sessions"]
CSRF_UNVERIFIED_URLS = ["/settings", "/verify/expired-or-bad"]


def post_forms(client, url) -> list[dict]:
    parser = PostForms()
    parser.feed(client.get(url).text)
    return parser.forms


def test_every_post_form_carries_a_csrf_token(make_app, member, unverified):
    strict = make_app(WTF_CSRF_ENABLED=True)
    seen = []
    for user, urls in (
        (None, CSRF_PUBLIC_URLS),
        (member, CSRF_MEMBER_URLS),
        (unverified, CSRF_UNVERIFIED_URLS),
    ):
        client = strict.test_client()
        if user is not None:
            login(client, user)
        for url in urls:
            for form in post_forms(client, url):
                assert "csrf_token" in form["inputs"], f"{url}: form to {form['action']}"
                seen.append(form["action"])
    # The crawl reached the forms it is meant to check.
    for action in (
        "/login",
        "/register",
        "/reset",
        "/logout",
        "/settings/password",
        "/settings/email",
        "/settings/course",
        "/settings/verification",
    ):
        assert action in seen


# --- Configuration -----------------------------------------------------------------------------


def test_secret_key_is_required_in_production(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        create_app(ProductionConfig)


def test_development_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(config_module, "INSTANCE", tmp_path)
    first = {"ENV_NAME": "development", "SECRET_KEY": None}
    ensure_secret_key(first)
    key_file = tmp_path / "secret_key"
    assert len(first["SECRET_KEY"]) >= 32 and key_file.read_text() == first["SECRET_KEY"]
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    second = {"ENV_NAME": "development", "SECRET_KEY": None}
    ensure_secret_key(second)
    assert second["SECRET_KEY"] == first["SECRET_KEY"]
    given = {"ENV_NAME": "production", "SECRET_KEY": "from-env"}
    ensure_secret_key(given)
    assert given["SECRET_KEY"] == "from-env"


def _changed_raw(value):
    """An environment string that parses to something other than ``value``."""
    if isinstance(value, bool):
        return "false" if value else "true"
    if isinstance(value, int | float):
        return str(value + 1)
    if isinstance(value, timedelta):
        return str(int(value.total_seconds()) + 60)
    if isinstance(value, list | tuple):
        return "one,two"
    return "changed-by-env"


def test_every_config_value_can_come_from_the_environment():
    defaults = {key: getattr(Config, key) for key in dir(Config) if key.isupper()}
    for key, value in defaults.items():
        if isinstance(value, dict):
            continue  # SQLALCHEMY_ENGINE_OPTIONS: code, not a setting
        config = dict(defaults)
        raw = _changed_raw(value)
        if key == "SQLALCHEMY_DATABASE_URI":
            raw = "sqlite:///elsewhere.db"
        apply_env(config, environ={key: raw})
        assert config[key] != value, key


def test_apply_env_parses_types():
    config = {key: getattr(Config, key) for key in dir(Config) if key.isupper()}
    apply_env(
        config,
        environ={
            "RATELIMIT_ENABLED": "0",
            "AUTO_HIDE_REPORTS": "5",
            "LOGIN_LIMIT": "3 per minute",
            "SESSION_COOKIE_SECURE": "yes",
            "REMEMBER_COOKIE_DURATION": "3600",
            "DATABASE_URL": "postgres://u@db/forum",
            "REDIS_URL": "redis://cache:6379/0",
            "RATELIMIT_STORAGE_OPTIONS_EXTRA": "kept",
        },
    )
    assert config["RATELIMIT_ENABLED"] is False
    assert config["AUTO_HIDE_REPORTS"] == 5
    assert config["LOGIN_LIMIT"] == "3 per minute"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_DURATION"] == timedelta(hours=1)
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/forum"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"  # Redis when REDIS_URL
    assert config["RATELIMIT_STORAGE_OPTIONS_EXTRA"] == "kept"


def test_environment_overrides_reach_the_running_app(make_app, member, monkeypatch):
    monkeypatch.setenv("LOGIN_LIMIT", "2 per minute")
    monkeypatch.setenv("AUTO_HIDE_REPORTS", "7")
    monkeypatch.setenv("MIN_AGE", "18")
    extra = make_app()
    assert extra.config["AUTO_HIDE_REPORTS"] == 7
    client = extra.test_client()
    assert "I am at least 18 years old" in client.get("/register").text
    for _ in range(2):
        assert client.post("/login", data={"login": "member1", "password": "x"}).status_code == 422
    response = client.post("/login", data={"login": "member1", "password": PASSWORD})
    assert response.status_code == 429
    assert re.search(r"Try again in (1 minute|\d+ seconds?)\.", response.text)


# --- Redirects -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/path",
        "https://evil.example",
        "http:evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\\/evil.example",
        " //evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/%0d%0aLocation:%20https://evil.example".replace("%0d%0a", "\r\n"),
        "",
        None,
    ],
)
def test_safe_next_refuses_other_sites(app, target):
    with app.test_request_context():
        assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize("target", ["/settings", "/t/5/some-title?page=2", "/tags/mood#top"])
def test_safe_next_keeps_paths_on_this_site(app, target):
    with app.test_request_context():
        assert safe_next(target) == target
