"""A real browser (Debian's Chromium driven by Playwright) against the app on a local port.

The served app is a second instance on the suite's database with CSRF on and mail written
to files, as in development; the suite's autouse fixture still empties the tables after
each test. Every request that leaves the loopback interface is blocked and counted.
"""

import json
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from config import TestingConfig
from forum import create_app
from tests.services import AXE_JS, chromium_path

# axe-core's impact levels that fail a test: "minor" findings are advice (issue #11).
FAILING_IMPACTS = ("moderate", "serious", "critical")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def outbox_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("outbox")


@pytest.fixture(scope="session")
def live_app(app, outbox_dir):
    class BrowserConfig(TestingConfig):
        WTF_CSRF_ENABLED = True
        MAIL_BACKEND = "file"
        MAIL_OUTBOX = str(outbox_dir)
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]

    return create_app(BrowserConfig)


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _document(url: str) -> str:
    return url.split("#", 1)[0]


class PageProblems:
    """What went wrong in the page while the test ran, and which pages it showed that
    check_accessibility never looked at (issue #11: every page a test visits is checked)."""

    def __init__(self):
        self.external_requests: list[str] = []
        self.console_errors: list[str] = []
        self.visited: list[str] = []
        self.checked: set[str] = set()

    def assert_clean(self):
        assert self.external_requests == [], "the page tried to reach other hosts"
        assert self.console_errors == [], "the page logged errors (CSP violations included)"
        unchecked = sorted({url for url in self.visited if url not in self.checked})
        assert unchecked == [], f"pages shown without check_accessibility: {unchecked}"


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server)
    problems = PageProblems()

    def guard(route):
        host = urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            problems.external_requests.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on(
        "console",
        lambda msg: problems.console_errors.append(msg.text) if msg.type == "error" else None,
    )
    page.on(
        "framenavigated",
        lambda frame: (
            problems.visited.append(_document(frame.url)) if frame == page.main_frame else None
        ),
    )
    page.problems = problems
    yield page
    context.close()
    problems.assert_clean()


def accessibility_violations(page) -> list[dict]:
    """axe-core's moderate, serious and critical findings on the current page."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, so the page's CSP does not block it.
        page.evaluate(AXE_JS.read_text() + "\n;undefined")
    results = page.evaluate("async () => await axe.run(document)")
    if hasattr(page, "problems"):
        page.problems.checked.add(_document(page.url))
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results["violations"]
        if v.get("impact") in FAILING_IMPACTS
    ]


def check_accessibility(page) -> None:
    """Run axe-core on the current page; fail on moderate, serious or critical violations."""
    failing = accessibility_violations(page)
    assert failing == [], f"{page.url}: {json.dumps(failing, indent=1)}"


def sign_in(page, live_app, live_server: str, user) -> None:
    """Give the browser a logged-in session for ``user``, as the login form would: a
    server-side session row, and Flask's signed session cookie carrying its token."""
    from forum.auth.sessions import create_session
    from forum.extensions import db

    token = create_session(user, remember=False, user_agent="Playwright")
    db.session.commit()
    db.session.remove()  # hold no SQLite transaction while the browser talks to the server
    serializer = live_app.session_interface.get_signing_serializer(live_app)
    page.context.add_cookies(
        [
            {
                "name": live_app.config["SESSION_COOKIE_NAME"],
                "value": serializer.dumps({"_user_id": token, "_fresh": True}),
                "url": live_server,
            }
        ]
    )
