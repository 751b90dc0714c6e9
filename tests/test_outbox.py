"""The outbox: mail written with the transaction, sent once, retried, and `flask mail send`."""

import smtplib
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from forum import background, mail
from forum.extensions import db
from forum.models import OutboxMessage, utcnow
from tests.conftest import outbox
from tests.factories import make_user


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_queued_mail_is_a_row_marked_sent_once_delivered(app, ctx):
    mail.queue_mail("a@example.org", "Hello", "Body", kind="test")
    db.session.commit()
    [row] = rows()
    assert row.sent_at is not None and row.attempts == 1 and row.kind == "test"
    [message] = outbox(app)
    assert message["Message-ID"] == row.headers["Message-ID"]


def test_a_message_is_never_sent_twice(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_DELIVERY", "command")
    mail.queue_mail("a@example.org", "Once", "Body")
    db.session.commit()
    [row] = rows()
    assert mail.deliver([row.id]).sent == 1
    assert mail.deliver([row.id]).sent == 0
    assert mail.deliver_pending().sent == 0
    assert len(outbox(app)) == 1


def test_concurrent_senders_send_each_message_once(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_DELIVERY", "command")
    for i in range(30):
        mail.queue_mail(f"a{i}@example.org", f"Message {i}", "Body")
    db.session.commit()
    errors = []

    def run():
        try:
            with app.app_context():
                mail.deliver_pending()
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(m["Subject"] for m in outbox(app)) == sorted(f"Message {i}" for i in range(30))


def test_a_fresh_claim_keeps_others_off_and_a_stale_one_does_not(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_DELIVERY", "command")
    mail.queue_mail("a@example.org", "Claimed", "Body")
    db.session.commit()
    [row] = rows()
    db.session.execute(
        update(OutboxMessage).values(claim_token="elsewhere", claimed_at=utcnow(), attempts=1)
    )
    db.session.commit()
    assert mail.deliver_pending().sent == 0
    stale = utcnow() - timedelta(seconds=app.config["MAIL_CLAIM_SECONDS"] + 1)
    db.session.execute(update(OutboxMessage).values(claimed_at=stale))
    db.session.commit()
    assert mail.deliver_pending().sent == 1
    assert rows()[0].attempts == 2


class FailingSMTP:
    def __init__(self, *args, **kwargs):
        raise ConnectionRefusedError("no server")


def test_a_failed_send_stays_for_a_retry_with_backoff(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setattr(smtplib, "SMTP", FailingSMTP)
    mail.queue_mail("a@example.org", "Retry", "Body")
    db.session.commit()
    [row] = rows()
    assert row.sent_at is None and row.attempts == 1 and row.claim_token is None
    assert "ConnectionRefusedError" in row.last_error and "a@example.org" not in row.last_error
    wait = row.next_attempt_at - utcnow()
    assert timedelta(seconds=50) < wait <= timedelta(seconds=app.config["MAIL_RETRY_SECONDS"])
    assert mail.deliver_pending().failed == 0  # not due yet
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()
    assert mail.deliver_pending().failed == 1
    second = rows()[0]
    assert second.attempts == 2 and second.next_attempt_at - utcnow() > timedelta(seconds=110)
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "memory")
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()
    assert mail.deliver_pending().sent == 1
    assert [m["Subject"] for m in outbox(app)] == ["Retry"]


def test_html_body_and_extra_headers(app, ctx):
    unsubscribe = "<https://forum.example/unsubscribe/x>"
    mail.queue_mail(
        "a@example.org",
        "Both",
        "Plain",
        html="<p>Rich</p>",
        headers={"List-Unsubscribe": unsubscribe},
    )
    db.session.commit()
    [message] = outbox(app)
    assert message["List-Unsubscribe"] == unsubscribe
    assert message.get_body(("plain",)).get_content().strip() == "Plain"
    assert message.get_body(("html",)).get_content().strip() == "<p>Rich</p>"


def test_after_response_mode_sends_once_the_response_is_closed(make_app, member):
    extra = make_app(MAIL_DELIVERY="after_response")
    client = extra.test_client()
    response = client.post("/reset", data={"email": "member1@example.org"})
    assert response.status_code == 302
    assert outbox(extra) == []  # the response is out, the mail not yet
    [row] = rows()
    assert row.sent_at is None
    db.session.commit()  # let go of SQLite's lock, as a request's session does
    response.close()  # hands the sending to the process's background thread
    assert background.runner.wait_idle()
    assert [m["To"] for m in outbox(extra)] == ["member1@example.org"]
    assert rows()[0].sent_at is not None


def test_mail_send_command_sends_what_is_left(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_DELIVERY", "command")
    make_user("someone")
    mail.queue_mail("a@example.org", "Left", "Body")
    mail.queue_mail("b@example.org", "Over", "Body")
    db.session.commit()
    assert outbox(app) == []
    runner = app.test_cli_runner()
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 2 messages." in result.output
    assert sorted(m["Subject"] for m in outbox(app)) == ["Left", "Over"]
    again = runner.invoke(args=["mail", "send"])
    assert "Sent 0 messages." in again.output and len(outbox(app)) == 2


def test_mail_send_command_reports_failures_and_purges_old_mail(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_DELIVERY", "command")
    mail.queue_mail("old@example.org", "Old", "Body")
    mail.queue_mail("a@example.org", "Fails", "Body")
    db.session.commit()
    old, failing = rows()
    long_ago = utcnow() - timedelta(days=app.config["MAIL_KEEP_DAYS"] + 1)
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == old.id).values(sent_at=long_ago)
    )
    db.session.commit()
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setattr(smtplib, "SMTP", FailingSMTP)
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 1
    assert "1 message failed and will be retried." in result.output
    assert "Deleted 1 old message." in result.output
    assert [row.id for row in rows()] == [failing.id]
