"""`make run PORT=…` (issue #11): a newcomer on another port gets a verification link to
that port, and following it confirms the account."""

import email
import email.policy
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from forum.bench.runner import _free_port
from tests.deploy.support import Browser

ROOT = Path(__file__).resolve().parent.parent.parent
STRONG = "correct horse battery staple"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed"),
]


def wait_until_up(process, base: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("make run exited early")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):  # noqa: S310
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise AssertionError("make run did not serve within two minutes")


@pytest.fixture
def make_run(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "SECRET_KEY": "make-run-test-key",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'forum.db'}",
        "MAIL_OUTBOX": str(tmp_path / "outbox"),
        "LOG_LEVEL": "WARNING",
    }
    for name in ("TEST_DATABASE_URL", "FORUM_CONFIG", "BASE_URL", "FLASK_RUN_PORT"):
        env.pop(name, None)
    process = subprocess.Popen(  # noqa: S603 - make from PATH, our own Makefile
        ["make", "--no-print-directory", "run", f"PORT={port}"],  # noqa: S607
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, base)
        yield base, tmp_path / "outbox"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_make_run_on_another_port_mails_links_to_that_port(make_run):
    base, outbox = make_run
    browser = Browser(base)
    status, _, _ = browser.post_form(
        "/register",
        "/register",
        {
            "username": "newcomer",
            "email": "newcomer@example.org",
            "password": STRONG,
            "password_confirm": STRONG,
            "age_confirm": "y",
            "accept_terms": "y",
        },
    )
    assert status == 302
    deadline = time.monotonic() + 10
    while not list(outbox.glob("*.eml")) and time.monotonic() < deadline:
        time.sleep(0.1)
    [mail] = outbox.glob("*.eml")
    message = email.message_from_bytes(mail.read_bytes(), policy=email.policy.default)
    links = re.findall(r"https?://\S+", message.get_content())
    assert len(links) == 1 and links[0].startswith(base + "/verify/")
    status, headers, _ = browser.get(links[0].removeprefix(base))
    assert status == 302 and headers["Location"] == "/login"
