"""A member starts a thread, replies to a reply, sees the nesting and collapses it."""

from playwright.sync_api import expect

from forum.extensions import db
from forum.tags.services import load_shipped_tags
from tests.e2e.conftest import check_accessibility, sign_in
from tests.factories import make_thread, make_user


def test_start_thread_reply_to_a_reply_and_collapse_it(page, live_app, live_server):
    load_shipped_tags()
    writer = make_user("e2e_writer")
    neighbour_thread = make_thread(make_user("e2e_neighbour"), title="A neighbour's story")
    neighbour_path = f"/t/{neighbour_thread.id}/{neighbour_thread.slug}"
    db.session.commit()
    sign_in(page, live_app, live_server, writer)

    page.goto("/t/new?tag=dryness")
    assert page.get_by_label("Dryness").is_checked()
    check_accessibility(page)
    page.locator("#title").fill("Week three: lips and mood")
    page.get_by_label("Your experience").fill("Lips are **very** dry; mood is fine.")
    page.get_by_label("Mood", exact=True).check()
    page.get_by_label("Treatment month").fill("1")
    page.get_by_role("button", name="Post", exact=True).click()

    page.wait_for_url("**/t/*/week-three-lips-and-mood")
    assert page.get_by_role("heading", level=1).inner_text() == "Week three: lips and mood"
    assert page.locator(".opening-post strong").inner_text() == "very"
    assert "Month 1" in page.locator(".thread-meta .badge").inner_text()

    page.get_by_label("Your reply").fill("First reply from me.")
    page.get_by_role("button", name="Post reply").click()
    first = page.locator("ol.tree > li.node").first
    first.wait_for()
    assert "First reply from me." in first.locator(".post-body").inner_text()
    first_id = first.get_attribute("id")

    first.locator(".post-actions").get_by_role("link", name="Reply").click()
    form = page.locator(f"#{first_id} #reply")
    assert form.is_visible()
    check_accessibility(page)
    assert form.locator("input[name=parent_id]").input_value() == first_id.removeprefix("p")
    form.get_by_label("Your reply").fill("An answer **nested** below the first.")
    form.get_by_role("button", name="Post reply").click()

    nested = page.locator(f"#{first_id} > details.replies li.node")
    nested.first.wait_for()
    assert nested.count() == 1
    assert "nested" in nested.first.locator(".post-body strong").inner_text()
    assert nested.first.is_visible()
    check_accessibility(page)

    page.locator(f"#{first_id} > details.replies > summary").click()
    expect(nested.first).to_be_hidden()
    assert page.locator(f"#{first_id} > article").is_visible()
    page.locator(f"#{first_id} > details.replies > summary").click()
    assert nested.first.is_visible()

    # Helpful buttons submit one shared form through their formaction, without JavaScript.
    page.goto(neighbour_path)
    check_accessibility(page)
    page.locator(".opening-post").get_by_role("button", name="Helpful (0)").click()
    page.wait_for_url(f"**{neighbour_path}#p*")
    assert page.get_by_text("Marked as helpful.").is_visible()
    assert (
        page.locator(".opening-post").get_by_role("button", name="Marked helpful (1)").is_visible()
    )
    check_accessibility(page)

    page.goto("/")
    assert page.get_by_role("link", name="Week three: lips and mood").is_visible()
    check_accessibility(page)

    page.goto("/tags/dryness")
    assert page.get_by_role("link", name="Week three: lips and mood").is_visible()
    check_accessibility(page)


def test_reader_pages_are_accessible_without_signing_in(page):
    load_shipped_tags()
    db.session.commit()
    db.session.remove()
    for path in ("/", "/tags", "/tags/mood"):
        page.goto(path)
        check_accessibility(page)
