"""Account rules, tested without HTTP."""

import time

import pytest
from itsdangerous import URLSafeTimedSerializer
from werkzeug.security import check_password_hash

from forum.auth import services
from forum.auth.sessions import active_sessions, create_session
from forum.errors import FieldErrors, PermissionDenied, RateLimited
from forum.extensions import db
from forum.models import Role, User
from tests.conftest import outbox
from tests.factories import PASSWORD

STRONG = "a distant purple harbour"


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("abc", True),
        ("mary_jane-99", True),
        ("x" * 30, True),
        ("ab", False),
        ("x" * 31, False),
        ("has space", False),
        ("émile", False),
        ("MixedCase", False),  # callers lower-case first; the rule itself is lower-case only
        ("admin", False),
        ("administrator", False),
        ("moderator", False),
        ("support", False),
        ("admin_1", False),
        ("mod-", False),
        ("deleted", False),
    ],
)
def test_username_rules(name, ok):
    assert (services.username_problem(name) is None) is ok


def test_reserved_usernames_are_all_refused():
    for name in services.RESERVED_USERNAMES:
        if 3 <= len(name) <= 30:
            assert (
                services.username_problem(name)
                == "That username is reserved. Please choose another."
            )


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("short", False),  # under 10 characters
        ("password123", False),  # common
        ("qwertyuiop", False),  # keyboard pattern
        ("aaaaaaaaaaaa", False),  # repeat
        (STRONG, True),
        ("x" * 257, False),  # over PASSWORD_MAX_LENGTH
        ("Gx7!" + "a distant purple harbour " * 10, True),  # long: scored on its start
    ],
)
def test_password_rules(app, password, ok):
    with app.app_context():
        assert (services.password_problem(password) is None) is ok


def test_password_made_of_the_username_is_refused(app):
    with app.app_context():
        assert services.password_problem("marigoldsmith2", []) is None
        problem = services.password_problem(
            "marigoldsmith2", ["marigoldsmith", "marigold@example.org"]
        )
    assert problem.startswith("This password is too easy to guess.")


def test_password_problem_shows_zxcvbn_warning_and_suggestions(app):
    with app.app_context():
        problem = services.password_problem("password123", [])
    assert problem == (
        "This password is too easy to guess. This is a very common password. "
        "Add another word or two. Uncommon words are better."
    )


def test_max_length_is_at_least_128(app):
    with app.app_context():
        long_password = "purple harbour distant " * 6  # 138 characters
        assert len(long_password) >= 128
        assert services.password_problem(long_password) is None


@pytest.mark.parametrize(
    ("email", "ok"),
    [
        ("a@example.org", True),
        ("first.last@sub.example.com", True),
        ("nope", False),
        ("a@localhost", False),
        ("a b@example.org", False),
        ("x" * 250 + "@e.org", False),
    ],
)
def test_email_rules(email, ok):
    assert (services.email_problem(email) is None) is ok


def test_register_creates_unverified_member_and_mails_link(app, ctx):
    result = services.register_user("  Alice ", " Alice@Example.ORG ", STRONG, address="1.2.3.4")
    db.session.commit()
    user = result.user
    assert user.username == "alice"
    assert user.email == "alice@example.org"
    assert user.role == Role.MEMBER
    assert user.email_verified_at is None
    assert user.guidelines_version == app.config["GUIDELINES_VERSION"]
    assert user.privacy_version == app.config["PRIVACY_VERSION"]
    assert user.terms_accepted_at is not None
    assert user.password_hash.startswith("pbkdf2:sha256:1")  # TestingConfig's method
    assert check_password_hash(user.password_hash, STRONG)
    [message] = outbox(app)
    assert message["To"] == "alice@example.org"
    assert message["Subject"] == "Confirm your email address"
    assert "/verify/" in message.get_content()


def test_mail_is_not_sent_when_the_transaction_rolls_back(app, ctx):
    services.register_user("alice", "alice@example.org", STRONG, address="1.2.3.4")
    db.session.rollback()
    assert outbox(app) == []
    assert db.session.query(User).count() == 0


def test_register_with_existing_email_creates_nothing_and_mails_notice(app, ctx, member):
    result = services.register_user("someoneelse", member.email.upper(), STRONG, address="1.2.3.4")
    db.session.commit()
    assert result.user is None
    assert db.session.query(User).count() == 1
    [message] = outbox(app)
    assert message["To"] == member.email
    assert "already have one" in message.get_content()
    assert "/login" in message.get_content() and "/reset" in message.get_content()


def test_register_refuses_taken_username_whatever_the_case(app, ctx, member):
    with pytest.raises(FieldErrors) as caught:
        services.register_user("MEMBER1", "new@example.org", STRONG, address="1.2.3.4")
    assert caught.value.errors == {"username": "That username is taken. Please choose another."}


def test_register_collects_every_problem(app, ctx):
    with pytest.raises(FieldErrors) as caught:
        services.register_user("ad", "not-an-email", "short", address="1.2.3.4")
    assert set(caught.value.errors) == {"username", "email", "password"}


def test_authenticate_by_username_or_email(app, ctx, member):
    assert services.authenticate("MEMBER1", PASSWORD, address="a") == member
    assert services.authenticate(" Member1@Example.org ", PASSWORD, address="a") == member


def test_authenticate_gives_one_message_for_unknown_account_and_wrong_password(app, ctx, member):
    with pytest.raises(services.LoginRefused) as unknown:
        services.authenticate("nobody", PASSWORD, address="a")
    with pytest.raises(services.LoginRefused) as wrong:
        services.authenticate("member1", "wrong password here", address="a")
    assert str(unknown.value) == str(wrong.value)


def test_unknown_account_still_spends_a_password_check(app, ctx, member, monkeypatch):
    calls = []
    real = services.passwords.check_password_hash
    # The real check (login) and the stand-in one (passwords) live in two modules.
    for module in (services.login, services.passwords):
        monkeypatch.setattr(
            module, "check_password_hash", lambda h, p: calls.append(h) or real(h, p)
        )
    with pytest.raises(services.LoginRefused):
        services.authenticate("nobody", "whatever", address="a")
    assert len(calls) == 1


def test_banned_account_with_right_password_gets_reason(app, ctx, banned_user):
    with pytest.raises(PermissionDenied, match=r"This account is banned\. Reason: Spam\."):
        services.authenticate("banned1", PASSWORD, address="a")
    with pytest.raises(services.LoginRefused):
        services.authenticate("banned1", "wrong password", address="a")


def test_failed_logins_are_limited_per_account(app, ctx, member):
    for _ in range(10):
        with pytest.raises(services.LoginRefused):
            services.authenticate("member1", "wrong", address=f"addr{_}")
    with pytest.raises(RateLimited):
        services.authenticate("member1", PASSWORD, address="fresh")


def test_verification_token_binds_user_and_email(app, ctx, unverified):
    token = services.verification_token(unverified)
    user, outcome = services.verify_email(token)
    assert (user, outcome) == (unverified, services.VERIFIED)
    assert unverified.email_verified_at is not None
    assert services.verify_email(token)[1] == services.ALREADY_VERIFIED


def test_verification_token_dies_when_the_email_changes(app, ctx, unverified):
    token = services.verification_token(unverified)
    unverified.email = "other@example.org"
    with pytest.raises(services.InvalidToken, match="no longer uses"):
        services.verify_email(token)


def test_verification_token_expires(app, ctx, unverified, monkeypatch):
    token = services.verification_token(unverified)
    later = time.time() + app.config["VERIFY_TOKEN_MAX_AGE"] + 10
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    with pytest.raises(services.InvalidToken, match="expired"):
        services.verify_email(token)


def test_tokens_from_another_salt_or_key_are_refused(app, ctx, unverified):
    reset = services.reset_token(unverified)
    with pytest.raises(services.InvalidToken, match="not valid"):
        services.verify_email(reset)
    forged = URLSafeTimedSerializer("another key", salt="verify").dumps(
        {"u": unverified.id, "e": unverified.email}
    )
    with pytest.raises(services.InvalidToken, match="not valid"):
        services.verify_email(forged)


def test_reset_token_is_single_use_and_ends_all_sessions(app, ctx, member):
    create_session(member, remember=False, user_agent="a")
    create_session(member, remember=True, user_agent="b")
    token = services.reset_token(member)
    assert services.user_for_reset_token(token) == member
    services.reset_password(member, STRONG)
    db.session.commit()
    assert check_password_hash(member.password_hash, STRONG)
    assert active_sessions(member) == []
    with pytest.raises(services.InvalidToken, match="already been used"):
        services.user_for_reset_token(token)


def test_reset_token_expires(app, ctx, member, monkeypatch):
    token = services.reset_token(member)
    later = time.time() + app.config["RESET_TOKEN_MAX_AGE"] + 10
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    with pytest.raises(services.InvalidToken, match="expired"):
        services.user_for_reset_token(token)


def test_reset_request_mails_only_existing_accounts(app, ctx, member):
    services.request_password_reset("nobody@example.org", address="a")
    db.session.commit()
    assert outbox(app) == []
    services.request_password_reset(member.email.upper(), address="a")
    db.session.commit()
    [message] = outbox(app)
    assert message["To"] == member.email
    assert message["Subject"] == "Reset your password"
    assert "/reset/" in message.get_content()


def test_create_account_for_the_command_line_is_verified(app, ctx):
    user = services.create_account("Boss", "boss@example.org", STRONG, role="admin", verified=True)
    assert user.is_verified and user.role == "admin" and user.username == "boss"


def test_create_account_refuses_taken_email(app, ctx, member):
    with pytest.raises(FieldErrors) as caught:
        services.create_account("fresh", member.email, STRONG)
    assert "email" in caught.value.errors


def test_mail_names_no_health_topic_nor_the_site(app, ctx, member, unverified):
    services.register_user("carol", "carol@example.org", STRONG, address="a")
    services.register_user("dave", member.email, STRONG, address="a")
    services.request_password_reset(member.email, address="a")
    services.reset_password(member, STRONG)
    db.session.commit()
    messages = outbox(app)
    assert len(messages) == 4
    banned_words = ["isotretinoin", "accutane", "acne", "skin", "experiences", "treatment"]
    for message in messages:
        text = (message["Subject"] + message["From"] + message.get_content()).lower()
        assert not [word for word in banned_words if word in text], message["Subject"]
