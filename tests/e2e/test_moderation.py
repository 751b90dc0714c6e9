"""A report goes through the queue in a real browser: the moderator decides, the author and
the reporter read the outcome in their inboxes, and the public log stays discreet."""

import pytest

from forum.auth.sessions import create_session
from forum.extensions import db
from forum.models import Role
from forum.moderation import services
from tests.e2e.conftest import check_accessibility
from tests.factories import make_user
from tests.moderation.helpers import make_reply, make_thread

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
    thread, _ = make_thread(author, "Month three, lips and mood")
    reply = make_reply(thread, author, "Buy cheap pills from my shop")
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
    assert not days.is_visible()
    page.get_by_label("Suspend the author").check()
    assert days.is_visible()
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
