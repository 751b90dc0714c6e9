"""Outgoing mail (issues #2 and #9).

Services call ``queue_mail``: the message is a row of the outbox, written in the caller's
transaction and sent once it commits (``forum.mail.outbox`` says when and how it is never
sent twice); ``forum.mail.backends`` hands it to the file, SMTP or memory backend.
Subjects and bodies name no health topic and not the site (its name carries the drug's
name): a mail preview on a shared screen must not reveal what the member reads.
"""

from forum.mail.backends import BACKENDS, LINK_RE, MailError, build_message, send_mail
from forum.mail.outbox import (
    DELIVERY_MODES,
    Delivery,
    OutboxState,
    deliver,
    deliver_pending,
    outbox_state,
    purge_outbox,
    queue_mail,
)

__all__ = [
    "BACKENDS",
    "DELIVERY_MODES",
    "LINK_RE",
    "Delivery",
    "MailError",
    "OutboxState",
    "build_message",
    "deliver",
    "deliver_pending",
    "outbox_state",
    "purge_outbox",
    "queue_mail",
    "send_mail",
]
