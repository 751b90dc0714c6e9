"""A member gets a reply, sees the count in the header, opens the inbox and lands on the
reply (issue #12)."""

from forum.extensions import db
from tests.e2e.conftest import check_accessibility, sign_in
from tests.factories import make_thread, make_user


def test_a_reply_shows_in_the_header_and_the_inbox_leads_to_it(page, live_app, live_server):
    asker, answerer = make_user("e2e_asker"), make_user("e2e_answerer")
    thread = make_thread(asker, title="Did it ease after month four?")
    path = f"/t/{thread.id}/{thread.slug}"
    db.session.commit()

    sign_in(page, live_app, live_server, answerer)
    page.goto(path)
    check_accessibility(page)
    page.get_by_label("Your reply").fill("It eased for me in month five.")
    page.get_by_role("button", name="Post reply").click()
    reply = page.locator("ol.tree > li.node").first
    reply.wait_for()
    reply_id = reply.get_attribute("id")
    # The one who replied watches the thread now.
    page.goto(path)
    assert page.get_by_role("button", name="Stop watching").is_visible()
    check_accessibility(page)

    sign_in(page, live_app, live_server, asker)
    page.goto("/")
    count = page.locator('header a[href="/notifications"] .count')
    assert count.inner_text() == "1"
    check_accessibility(page)
    page.get_by_role("link", name="Notifications").first.click()
    page.wait_for_url("**/notifications")
    note = page.locator(".notification").first
    assert "e2e_answerer replied to your post" in note.inner_text()
    check_accessibility(page)
    note.get_by_role("link", name="View the post").click()
    page.wait_for_url(f"**{path}#{reply_id}")
    assert page.locator(f"#{reply_id} .post-body").inner_text() == "It eased for me in month five."
    assert page.locator('header a[href="/notifications"] .count').count() == 0
