"""The outbox: a message is a row written in the caller's transaction (issue #9).

``queue_mail`` only adds an ``OutboxMessage`` to the session; a rollback takes the mail
with it, so a link never points at an account that does not exist. Once the transaction
commits, ``MAIL_DELIVERY`` says when the message leaves:

- ``after_response`` (the default): the process that served the request sends that
  request's mail after the response has gone out (Werkzeug's close callback, which
  gunicorn and the development server call once the last byte is written), on its
  background thread (``forum.background``), so a slow mail server never holds up the
  process's next request. A request takes
  the same time whether it queued mail or not, so timing tells nothing about an address,
  and a small deployment needs nothing else running. Outside a request (a command), mail
  leaves right after the commit.
- ``after_commit``: as soon as the transaction commits, before the request goes on (tests,
  which read the memory backend right after).
- ``command``: only ``flask mail send`` sends (from cron or a timer).

``flask mail send`` sends whatever is left in any mode: the mail of a process that died,
and messages whose sending failed and whose retry is due (``MAIL_RETRY_SECONDS``, doubled
at each attempt, up to ``MAIL_MAX_ATTEMPTS``).

Never twice: one UPDATE claims a message (claim token and time) only while it is unsent
and unclaimed, or claimed longer than ``MAIL_CLAIM_SECONDS`` ago; only the process whose
token landed sends it, then records ``sent_at``. The one window left is a process that
dies after the mail server accepted the message and before ``sent_at`` is written: its
claim goes stale and the message is sent again ``MAIL_CLAIM_SECONDS`` later, with the same
Message-ID, which most mail systems use to show it once.
"""

import functools
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app, has_request_context, request, request_finished
from sqlalchemy import and_, delete, event, func, inspect, or_, select, update
from sqlalchemy.orm import Session

from forum import background
from forum.extensions import db
from forum.mail.backends import log, new_message_id, send_mail
from forum.models import OutboxMessage, utcnow

QUEUE_KEY = "forum_mail_queue"  # session.info: messages added in the open transaction
PENDING_KEY = "forum.mail.pending"  # request environ: ids to send after the response
FINISHED_KEY = "forum.mail.finished"  # request environ: the response has been built
DELIVERY_MODES = ("after_response", "after_commit", "command")
BATCH_SIZE = 100
MAX_BACKOFF = timedelta(hours=12)

outbox = OutboxMessage.__table__


def queue_mail(
    to: str,
    subject: str,
    body: str,
    *,
    html: str | None = None,
    headers: dict[str, str] | None = None,
    kind: str = "account",
) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction (never commits).

    It leaves after that transaction commits (see ``MAIL_DELIVERY``) and never if it rolls
    back. ``headers`` are extra headers, such as List-Unsubscribe.
    """
    message = OutboxMessage(
        to_address=to,
        subject=subject,
        body_text=body,
        body_html=html,
        # Fixed now, so a message sent twice (see the module notes) is recognisably one.
        headers={"Message-ID": new_message_id(), **(headers or {})},
        kind=kind,
    )
    db.session.add(message)
    db.session.info.setdefault(QUEUE_KEY, []).append(message)
    return message


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: wait for the real commit
    queued = session.info.pop(QUEUE_KEY, None)
    # Rows added in a savepoint that rolled back lost their identity: skip them.
    ids = [key[0] for key in (inspect(message).identity for message in queued or ()) if key]
    if not ids:
        return
    mode = current_app.config["MAIL_DELIVERY"]
    if mode == "command":
        return
    if mode == "after_response" and has_request_context():
        environ = request.environ
        if not environ.get(FINISHED_KEY):
            environ.setdefault(PENDING_KEY, []).extend(ids)
            return
        # Committed after the response was built (a teardown): no later moment is left.
    deliver(ids)


@event.listens_for(Session, "after_transaction_end")
def _drop_unsent(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(QUEUE_KEY, None)


@request_finished.connect
def _send_after_response(app: Flask, response, **_extra) -> None:
    request.environ[FINISHED_KEY] = True
    ids = request.environ.pop(PENDING_KEY, None)
    if ids:
        work = functools.partial(_deliver_outside_request, app, ids)
        response.call_on_close(lambda: background.runner.later(work))


def _deliver_outside_request(app: Flask, ids: list[int]) -> None:
    try:
        with app.app_context():
            deliver(ids)
    except Exception:
        # The messages stay in the outbox; `flask mail send` sends them.
        log.exception("mail delivery after the response failed")


# --- Sending -------------------------------------------------------------------------------


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0


def deliver(ids: list[int] | None = None) -> Delivery:
    """Send the due messages among ``ids``, or every due message, each at most once.

    A message that fails stays in the outbox with its error and a later retry time. Opens
    its own short transactions, so the caller's session is not touched.
    """
    result = Delivery()
    if ids is not None:
        for message_id in ids:
            _claim_and_send(message_id, result)
        return result
    after = 0
    while True:
        batch = _due_ids(after)
        if not batch:
            return result
        for message_id in batch:
            _claim_and_send(message_id, result)
        after = batch[-1]


def deliver_pending() -> Delivery:
    """Send every message that is due: ``flask mail send``, and periodic jobs."""
    return deliver()


def _due(now: datetime):
    config = current_app.config
    stale = now - timedelta(seconds=int(config["MAIL_CLAIM_SECONDS"]))
    return and_(
        outbox.c.sent_at.is_(None),
        outbox.c.attempts < int(config["MAIL_MAX_ATTEMPTS"]),
        or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now),
        or_(outbox.c.claimed_at.is_(None), outbox.c.claimed_at < stale),
    )


def _due_ids(after: int) -> list[int]:
    with db.engine.connect() as conn:
        return list(
            conn.scalars(
                select(outbox.c.id)
                .where(_due(utcnow()), outbox.c.id > after)
                .order_by(outbox.c.id)
                .limit(BATCH_SIZE)
            )
        )


def _claim(message_id: int):
    """The row, if this process won it; None if it is sent, claimed elsewhere or not due."""
    now, token = utcnow(), secrets.token_hex(16)
    with db.engine.begin() as conn:
        won = conn.execute(
            update(outbox)
            .where(outbox.c.id == message_id, _due(now))
            .values(claim_token=token, claimed_at=now, attempts=outbox.c.attempts + 1)
        ).rowcount
        if not won:
            return None
        return conn.execute(select(outbox).where(outbox.c.id == message_id)).one()


def _claim_and_send(message_id: int, result: Delivery) -> None:
    row = _claim(message_id)
    if row is None:
        return
    try:
        send_mail(
            row.to_address, row.subject, row.body_text, html=row.body_html, headers=row.headers
        )
    except Exception as exc:  # any failure of one message must not stop the others
        _release(row, exc)
        result.failed += 1
        return
    with db.engine.begin() as conn:
        marked = conn.execute(
            update(outbox)
            .where(outbox.c.id == row.id, outbox.c.claim_token == row.claim_token)
            .values(sent_at=utcnow())
        ).rowcount
    if not marked:
        log.warning("mail %s was sent after its claim went stale: it may go out twice", row.id)
    result.sent += 1


def _release(row, exc: Exception) -> None:
    config = current_app.config
    cause = exc.__cause__ or exc
    error = f"{type(exc).__name__}: {exc}"
    if cause is not exc:
        error += f" ({type(cause).__name__}: {cause})"
    seconds = int(config["MAIL_RETRY_SECONDS"]) * 2 ** min(row.attempts - 1, 20)
    delay = min(timedelta(seconds=seconds), MAX_BACKOFF)
    with db.engine.begin() as conn:
        conn.execute(
            update(outbox)
            .where(outbox.c.id == row.id, outbox.c.claim_token == row.claim_token)
            .values(
                claim_token=None,
                claimed_at=None,
                last_error=error[:500],
                next_attempt_at=utcnow() + delay,
            )
        )
    final = row.attempts >= int(config["MAIL_MAX_ATTEMPTS"])
    # The subject and the error class only: never the address.
    log.error(
        "mail delivery failed: %s (%s, attempt %d, %s)",
        row.subject,
        type(cause).__name__,
        row.attempts,
        "giving up" if final else f"next try in {int(delay.total_seconds())} s",
    )


# --- Housekeeping --------------------------------------------------------------------------


@dataclass
class OutboxState:
    waiting: int
    given_up: int


def outbox_state() -> OutboxState:
    """How many messages wait to be sent, and how many were given up on."""
    limit = int(current_app.config["MAIL_MAX_ATTEMPTS"])
    unsent = select(func.count(OutboxMessage.id)).where(OutboxMessage.sent_at.is_(None))
    return OutboxState(
        waiting=db.session.scalar(unsent.where(OutboxMessage.attempts < limit)),
        given_up=db.session.scalar(unsent.where(OutboxMessage.attempts >= limit)),
    )


def purge_outbox() -> int:
    """Delete messages sent, or given up on, more than MAIL_KEEP_DAYS ago (never commits).

    They hold addresses and links that are of no more use to anyone.
    """
    config = current_app.config
    cutoff = utcnow() - timedelta(days=int(config["MAIL_KEEP_DAYS"]))
    given_up = and_(
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.attempts >= int(config["MAIL_MAX_ATTEMPTS"]),
        OutboxMessage.created_at < cutoff,
    )
    return db.session.execute(
        delete(OutboxMessage).where(or_(OutboxMessage.sent_at < cutoff, given_up))
    ).rowcount
