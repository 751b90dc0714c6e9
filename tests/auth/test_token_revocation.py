"""A password change, a reset and a ban cancel every link mailed before (issue #9)."""

import re

from sqlalchemy import select

from forum.extensions import db
from forum.models import ReviewItem, User
from forum.moderation import services as moderation
from tests.conftest import login, outbox
from tests.factories import PASSWORD, make_post, make_thread

STRONG = "a distant purple harbour"
OTHER = "seven quiet lanterns drifting"


def link_path(message) -> str:
    [link] = re.findall(r"https?://\S+", message.get_content())
    return link.removeprefix("http://127.0.0.1:5000")


def mail_to(app, address: str, subject: str):
    [message] = [m for m in outbox(app) if m["To"] == address and m["Subject"] == subject]
    return message


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def start_email_change(app, client) -> str:
    response = client.post(
        "/settings/email", data={"new_email": "intruder@example.org", "email_password": PASSWORD}
    )
    assert response.status_code == 302
    return link_path(mail_to(app, "intruder@example.org", "Confirm your email address"))


def assert_link_dead(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert "cancelled" in response.text


def test_password_change_cancels_a_pending_email_change(app, client, member):
    login(client, member)
    link = start_email_change(app, client)
    response = client.post(
        "/settings/password",
        data={"current_password": PASSWORD, "new_password": STRONG, "new_password_confirm": STRONG},
    )
    assert response.status_code == 302
    assert_link_dead(client.application.test_client(), link)
    assert fresh(member).email == "member1@example.org"


def reset_link(app, client) -> str:
    outbox(app).clear()
    assert client.post("/reset", data={"email": "member1@example.org"}).status_code == 302
    return link_path(mail_to(app, "member1@example.org", "Reset your password"))


def test_password_reset_cancels_a_pending_email_change(app, client, member):
    login(client, member)
    link = start_email_change(app, client)
    visitor = client.application.test_client()
    reset = reset_link(app, visitor)
    response = visitor.post(reset, data={"password": STRONG, "password_confirm": STRONG})
    assert response.status_code == 302
    assert_link_dead(visitor, link)
    assert fresh(member).email == "member1@example.org"


def test_ban_cancels_a_pending_email_change_and_a_reset_link(
    app, client, member, moderator, other_member
):
    member_client = app.test_client()
    login(member_client, member)
    link = start_email_change(app, member_client)
    reset = reset_link(app, app.test_client())
    thread = make_thread(member)
    reply = make_post(thread, member, body="Spam spam spam.")
    moderation.report_post(reply, other_member, "spam")
    db.session.commit()
    item = db.session.scalar(select(ReviewItem))
    login(client, moderator)
    response = client.post(f"/mod/items/{item.id}/act", data={"action": "ban", "reason": "Spam."})
    assert response.status_code == 302
    visitor = app.test_client()
    assert_link_dead(visitor, link)
    assert_link_dead(visitor, reset)
    assert fresh(member).email == "member1@example.org"


def test_password_change_kills_an_old_reset_link(app, client, member):
    reset = reset_link(app, app.test_client())
    login(client, member)
    response = client.post(
        "/settings/password",
        data={"current_password": PASSWORD, "new_password": STRONG, "new_password_confirm": STRONG},
    )
    assert response.status_code == 302
    visitor = app.test_client()
    assert visitor.get(reset).status_code == 400
    refused = visitor.post(reset, data={"password": OTHER, "password_confirm": OTHER})
    assert refused.status_code == 400
    assert (
        client.application.test_client()
        .post("/login", data={"login": "member1", "password": OTHER})
        .status_code
        == 422
    )


def test_links_mailed_after_the_change_still_work(app, client, member):
    login(client, member)
    client.post(
        "/settings/password",
        data={"current_password": PASSWORD, "new_password": STRONG, "new_password_confirm": STRONG},
    )
    outbox(app).clear()
    response = client.post(
        "/settings/email", data={"new_email": "mine@example.org", "email_password": STRONG}
    )
    assert response.status_code == 302
    link = link_path(mail_to(app, "mine@example.org", "Confirm your email address"))
    assert client.get(link).status_code == 302
    assert fresh(member).email == "mine@example.org"
