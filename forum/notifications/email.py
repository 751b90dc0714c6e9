"""Notification mail (issue #12): each member's choices, the mail for one event, the daily
digest, and one-click unsubscribe links.

Per kind a member picks ``off`` (the default), ``each`` or ``digest``. Mail is a row of the
outbox written in the same transaction as the notification it is about, so the sender
(``forum.mail``) sends it once. Subjects name no health topic and no thread title; bodies
name the thread and link to it, and quote a post only when the member asked for excerpts.
Every mail carries ``List-Unsubscribe`` (a signed https link, RFC 8058 one-click) and the
same link in its text.
"""

from dataclasses import dataclass

from flask import current_app, has_request_context, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update

from forum.extensions import db
from forum.mail import queue_mail
from forum.models import Notification, NotificationPrefs, Post, Thread, User, UserStatus
from forum.notifications.kinds import MAIL_KIND_OF
from forum.urls import external_url
from forum.visibility import can_see_post, can_see_thread

# DIGEST is also the kind of a digest's unsubscribe link: every kind sent as a digest.
OFF, EACH, DIGEST = "off", "each", "digest"
CHOICES = (OFF, EACH, DIGEST)
# The settings form's fields, one per kind of notification mail.
EMAIL_KINDS = ("reply", "watched", "mention", "moderation", "checkin")
KIND_LABELS = {
    "reply": "Replies to your posts",
    "watched": "New replies and threads in what you watch and follow",
    "mention": "Mentions of you",
    "moderation": "Moderators' decisions about your posts and reports",
    "checkin": "Check-ins due after you finish treatment (from your journal)",
    DIGEST: "The daily summary",
}
SUBJECTS = {
    "reply": "New replies on the forum",
    "watched": "New activity on the forum",
    "mention": "You were mentioned on the forum",
    "moderation": "News about your post on the forum",
    "checkin": "Your check-in after treatment is due",
}
DIGEST_SUBJECT = "Your daily summary from the forum"
UNSUBSCRIBE_SALT = "notification-unsubscribe"
MAIL_KIND = "notification"  # OutboxMessage.kind


def prefs_for(user: User | int) -> NotificationPrefs:
    """The member's choices (defaults when they never saved any; nothing is added)."""
    user_id = user if isinstance(user, int) else user.id
    return db.session.get(NotificationPrefs, user_id) or default_prefs(user_id)


def default_prefs(user_id: int) -> NotificationPrefs:
    """The choices of a member who never saved any (not added to the session)."""
    return NotificationPrefs(
        user_id=user_id,
        email_reply=OFF,
        email_watched=OFF,
        email_mention=OFF,
        email_moderation=OFF,
        email_checkin=OFF,
        auto_watch=True,
        include_excerpts=False,
    )


def save_prefs(user: User, **values) -> NotificationPrefs:
    """Store the member's choices (``email_<kind>``, ``auto_watch``, ``include_excerpts``)."""
    prefs = db.session.get(NotificationPrefs, user.id)
    if prefs is None:
        prefs = prefs_for(user)
        db.session.add(prefs)
    for name, value in values.items():
        if name.startswith("email_") and value not in CHOICES:
            raise ValueError(f"{name} must be one of {CHOICES}")
        setattr(prefs, name, value)
    db.session.flush()
    return prefs


def choice(prefs: NotificationPrefs, kind: str) -> str:
    return getattr(prefs, f"email_{kind}", OFF) or OFF


# --- Unsubscribe links ---------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user_id: int, kind: str) -> str:
    return _serializer().dumps({"u": int(user_id), "k": kind})


@dataclass(frozen=True)
class Unsubscribe:
    user: User
    kind: str

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def read_unsubscribe_token(token: str) -> Unsubscribe | None:
    """The member and kind a token names; None for a forged, altered or stale token."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in KIND_LABELS:
        return None
    user_id = data.get("u")
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    return Unsubscribe(user, data["k"]) if user is not None else None


def unsubscribe(found: Unsubscribe) -> None:
    """Turn off the mail the token's link came with (every digest kind, for a digest)."""
    if found.kind != DIGEST:
        save_prefs(found.user, **{f"email_{found.kind}": OFF})
        return
    prefs = prefs_for(found.user)
    kinds = [kind for kind in EMAIL_KINDS if choice(prefs, kind) == DIGEST]
    save_prefs(found.user, **{f"email_{kind}": OFF for kind in kinds})


def link(endpoint: str, **values) -> str:
    """An absolute link for mail, from BASE_URL: in a request, or after it (the fan-out
    runs once the response has gone, and commands run with no request at all)."""
    if has_request_context():
        return external_url(url_for(endpoint, **values))
    with current_app.test_request_context():
        return external_url(url_for(endpoint, **values))


def unsubscribe_url(user_id: int, kind: str) -> str:
    return link("notifications.unsubscribe", token=unsubscribe_token(user_id, kind))


def _headers(url: str) -> dict[str, str]:
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


# --- One mail per event --------------------------------------------------------------------


def _post_link(post: Post | None, thread: Thread | None) -> str | None:
    if post is not None:
        return link("threads.permalink", post_id=post.id)
    if thread is not None:
        return link("threads.show", thread_id=thread.id)
    return None


def excerpt(text: str, length: int = 300) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def _lines(note: Notification, post: Post | None, thread: Thread | None, excerpts: bool):
    lines = [note.message]
    link = _post_link(post, thread)
    if link:
        lines.append(f"Read it here: {link}")
    if excerpts and post is not None and post.body:
        lines.append(f"“{excerpt(post.body, 300)}”")
    return lines


def _footer(url: str, kind: str) -> str:
    return (
        f"You get this mail because of your notification settings ({KIND_LABELS[kind]}).\n"
        f"Stop these mails with one click: {url}\n"
    )


def mail_event(
    user: User,
    kind: str,
    note: Notification,
    *,
    post: Post | None,
    thread: Thread | None,
    prefs: NotificationPrefs,
) -> None:
    """Queue the mail for one notification (``prefs`` chose ``each`` for ``kind``)."""
    url = unsubscribe_url(user.id, kind)
    body = "Hello,\n\n" + "\n\n".join(_lines(note, post, thread, prefs.include_excerpts))
    body += "\n\n-- \n" + _footer(url, kind)
    queue_mail(user.email, SUBJECTS[kind], body, headers=_headers(url), kind=MAIL_KIND)


def route(user: User, kind: str, note: Notification, *, post, thread, prefs=None) -> None:
    """Mail a notification now, keep it for the digest, or neither, as ``user`` chose."""
    if user.status == UserStatus.BANNED or not user.is_verified:
        return
    prefs = prefs or prefs_for(user)
    wanted = choice(prefs, kind)
    if wanted == EACH:
        mail_event(user, kind, note, post=post, thread=thread, prefs=prefs)
    elif wanted == DIGEST:
        note.digest_due = True


# --- The daily digest ----------------------------------------------------------------------


def _digest_users(after: int, limit: int) -> list[int]:
    return list(
        db.session.scalars(
            select(Notification.user_id)
            .where(Notification.digest_due, Notification.user_id > after)
            .group_by(Notification.user_id)
            .order_by(Notification.user_id)
            .limit(limit)
        )
    )


def digest_for(user: User) -> bool:
    """Queue ``user``'s digest of what waits for it and clear the flags; False when none
    of it may still be shown (a reply hidden since: nothing is mailed about it)."""
    notes = list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id, Notification.digest_due)
            .order_by(Notification.id)
        )
    )
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.digest_due)
        .values(digest_due=False)
        .execution_options(synchronize_session=False)
    )
    if user.status == UserStatus.BANNED or not user.is_verified:
        return False
    prefs = prefs_for(user)
    sections = []
    for note in notes:
        kind = MAIL_KIND_OF.get(note.kind)
        if kind is None or choice(prefs, kind) != DIGEST:
            continue
        post = db.session.get(Post, note.post_id) if note.post_id else None
        thread = db.session.get(Thread, note.thread_id) if note.thread_id else None
        if post is not None and not can_see_post(post, user):
            continue
        if post is None and thread is not None and not can_see_thread(thread, user):
            continue
        sections.append("\n".join(_lines(note, post, thread, prefs.include_excerpts)))
    if not sections:
        return False
    url = unsubscribe_url(user.id, DIGEST)
    body = "Hello,\n\nWhat happened since your last summary:\n\n" + "\n\n".join(sections)
    body += "\n\n-- \n" + _footer(url, DIGEST)
    queue_mail(user.email, DIGEST_SUBJECT, body, headers=_headers(url), kind=MAIL_KIND)
    return True


def send_digests(*, batch_size: int = 200) -> int:
    """Queue every member's digest; returns how many were queued.

    Like ``forum.mail.deliver`` this works in its own transactions: one per member, holding
    the digest mail and the cleared flags, so a crash part-way mails nobody twice and a
    second run finds nothing left to send.
    """
    sent, after = 0, 0
    while batch := _digest_users(after, batch_size):
        for user_id in batch:
            user = db.session.get(User, user_id)
            if user is not None and digest_for(user):
                sent += 1
            db.session.commit()
        after = batch[-1]
    return sent
