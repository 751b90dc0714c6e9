"""A visitor registers in a real browser, confirms the address from the outbox, logs out
and in again; the account pages pass axe-core with and without errors showing."""

import re
from email import message_from_bytes
from pathlib import Path
from urllib.parse import urlsplit

from tests.e2e.conftest import check_accessibility

STRONG = "a distant purple harbour"


def verification_path(outbox_dir: Path, address: str) -> str:
    for path in sorted(outbox_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
        message = message_from_bytes(path.read_bytes())
        if message["To"] == address and message["Subject"] == "Confirm your email address":
            body = message.get_payload(decode=True).decode()
            link = re.search(r"https?://\S+/verify/\S+", body).group(0)
            return urlsplit(link).path  # BASE_URL names another port than the test server
    raise AssertionError(f"no confirmation mail for {address} in {outbox_dir}")


def submit_refused(page, button: str, status: int = 422) -> None:
    """Submit a form the server refuses. Chromium logs any 4xx page as a console error;
    that one entry is expected here, any other console error still fails the test."""
    entry = f"the server responded with a status of {status}"
    with page.expect_console_message(lambda m: m.type == "error" and entry in m.text):
        page.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    errors = page.problems.console_errors
    for _ in range(100):  # the fixture's own listener may see the message a moment later
        if any(entry in e for e in errors):
            break
        page.wait_for_timeout(20)
    errors[:] = [e for e in errors if entry not in e]


def log_in(page, login: str, password: str, *, refused: bool = False) -> None:
    page.goto("/login")
    page.locator("#login").fill(login)
    page.locator("#password").fill(password)
    if refused:
        submit_refused(page, "Log in")
    else:
        page.get_by_role("button", name="Log in").click()


def test_register_confirm_log_out_and_in(page, outbox_dir):
    page.goto("/register")
    assert page.get_by_role("heading", level=1).inner_text() == "Join the community"
    check_accessibility(page)

    # First a mistake, to see the errors beside the fields.
    page.locator("#username").fill("Browser_User")
    page.locator("#email").fill("browser@example.org")
    page.locator("#password").fill("password123")
    page.locator("#password_confirm").fill("password124")
    submit_refused(page, "Create account")
    assert (
        page.locator("#password-error")
        .inner_text()
        .startswith("This password is too easy to guess.")
    )
    assert "do not match" in page.locator("#password_confirm-error").inner_text()
    assert page.locator("#accept_terms-error").is_visible()
    assert page.locator("#username").input_value() == "browser_user"
    check_accessibility(page)

    page.locator("#password").fill(STRONG)
    page.locator("#password_confirm").fill(STRONG)
    page.get_by_label("I am at least 16 years old").check()
    page.locator("#accept_terms").check()
    page.get_by_role("button", name="Create account").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your inbox"
    assert "browser@example.org" in page.inner_text("main")
    check_accessibility(page)

    page.goto(verification_path(outbox_dir, "browser@example.org"))
    assert page.url.endswith("/login")
    assert "your email address is confirmed" in page.inner_text(".flashes")
    check_accessibility(page)

    log_in(page, "browser_user", STRONG)
    header = page.locator(".site-header")
    account = header.get_by_role("navigation", name="Account")
    account.locator("summary", has_text="browser_user").wait_for()
    assert account.locator("summary").inner_text() == "browser_user"
    account.locator("summary").click()
    assert account.get_by_role("link", name="Your profile").get_attribute("href") == (
        "/u/browser_user"
    )
    check_accessibility(page)
    account.get_by_role("button", name="Log out").click()
    assert "You are logged out." in page.inner_text(".flashes")
    assert header.get_by_role("link", name="Log in").is_visible()

    log_in(page, "Browser@Example.org", STRONG)
    account.locator("summary", has_text="browser_user").wait_for()
    assert account.locator("summary").inner_text() == "browser_user"
    page.goto("/settings")
    assert "Confirmed" in page.inner_text("#email")
    check_accessibility(page)


def test_login_page_is_accessible_with_and_without_errors(page):
    page.goto("/login")
    assert page.get_by_role("heading", level=1).inner_text() == "Log in"
    check_accessibility(page)
    log_in(page, "nobody", "not the password", refused=True)
    assert "do not match an account" in page.inner_text("[role=alert]")
    assert page.locator("#login").input_value() == "nobody"
    check_accessibility(page)
    page.goto("/reset")
    check_accessibility(page)
