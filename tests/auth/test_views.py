"""Register, verify, log in and out, reset a password: what a visitor sees."""

import re

import pytest
from flask import url_for

from forum.auth import services
from forum.extensions import db
from forum.models import User, UserSession
from tests.conftest import login, outbox
from tests.factories import PASSWORD

STRONG = "a distant purple harbour"


def registration(**changes):
    data = {
        "username": "Alice",
        "email": "Alice@Example.org",
        "password": STRONG,
        "password_confirm": STRONG,
        "age_confirm": "y",
        "accept_terms": "y",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def link_in(message) -> str:
    """The path of the one link in a mail (links are absolute, built from BASE_URL)."""
    [link] = re.findall(r"https?://\S+", message.get_content())
    assert link.startswith("http://127.0.0.1:5000/")
    return link.removeprefix("http://127.0.0.1:5000")


def user_named(name: str) -> User | None:
    db.session.expire_all()
    return db.session.query(User).filter_by(username=name).one_or_none()


# --- Registration ---------------------------------------------------------------------------


def test_register_page_has_every_field_with_labels_and_autocomplete(client, app):
    page = client.get("/register")
    assert page.status_code == 200
    html = page.text
    assert "<h1" in html and "Join the community" in html
    for name in (
        "username",
        "email",
        "password",
        "password_confirm",
        "age_confirm",
        "accept_terms",
    ):
        assert f'name="{name}"' in html
        assert f'<label for="{name}"' in html
    assert 'autocomplete="username"' in html
    assert 'autocomplete="email"' in html
    assert html.count('autocomplete="new-password"') == 2
    assert f"I am at least {app.config['MIN_AGE']} years old" in html
    assert 'href="/guidelines"' in html and 'href="/privacy"' in html


def test_register_shows_check_inbox_and_does_not_log_in(client, app):
    response = client.post("/register", data=registration())
    assert response.status_code == 302
    assert response.location == "/register/check-inbox"
    page = client.get(response.location)
    assert "Check your inbox" in page.text
    assert "alice@example.org" in page.text
    user = user_named("alice")
    assert user.email == "alice@example.org" and user.email_verified_at is None
    assert db.session.query(UserSession).count() == 0
    assert 'action="/logout"' not in client.get("/").text
    [message] = outbox(app)
    assert message["To"] == "alice@example.org"


def test_register_with_existing_email_looks_the_same_and_mails_a_notice(client, app, member):
    first = client.post("/register", data=registration())
    first_page = client.get(first.location).text.replace("alice@example.org", "ADDRESS")
    second = client.post(
        "/register", data=registration(username="someone", email="MEMBER1@example.org")
    )
    second_page = client.get(second.location).text.replace("member1@example.org", "ADDRESS")
    assert (second.status_code, second.location) == (first.status_code, first.location)
    assert second_page == first_page
    assert user_named("someone") is None
    verify_mail, notice = outbox(app)
    assert notice["To"] == "member1@example.org"
    assert notice["Subject"] != verify_mail["Subject"]
    assert "already have one" in notice.get_content()


def test_register_errors_are_shown_beside_fields_keeping_what_was_typed(client):
    response = client.post(
        "/register",
        data=registration(
            username="Admin",
            email="Someone@Example.org",
            password="password123",
            password_confirm="different",
            age_confirm=None,
            accept_terms=None,
        ),
    )
    assert response.status_code == 422
    html = response.text
    assert 'id="username-error"' in html and "That username is reserved" in html
    assert 'id="password-error"' in html and "This is a very common password." in html
    assert 'id="password_confirm-error"' in html and "The two passwords do not match." in html
    assert 'id="age_confirm-error"' in html and "at least 16" in html
    assert 'id="accept_terms-error"' in html
    assert 'value="admin"' in html  # lower-cased, kept
    assert 'value="someone@example.org"' in html
    assert "password123" not in html  # passwords are never sent back
    assert 'aria-invalid="true"' in html
    assert user_named("admin") is None


def test_register_taken_username_is_shown_beside_the_field(client, member):
    response = client.post(
        "/register", data=registration(username="Member1", email="x@example.org")
    )
    assert response.status_code == 422
    assert "That username is taken" in response.text
    assert 'value="x@example.org"' in response.text


def test_register_refuses_password_built_from_username(client):
    response = client.post(
        "/register",
        data=registration(
            username="marigoldsmith",
            email="marigold@example.org",
            password="marigoldsmith2",
            password_confirm="marigoldsmith2",
        ),
    )
    assert response.status_code == 422
    assert "This password is too easy to guess." in response.text


def test_signed_in_member_visiting_register_goes_home(client, member):
    login(client, member)
    response = client.get("/register")
    assert response.status_code == 302 and response.location == "/"


# --- Verification -----------------------------------------------------------------------------


def test_verification_link_confirms_the_address_and_goes_to_login(client, app):
    client.post("/register", data=registration())
    path = link_in(outbox(app)[0])
    response = client.get(path)
    assert response.status_code == 302 and response.location == "/login"
    assert "Thank you, your email address is confirmed." in client.get("/login").text
    assert user_named("alice").email_verified_at is not None


def test_verification_link_for_a_signed_in_member_goes_home(client, app, unverified):
    login(client, unverified)
    with app.test_request_context():
        token = services.verification_token(unverified)
    response = client.get(f"/verify/{token}")
    assert response.location == "/"
    assert user_named("newbie").is_verified


@pytest.mark.parametrize("token", ["garbage", "eyJ1IjoxfQ.AAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAA"])
def test_bad_verification_link_is_a_clear_400_offering_a_new_link(client, token):
    response = client.get(f"/verify/{token}")
    assert response.status_code == 400
    assert "This confirmation link is not valid." in response.text
    assert "ask for a new confirmation link" in response.text


def test_expired_verification_link_offers_to_resend_when_signed_in(
    client, app, unverified, monkeypatch
):
    with app.test_request_context():
        token = services.verification_token(unverified)
    login(client, unverified)
    later = __import__("time").time() + app.config["VERIFY_TOKEN_MAX_AGE"] + 5
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    response = client.get(f"/verify/{token}")
    assert response.status_code == 400
    assert "This confirmation link has expired." in response.text
    assert 'action="/settings/verification"' in response.text


def test_unverified_member_sees_why_posting_is_closed(client, unverified, member):
    login(client, unverified)
    assert "Please confirm your email address to start posting" in client.get("/").text
    login(client, member)
    assert "Please confirm your email address" not in client.get("/").text


# --- Login and logout ----------------------------------------------------------------------------


def test_login_page_fields(client):
    html = client.get("/login").text
    assert 'name="login"' in html and 'autocomplete="username"' in html
    assert 'name="password"' in html and 'autocomplete="current-password"' in html
    assert 'name="remember"' in html
    assert 'href="/reset"' in html


@pytest.mark.parametrize(
    "login_value", ["member1", "MEMBER1", "member1@example.org", " Member1@EXAMPLE.org "]
)
def test_login_with_username_or_email(client, member, login_value):
    response = client.post("/login", data={"login": login_value, "password": PASSWORD})
    assert response.status_code == 302 and response.location == "/"
    page = client.get("/").text
    assert 'href="/u/member1"' in page
    assert "You are logged in." in page


def test_login_creates_a_server_side_session_and_keeps_the_cookie_non_permanent(client, member):
    response = client.post("/login", data={"login": "member1", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "Expires" not in cookie  # session.permanent stays False
    [row] = db.session.query(UserSession).all()
    assert row.user_id == member.id and row.remember is False


def test_wrong_password_and_unknown_account_look_the_same(client, member):
    wrong = client.post("/login", data={"login": "member1", "password": "not the password"})
    unknown = client.post("/login", data={"login": "nobody", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 422
    assert wrong.text.replace("member1", "X") == unknown.text.replace("nobody", "X")
    assert "do not match an account" in wrong.text
    assert 'value="member1"' in wrong.text  # what was typed is kept


def test_banned_member_is_told_why(client, banned_user):
    response = client.post("/login", data={"login": "banned1", "password": PASSWORD})
    assert response.status_code == 403
    assert "This account is banned. Reason: Spam." in response.text
    wrong = client.post("/login", data={"login": "banned1", "password": "not the password"})
    assert wrong.status_code == 422 and "This account is banned" not in wrong.text


def test_suspended_member_can_log_in(client, member):
    from datetime import timedelta

    from forum.models import utcnow

    member.status = "suspended"
    member.suspended_until = utcnow() + timedelta(days=2)
    db.session.commit()
    response = client.post("/login", data={"login": "member1", "password": PASSWORD})
    assert response.status_code == 302


def test_unverified_member_can_log_in(client, unverified):
    response = client.post("/login", data={"login": "newbie", "password": PASSWORD})
    assert response.status_code == 302


def test_login_honours_safe_next_only(client, member):
    ok = client.post("/login?next=/settings", data={"login": "member1", "password": PASSWORD})
    assert ok.location == "/settings"
    client.post("/logout")
    for evil in (
        "//evil.example",
        "https://evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
    ):
        response = client.post(
            "/login", query_string={"next": evil}, data={"login": "member1", "password": PASSWORD}
        )
        assert response.location == "/", evil
        client.post("/logout")


def test_login_form_keeps_next_in_its_action(client):
    html = client.get("/login?next=/settings").text
    assert 'action="/login?next=/settings"' in html


def test_login_required_page_redirects_to_login_with_next(client):
    response = client.get("/settings")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def test_remember_me_sets_a_remember_cookie_that_restores_the_session(client, app, member):
    client.post("/login", data={"login": "member1", "password": PASSWORD, "remember": "y"})
    remember = client.get_cookie("remember_token")
    assert remember is not None and remember.http_only
    other = app.test_client()
    other.set_cookie("remember_token", remember.value)
    assert 'href="/u/member1"' in other.get("/").text


def test_logout_ends_the_session_so_copied_cookies_stop_working(client, app, member):
    client.post("/login", data={"login": "member1", "password": PASSWORD, "remember": "y"})
    session_cookie = client.get_cookie("session").value
    remember_cookie = client.get_cookie("remember_token").value

    thief = app.test_client()
    thief.set_cookie("session", session_cookie)
    assert 'href="/u/member1"' in thief.get("/").text  # the copy works while logged in

    response = client.post("/logout")
    assert response.status_code == 302
    assert db.session.query(UserSession).count() == 0
    assert 'href="/u/member1"' not in client.get("/").text

    for name, value in (("session", session_cookie), ("remember_token", remember_cookie)):
        stranger = app.test_client()
        stranger.set_cookie(name, value)
        assert 'href="/u/member1"' not in stranger.get("/").text, name
        assert stranger.get("/settings").status_code == 302


def test_logout_needs_post(client, member):
    login(client, member)
    assert client.get("/logout").status_code == 405


def test_signed_in_member_visiting_login_is_sent_on(client, member):
    login(client, member)
    assert client.get("/login?next=/settings").location == "/settings"


# --- Password reset -------------------------------------------------------------------------------


def test_reset_request_answers_the_same_for_known_and_unknown_addresses(client, app, member):
    known = client.post("/reset", data={"email": "member1@example.org"})
    unknown = client.post("/reset", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.location == unknown.location == "/reset/sent"
    assert "If an account uses that address" in client.get("/reset/sent").text
    [message] = outbox(app)
    assert message["To"] == "member1@example.org"


def test_reset_link_sets_a_new_password_ends_every_session_and_is_single_use(client, app, member):
    other_device = login(app.test_client(), member)
    client.post("/reset", data={"email": "member1@example.org"})
    path = link_in(outbox(app)[0])

    form = client.get(path)
    assert form.status_code == 200 and "Choose a new password" in form.text
    assert form.text.count('autocomplete="new-password"') == 2

    weak = client.post(path, data={"password": "password123", "password_confirm": "password123"})
    assert weak.status_code == 422 and "too easy to guess" in weak.text

    response = client.post(path, data={"password": STRONG, "password_confirm": STRONG})
    assert response.status_code == 302 and response.location == "/login"
    assert "Your password has been changed." in client.get("/login").text
    assert db.session.query(UserSession).count() == 0
    assert other_device.get("/settings").status_code == 302

    reused = client.get(path)
    assert reused.status_code == 400
    assert "already been used" in reused.text and 'href="/reset"' in reused.text
    assert client.post("/login", data={"login": "member1", "password": PASSWORD}).status_code == 422
    assert client.post("/login", data={"login": "member1", "password": STRONG}).status_code == 302


def test_reset_with_a_bad_token_is_400(client):
    response = client.get("/reset/not-a-token")
    assert response.status_code == 400
    assert "This password reset link is not valid." in response.text


def test_reset_request_validates_the_address(client):
    response = client.post("/reset", data={"email": "not an address"})
    assert response.status_code == 422
    assert "Enter a valid email address" in response.text


def test_links_in_mail_use_base_url(client, app, member):
    client.post("/reset", data={"email": "member1@example.org"})
    link = re.findall(r"https?://\S+", outbox(app)[0].get_content())[0]
    with app.test_request_context():
        assert link.startswith(app.config["BASE_URL"] + url_for("auth.reset_request"))
