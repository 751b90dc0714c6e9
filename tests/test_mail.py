"""forum.mail: the backends, and mail leaving only when the transaction commits."""

import logging
import smtplib
from email import message_from_bytes

import pytest

from forum import mail
from forum.extensions import db
from tests.conftest import outbox
from tests.factories import make_user


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def test_default_sender_names_neither_the_site_nor_the_drug():
    from config import Config

    assert Config.MAIL_FROM == "Community forum <no-reply@localhost>"


def test_memory_backend_keeps_the_message(app, ctx):
    mail.send_mail("a@example.org", "Hello", "Body text https://x.example/y")
    [message] = outbox(app)
    assert message["To"] == "a@example.org"
    assert message["From"] == app.config["MAIL_FROM"]
    assert message["Subject"] == "Hello"
    assert message["Message-ID"] and message["Date"]
    assert message.get_content().strip() == "Body text https://x.example/y"


def test_file_backend_writes_eml_and_logs_the_link_but_not_the_address(
    app, ctx, tmp_path, monkeypatch, caplog
):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "file")
    monkeypatch.setitem(app.config, "MAIL_OUTBOX", str(tmp_path / "outbox"))
    with caplog.at_level(logging.INFO, logger="forum.mail"):
        mail.send_mail("a@example.org", "Confirm", "Open http://127.0.0.1:5000/verify/abc now.")
    [path] = (tmp_path / "outbox").glob("*.eml")
    parsed = message_from_bytes(path.read_bytes())
    assert parsed["To"] == "a@example.org" and parsed["Subject"] == "Confirm"
    [record] = [r for r in caplog.records if r.name == "forum.mail"]
    assert path.name in record.getMessage()
    assert "http://127.0.0.1:5000/verify/abc" in record.getMessage()
    assert "a@example.org" not in record.getMessage()


class FakeSMTP:
    instances: list = []
    fail = False

    def __init__(self, host, port, timeout=None, context=None):
        if FakeSMTP.fail:
            raise ConnectionRefusedError("no server")
        self.host, self.port, self.timeout, self.context = host, port, timeout, context
        self.calls = []
        FakeSMTP.instances.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.calls.append("quit")

    def starttls(self, context=None):
        self.calls.append("starttls")

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        self.calls.append(("send", message["To"]))


@pytest.fixture
def fake_smtp(app, monkeypatch):
    FakeSMTP.instances, FakeSMTP.fail = [], False
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(smtplib, "SMTP_SSL", type("FakeSSL", (FakeSMTP,), {}))
    for key, value in {
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": "mail.example.org",
        "SMTP_PORT": 587,
        "SMTP_USERNAME": "user",
        "SMTP_PASSWORD": "secret",
        "SMTP_STARTTLS": True,
        "SMTP_SSL": False,
        "SMTP_TIMEOUT": 7,
    }.items():
        monkeypatch.setitem(app.config, key, value)
    return FakeSMTP


def test_smtp_backend_uses_starttls_and_login(app, ctx, fake_smtp):
    mail.send_mail("a@example.org", "Subject", "Body")
    [smtp] = fake_smtp.instances
    assert (smtp.host, smtp.port, smtp.timeout) == ("mail.example.org", 587, 7)
    assert type(smtp) is FakeSMTP
    assert smtp.calls == [
        "starttls",
        ("login", "user", "secret"),
        ("send", "a@example.org"),
        "quit",
    ]


def test_smtp_backend_with_implicit_tls_and_no_login(app, ctx, fake_smtp, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_SSL", True)
    monkeypatch.setitem(app.config, "SMTP_PORT", 465)
    monkeypatch.setitem(app.config, "SMTP_USERNAME", "")
    mail.send_mail("a@example.org", "Subject", "Body")
    [smtp] = fake_smtp.instances
    assert type(smtp).__name__ == "FakeSSL" and smtp.context is not None
    assert smtp.calls == [("send", "a@example.org"), "quit"]


def test_smtp_failure_raises_mail_error(app, ctx, fake_smtp):
    fake_smtp.fail = True
    with pytest.raises(mail.MailError):
        mail.send_mail("a@example.org", "Subject", "Body")


def test_unknown_backend_is_an_error(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "pigeon")
    with pytest.raises(mail.MailError, match="pigeon"):
        mail.send_mail("a@example.org", "Subject", "Body")


def test_queued_mail_leaves_on_commit_only(app, ctx):
    mail.queue_mail("a@example.org", "One", "Body")
    make_user("someone")
    assert outbox(app) == []
    db.session.commit()
    assert [m["Subject"] for m in outbox(app)] == ["One"]


def test_queued_mail_is_dropped_on_rollback(app, ctx):
    make_user("someone")
    mail.queue_mail("a@example.org", "Two", "Body")
    db.session.rollback()
    db.session.commit()
    assert outbox(app) == []


def test_savepoint_commit_does_not_send(app, ctx):
    make_user("someone")
    mail.queue_mail("a@example.org", "Three", "Body")
    with db.session.begin_nested():
        make_user("another")
    assert outbox(app) == []
    db.session.commit()
    assert [m["Subject"] for m in outbox(app)] == ["Three"]


def test_failed_delivery_after_commit_is_logged_not_raised(app, ctx, fake_smtp, caplog):
    fake_smtp.fail = True
    make_user("someone")
    mail.queue_mail("a@example.org", "Four", "Body")
    with caplog.at_level(logging.ERROR, logger="forum.mail"):
        db.session.commit()
    assert any("mail delivery failed: Four" in r.getMessage() for r in caplog.records)
    assert all("a@example.org" not in r.getMessage() for r in caplog.records)
