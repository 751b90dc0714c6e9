"""Outgoing mail.

``MAIL_BACKEND`` picks how a message leaves: ``file`` writes it as an .eml file under
``MAIL_OUTBOX`` and logs the link it carries (development), ``smtp`` sends it through
``SMTP_HOST``, ``memory`` keeps it in ``app.extensions["mail_outbox"]`` (tests).

Services call ``queue_mail``: the message goes out only when the database transaction that
asked for it commits, so a link never points at an account that was rolled back. Subjects
and bodies name no health topic and not the site (its name carries the drug's name): a mail
preview on a shared screen must not reveal what the member reads.
"""

import logging
import re
import smtplib
import ssl
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from forum.extensions import db

log = logging.getLogger(__name__)

QUEUE_KEY = "forum_mail_queue"
LINK_RE = re.compile(r"https?://\S+")


class MailError(Exception):
    """The message could not be handed to the mail backend."""


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    domain = parseaddr(config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(body)
    return message


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one plain-text message now through the configured backend."""
    message = build_message(to, subject, body)
    backend = current_app.config["MAIL_BACKEND"]
    sender = BACKENDS.get(backend)
    if sender is None:
        raise MailError(f"Unknown MAIL_BACKEND {backend!r}; use file, smtp or memory.")
    sender(message)


def _send_memory(message: EmailMessage) -> None:
    current_app.extensions.setdefault("mail_outbox", []).append(message)


def _send_file(message: EmailMessage) -> None:
    outbox = Path(current_app.config["MAIL_OUTBOX"])
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = outbox / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
    path.write_bytes(message.as_bytes())
    links = LINK_RE.findall(message.get_content())
    # Development only: the link lets a developer act without a mail server. No address.
    log.info("mail written to %s%s", path, f" link: {links[0]}" if links else "")


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    host, port, timeout = config["SMTP_HOST"], int(config["SMTP_PORT"]), config["SMTP_TIMEOUT"]
    context = ssl.create_default_context()
    try:
        if config["SMTP_SSL"]:
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            if config["SMTP_STARTTLS"] and not config["SMTP_SSL"]:
                smtp.starttls(context=context)
            if config["SMTP_USERNAME"]:
                smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"SMTP delivery through {host}:{port} failed") from exc


BACKENDS = {"memory": _send_memory, "file": _send_file, "smtp": _send_smtp}


def queue_mail(to: str, subject: str, body: str) -> None:
    """Send the message once the current transaction commits; drop it on rollback."""
    db.session.info.setdefault(QUEUE_KEY, []).append((to, subject, body))


@event.listens_for(Session, "after_commit")
def _deliver_queued(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: wait for the real commit
    queued = session.info.pop(QUEUE_KEY, None)
    for to, subject, body in queued or ():
        try:
            send_mail(to, subject, body)
        except MailError:
            # The data is committed; the member can ask for the mail again. No address logged.
            log.exception("mail delivery failed: %s", subject)


@event.listens_for(Session, "after_transaction_end")
def _drop_unsent(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(QUEUE_KEY, None)
