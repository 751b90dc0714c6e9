"""How a message leaves: the ``MAIL_BACKEND`` that ``forum.mail.outbox`` hands it to.

``file`` writes it as an .eml file under ``MAIL_OUTBOX`` and logs the link it carries
(development), ``smtp`` sends it through ``SMTP_HOST``, ``memory`` keeps it in
``app.extensions["mail_outbox"]`` (tests).
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

# One logger for the whole package: operators filter on "forum.mail".
log = logging.getLogger("forum.mail")

LINK_RE = re.compile(r"https?://\S+")


class MailError(Exception):
    """The message could not be handed to the mail backend."""


def sender_domain() -> str:
    return parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"


def new_message_id() -> str:
    return make_msgid(domain=sender_domain())


def build_message(
    to: str,
    subject: str,
    body: str,
    *,
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    extra = dict(headers or {})
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = extra.pop("Message-ID", None) or new_message_id()
    for name, value in extra.items():
        message[name] = value
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def send_mail(
    to: str,
    subject: str,
    body: str,
    *,
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Send one message now through the configured backend; raises MailError.

    Requests never call this: they queue with ``forum.mail.queue_mail``.
    """
    message = build_message(to, subject, body, html=html, headers=headers)
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
    text = message.get_body(("plain",))
    links = LINK_RE.findall(text.get_content() if text else "")
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
