"""Two members read the pages members share (issue #17): the second gets the page the first
stored, with her own name in the menu, her own marks, and forms that work with her token."""

import pytest

from forum.extensions import db
from tests.e2e.conftest import check_accessibility, sign_in
from tests.factories import make_post, make_thread, make_user


@pytest.fixture
def shared(live_app, monkeypatch):
    monkeypatch.setitem(live_app.config, "MEMBER_PAGE_SECONDS", 10)
    monkeypatch.setitem(live_app.config, "TREE_CACHE_SECONDS", 60)


def test_a_member_marks_a_reply_helpful_and_logs_out_from_shared_pages(
    page, live_app, live_server, shared
):
    first, second = make_user("e2e_first_reader"), make_user("e2e_second_reader")
    thread = make_thread(make_user("e2e_starter"), title="Did the dryness fade by month five?")
    make_post(thread, make_user("e2e_replier"), body="It faded for me in month four.")
    path = f"/t/{thread.id}/{thread.slug}"
    db.session.commit()

    sign_in(page, live_app, live_server, first)
    page.goto("/")
    check_accessibility(page)
    page.goto(path)  # both pages are stored for every member now
    check_accessibility(page)
    page.context.clear_cookies()

    sign_in(page, live_app, live_server, second)
    response = page.goto("/")
    assert response.headers.get("x-member-page") == "shared"
    assert page.locator(".account-name").inner_text() == "e2e_second_reader"
    check_accessibility(page)
    response = page.goto(path)
    assert response.headers.get("x-member-page") == "shared"
    assert page.locator(".account-name").inner_text() == "e2e_second_reader"
    check_accessibility(page)
    reply = page.locator("ol.tree > li.node").first
    reply.get_by_role("button", name="Helpful (0)").click()
    marked = page.locator("ol.tree > li.node").first.get_by_role(
        "button", name="Marked helpful (1)"
    )
    marked.wait_for()
    assert marked.get_attribute("aria-pressed") == "true"
    check_accessibility(page)

    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("link", name="Log in").first.wait_for()
    assert page.locator(".account-name").count() == 0
    check_accessibility(page)
