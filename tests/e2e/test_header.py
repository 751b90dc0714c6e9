"""The header: one row on a desktop screen, signed in as a member or a moderator; compact
on a phone, with a menu that opens without JavaScript; "Get help now" always in view
(issue #11)."""

import pytest
from playwright.sync_api import expect

from forum.extensions import db
from forum.models import Role
from forum.tags.services import load_shipped_tags
from tests.e2e.conftest import check_accessibility, sign_in
from tests.factories import make_post, make_thread, make_user

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PHONE_HEADER_MAX = 64  # px: a compact header leaves the page its screen

ROW_ITEMS = """() => [...document.querySelectorAll(
    '.site-header .brand, .site-header .help-link, .site-nav a, .header-search input,'
    + '.header-search button, .account-nav summary, .account-nav > ul > li > a')]
    .filter(e => e.getClientRects().length)
    .map(e => { const r = e.getBoundingClientRect();
                return {text: e.textContent.trim(), top: r.top, bottom: r.bottom}; })"""


def header_height(page) -> float:
    return page.locator(".site-header").bounding_box()["height"]


def assert_one_row(page) -> None:
    items = page.evaluate(ROW_ITEMS)
    middles = [(item["top"] + item["bottom"]) / 2 for item in items]
    assert max(middles) - min(middles) < 8, f"the header items sit on several rows: {items}"
    assert header_height(page) <= PHONE_HEADER_MAX


@pytest.fixture
def members(app):
    load_shipped_tags()
    # The longest username the rules allow, beside an unread notification count.
    member = make_user("a_member_with_thirty_letters_x")
    moderator = make_user("moderator", role=Role.MODERATOR)
    neighbour = make_user("neighbour")
    for user in (member, moderator):
        make_post(make_thread(user, title="Lips in week two"), neighbour, body="Same here.")
    db.session.commit()
    return member, moderator


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_the_header_is_one_row_on_a_desktop_screen(page, live_app, live_server, members, role):
    member, moderator = members
    user = member if role == "member" else moderator
    sign_in(page, live_app, live_server, user)
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    header = page.locator(".site-header")
    main_nav = header.get_by_role("navigation", name="Main")
    for name in ("Guide", "Topics", "New thread", "Notifications"):
        assert main_nav.get_by_role("link", name=name).is_visible()
    assert main_nav.get_by_role("link", name="Queue").is_visible() == (role == "moderator")
    assert header.get_by_label("Search the forum").is_visible()
    assert header.get_by_role("link", name="Get help now").is_visible()
    expect(header.locator(".site-menu > summary")).to_be_hidden()
    assert_one_row(page)
    check_accessibility(page)

    account = header.get_by_role("navigation", name="Account")
    account.locator("summary").click()
    assert account.get_by_role("link", name="Settings").is_visible()
    assert account.get_by_role("button", name="Log out").is_visible()
    assert_one_row(page)  # the open account menu floats below the row
    check_accessibility(page)


def test_the_header_is_one_row_on_a_desktop_screen_signed_out(page):
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    assert page.locator(".site-header").get_by_role("link", name="Join").is_visible()
    assert_one_row(page)
    check_accessibility(page)


@pytest.fixture
def phone_without_javascript(browser, live_server):
    context = browser.new_context(
        base_url=live_server, viewport=PHONE, java_script_enabled=False, is_mobile=True
    )
    yield context.new_page()
    context.close()


def test_the_phone_menu_opens_without_javascript(phone_without_javascript, members):
    page = phone_without_javascript
    page.goto("/tags")
    header = page.locator(".site-header")
    assert header_height(page) <= PHONE_HEADER_MAX
    assert header.get_by_role("link", name="Get help now").is_visible()
    guide = header.get_by_role("navigation", name="Main").get_by_role("link", name="Guide")
    expect(guide).to_be_hidden()
    expect(header.get_by_label("Search the forum")).to_be_hidden()

    header.get_by_text("Menu").click()
    assert guide.is_visible()
    assert header.get_by_role("link", name="Log in").is_visible()
    assert header_height(page) <= PHONE_HEADER_MAX  # the menu opens over the page
    header.get_by_label("Search the forum").fill("lips")
    header.get_by_label("Search the forum").press("Enter")
    page.wait_for_url("**/search?q=lips")
    assert page.get_by_role("heading", level=1).inner_text() == "Search"


def test_a_signed_in_phone_header_stays_compact(page, live_app, live_server, members):
    member, moderator = members
    sign_in(page, live_app, live_server, moderator)
    page.set_viewport_size(PHONE)
    page.goto("/")
    header = page.locator(".site-header")
    assert header_height(page) <= PHONE_HEADER_MAX
    assert header.get_by_role("link", name="Get help now").is_visible()
    check_accessibility(page)
    header.locator(".site-menu > summary").click()
    account = header.get_by_role("navigation", name="Account")
    account.locator("summary").click()
    assert account.get_by_role("link", name="Settings").is_visible()
    assert (
        header.get_by_role("navigation", name="Main").get_by_role("link", name="Queue").is_visible()
    )
    check_accessibility(page)
    account.get_by_role("link", name="Settings").click()
    page.wait_for_url("**/settings")
    assert header_height(page) <= PHONE_HEADER_MAX
    check_accessibility(page)
