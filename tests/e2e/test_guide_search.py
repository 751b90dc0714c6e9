"""A reader searches from the header box, finds a guide article among the experiences and
opens it; the guide's pages pass the accessibility check (issue #5)."""

import re

import pytest

from forum.extensions import db
from forum.guide.services import load_shipped_guide
from forum.models import Role
from forum.search import backend
from forum.tags.services import load_shipped_tags
from forum.threads.services import opening_post
from tests.e2e.conftest import check_accessibility, sign_in
from tests.factories import make_thread, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def guide(app):
    load_shipped_tags()
    load_shipped_guide()
    author = make_user("e2e_storyteller")
    story = make_thread(
        author,
        title="My iPLEDGE appointments, month by month",
        body="Two forms of contraception and a pregnancy test each month.",
        tags=("pregnancy-prevention",),
        treatment_month=2,
    )
    make_thread(
        author,
        title="Lips cracking in week three",
        body="A thick balm at night helped.",
        tags=("dryness",),
        treatment_month=1,
    )
    # Indexed here in case thread creation does not index yet; indexing twice is harmless.
    backend.index_post(opening_post(story))
    db.session.commit()
    db.session.remove()  # hold no SQLite transaction while the browser talks to the server


def test_search_from_the_header_finds_and_opens_a_guide_article(page, guide):
    page.goto("/")
    check_accessibility(page)
    page.get_by_label("Search the forum").fill("iPLEDGE")
    page.get_by_label("Search the forum").press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=iPLEDGE"))
    hits = page.locator(".search-hit")
    hits.first.wait_for()
    assert page.locator(".search-hit mark").count() >= 1
    assert page.locator(".search-hit mark").first.inner_text().lower() == "ipledge"
    assert hits.filter(has_text="Guide article").count() >= 1
    assert hits.filter(has_text="My iPLEDGE appointments").count() == 1  # and the experience
    check_accessibility(page)

    page.locator('.search-hit a[href="/guide/pregnancy-prevention"]').click()
    page.wait_for_url("**/guide/pregnancy-prevention")
    assert "Pregnancy" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_role("note", name="Medical disclaimer").is_visible()
    patients = page.locator("aside.patients-say")
    assert patients.get_by_role("link", name="My iPLEDGE appointments, month by month").count() == 1
    check_accessibility(page)

    patients.get_by_role("link", name="Finished").click()
    page.wait_for_url("**/guide/pregnancy-prevention?stage=finished")
    assert patients.get_by_role("link", name="My iPLEDGE appointments, month by month").count() == 0
    check_accessibility(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Guide").click()
    page.wait_for_url("**/guide")
    assert page.get_by_role("link", name="Lips cracking in week three").count() == 1
    check_accessibility(page)

    page.get_by_role("link", name="Isotretinoin vs the alternatives: how it stacks up").click()
    page.wait_for_url("**/guide/isotretinoin-vs-alternatives")
    assert page.locator(".guide-body table th").count() >= 6  # the comparison table
    check_accessibility(page)


def test_an_admin_edits_an_article_in_the_browser(page, live_app, live_server, guide):
    admin = make_user("e2e_admin", role=Role.ADMIN)
    db.session.commit()
    sign_in(page, live_app, live_server, admin)
    page.goto("/guide/managing-dryness")
    check_accessibility(page)
    page.get_by_role("link", name="Edit this article").click()
    page.wait_for_url("**/guide/managing-dryness/edit")
    check_accessibility(page)
    page.locator("#title").fill("Dryness of skin, lips and eyes")
    page.get_by_label("Reviewed by").fill("Dr A. Example, dermatologist")
    # The shipped articles carry no review date; a named reviewer needs one.
    page.get_by_label("Last reviewed").fill("2026-11-20")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/guide/managing-dryness")
    assert page.get_by_role("heading", level=1).inner_text() == "Dryness of skin, lips and eyes"
    assert "Reviewed by: Dr A. Example, dermatologist" in page.locator(".guide-meta").inner_text()
    page.get_by_role("link", name="History").click()
    assert page.locator(".revision").count() == 2
    check_accessibility(page)
