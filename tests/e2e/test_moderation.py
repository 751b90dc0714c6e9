"""A report goes through the queue in a real browser: the moderator decides, the author and
the reporter read the outcome in their inboxes, and the public log stays discreet."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from forum.auth.sessions import create_session
from forum.extensions import db
from forum.models import Role, utcnow
from forum.moderation import services
from forum.tags.services import load_shipped_tags
from forum.threads.services import opening_post as services_opening
from tests.e2e.conftest import check_accessibility
from tests.factories import make_post, make_thread, make_user

pytestmark = pytest.mark.e2e


def sign_in(page, live_app, live_server, user) -> None:
    """Give the browser a signed-in session cookie, as the login form would."""
    token = create_session(user, remember=False, user_agent="e2e")
    db.session.commit()
    cookie = live_app.session_interface.get_signing_serializer(live_app).dumps(
        {"_user_id": token, "_fresh": True}
    )
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "session", "value": cookie, "url": live_server}])


@pytest.fixture
def reported(app):
    author = make_user("author")
    reporter = make_user("quietreader")
    moderator = make_user("moderator", role=Role.MODERATOR)
    thread = make_thread(author, title="Month three, lips and mood")
    reply = make_post(thread, author, body="Buy cheap pills from my shop")
    services.report_post(reply, reporter, "sourcing", "Selling the drug.")
    db.session.commit()
    return author, reporter, moderator, reply


def test_moderator_hides_a_reported_post_and_the_author_sees_why(
    page, live_app, live_server, reported
):
    author, reporter, moderator, reply = reported
    page.goto("/mod/log")
    check_accessibility(page)

    sign_in(page, live_app, live_server, reporter)
    page.goto(f"/p/{reply.id}/report")
    assert page.get_by_label("Spam").is_visible()
    check_accessibility(page)

    sign_in(page, live_app, live_server, moderator)
    page.goto("/mod/queue")
    assert page.get_by_role("list", name="Priority").get_by_text("Sourcing").is_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Reply in “Month three, lips and mood”").click()
    assert page.get_by_text("Selling the drug.").is_visible()
    page.get_by_role("button", name="Claim it").click()
    assert page.get_by_text("You claimed this item.").is_visible()
    # The suspension length appears beside its choice only once that choice is made.
    days = page.get_by_label("Length of the suspension, in days (1–365)")
    expect(days).to_be_hidden()
    page.get_by_label("Suspend the author").check()
    expect(days).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Hide the post (its author still sees it, with your reason)").check()
    page.get_by_role("textbox", name="Reason").fill("Selling medication is not allowed here.")
    page.get_by_role("button", name="Apply decision").click()
    assert page.get_by_text("Nothing is waiting").is_visible()

    sign_in(page, live_app, live_server, author)
    page.goto("/notifications")
    assert page.get_by_text("Reason: Selling medication is not allowed here.").is_visible()
    check_accessibility(page)

    sign_in(page, live_app, live_server, reporter)
    page.goto("/notifications")
    assert page.get_by_text("A moderator reviewed it and hid it.").is_visible()

    page.context.clear_cookies()
    page.goto("/mod/log")
    content = page.content()
    assert "Selling medication is not allowed here." in content
    assert "Buy cheap pills" not in content and "quietreader" not in content


# --- On the real thread pages (issue #4 phase 2) ---------------------------------------------


@pytest.fixture
def conversation(app):
    load_shipped_tags()
    author = make_user("author", created_at=utcnow() - timedelta(days=60))
    reporter = make_user("quietreader")
    moderator = make_user("moderator", role=Role.MODERATOR)
    thread = make_thread(author, title="Month three, lips and mood", tags=("dryness",))
    reply = make_post(thread, author, body="Anyone who takes the pills is an idiot.")
    db.session.commit()
    path, reply_id = f"/t/{thread.id}/{thread.slug}", reply.id
    db.session.remove()  # hold no SQLite transaction while the browser talks to the server
    return author, reporter, moderator, path, reply_id


def test_a_report_from_the_thread_page_ends_in_a_hidden_post_with_its_reason(
    page, live_app, live_server, conversation
):
    author, reporter, moderator, path, reply_id = conversation
    reply = page.locator(f"#p{reply_id}")

    sign_in(page, live_app, live_server, reporter)
    page.goto(path)
    reply.locator(".post-actions").get_by_role("link", name="Report").click()
    page.wait_for_url(f"**/p/{reply_id}/report")
    check_accessibility(page)
    page.get_by_label("Harassment").check()
    page.get_by_label("Anything the moderators should know").fill("Insults other members.")
    page.get_by_role("button", name="Send report").click()
    page.wait_for_url(f"**/t/*#p{reply_id}")
    assert page.get_by_text("your report went to the moderators").is_visible()
    check_accessibility(page)

    sign_in(page, live_app, live_server, moderator)
    page.goto("/mod/queue")
    check_accessibility(page)
    page.get_by_role("link", name="Reply in “Month three, lips and mood”").click()
    assert page.get_by_text("Insults other members.").is_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Claim it").click()
    assert page.get_by_text("You claimed this item.").is_visible()
    page.get_by_label("Hide the post (its author still sees it, with your reason)").check()
    page.get_by_role("textbox", name="Reason").fill("Personal attacks are not allowed.")
    page.get_by_role("button", name="Apply decision").click()
    assert page.get_by_text("Nothing is waiting").is_visible()

    sign_in(page, live_app, live_server, author)
    page.goto(path)
    assert reply.get_by_text("Hidden from readers.").is_visible()
    assert reply.get_by_text("Reason: Personal attacks are not allowed.").is_visible()
    assert reply.get_by_text("Anyone who takes the pills").is_visible()
    check_accessibility(page)

    page.context.clear_cookies()
    page.goto(path)
    assert reply.get_by_text("[hidden by a moderator]").is_visible()
    assert "Anyone who takes the pills" not in page.content()
    assert "Personal attacks" not in page.content()


def test_a_crisis_post_shows_its_author_help_and_tops_the_queue(page, live_app, live_server):
    load_shipped_tags()
    writer = make_user("struggling", created_at=utcnow() - timedelta(days=60))
    moderator = make_user("moderator", role=Role.MODERATOR)
    earlier = make_thread(make_user("earlier"), title="Sore joints in month two")
    services.report_post(services_opening(earlier), make_user("spotter"), "misinformation")
    db.session.commit()
    db.session.remove()

    sign_in(page, live_app, live_server, writer)
    page.goto("/t/new?tag=mood")
    check_accessibility(page)
    page.locator("#title").fill("Month four and the low mood is back")
    page.get_by_label("Your experience").fill("Honestly some nights I want to die.")
    page.get_by_role("button", name="Post", exact=True).click()
    page.wait_for_url("**/t/*/month-four-and-the-low-mood-is-back")
    panel = page.get_by_role("alert").filter(has_text="You're not alone")
    assert panel.is_visible()
    assert panel.get_by_role("link", name="988 Suicide & Crisis Lifeline", exact=True).is_visible()
    check_accessibility(page)
    page.reload()
    assert page.locator(".crisis-panel").count() == 0  # shown once, right after posting

    sign_in(page, live_app, live_server, moderator)
    page.goto("/mod/queue")
    first = page.locator("ol.queue > li").first
    assert "Month four and the low mood is back" in first.inner_text()
    assert first.get_by_text("Crisis").is_visible()
    check_accessibility(page)
