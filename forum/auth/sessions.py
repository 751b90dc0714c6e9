"""Server-side login sessions.

Each login creates a ``UserSession`` row; the cookie carries a random token whose SHA-256
is the row's key. Flask-Login stores that token (``User.get_id``), so deleting the row ends
every copy of the cookie, remember-me cookie included.
"""

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import bindparam, case, delete, func, inspect, or_, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict, set_committed_value

from forum.auth.session_cache import init_session_cache
from forum.extensions import db, login_manager
from forum.models import ItemStatus, Notification, ReviewItem, Role, User, UserSession, utcnow


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


BROWSERS = (
    ("Edge", r"Edg(e|A|iOS)?/"),
    ("Opera", r"OPR/|Opera"),
    ("Samsung Internet", r"SamsungBrowser"),
    ("Firefox", r"Firefox/|FxiOS"),
    ("Chrome", r"Chrome/|CriOS|Chromium"),
    ("Safari", r"Safari/"),
)
SYSTEMS = (
    ("Android", r"Android"),
    ("iOS", r"iPhone|iPad|iPod"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("ChromeOS", r"CrOS"),
    ("Linux", r"Linux"),
)


def browser_family(user_agent: str | None) -> str:
    """ "Firefox on Linux": enough to recognise a session, nothing more is kept."""
    ua = user_agent or ""
    browser = next((name for name, rx in BROWSERS if re.search(rx, ua)), "Unknown browser")
    system = next((name for name, rx in SYSTEMS if re.search(rx, ua)), None)
    return f"{browser} on {system}" if system else browser


def create_session(user: User, *, remember: bool, user_agent: str | None) -> str:
    """Record a new login for ``user`` and return the token its cookie will carry."""
    token = secrets.token_urlsafe(32)
    user_session = UserSession(
        token_hash=hash_token(token),
        user=user,
        browser=browser_family(user_agent),
        remember=remember,
    )
    db.session.add(user_session)
    db.session.flush()
    user.session_token = token
    # The rest of this request (flask_login.login_user keeps this object) sees the session.
    user.current_session = user_session
    return token


def idle_cutoff():
    return utcnow() - timedelta(days=current_app.config["SESSION_IDLE_DAYS"])


# The member's columns by attribute name, in the order the session query returns them.
USER_COLUMNS = tuple((prop.key, prop.columns[0]) for prop in User.__mapper__.column_attrs)


@functools.cache
def _user_statement():
    """The session, its user's columns, the user's unread count and, for moderators, the
    waiting queue items and how many of them are crisis items, for a token hash bound at
    run time (built once: building it cost as much as running it, on every request).

    Plain columns, not an ORM entity: run on the session's connection it skips the ORM's
    execution and loading, which were most of its cost (issue #17)."""
    users, sessions = User.__table__, UserSession.__table__
    notifications, items = Notification.__table__, ReviewItem.__table__
    unread = (
        select(func.count(notifications.c.id))
        .where(notifications.c.user_id == users.c.id, notifications.c.read_at.is_(None))
        .correlate(users)
        .scalar_subquery()
    )
    # Two comparisons, not IN: an expanding IN is re-rendered into the SQL on every run.
    staff = or_(users.c.role == Role.MODERATOR, users.c.role == Role.ADMIN)
    # Inside CASE, the counts are only run for moderators and admins (issue #12).
    waiting = select(func.count(items.c.id)).where(items.c.status == ItemStatus.PENDING)
    # Severity 3 is a crisis report (forum.moderation.services.items.SEVERITY_CRISIS, which
    # this module cannot import: moderation imports it).
    crisis = waiting.where(or_(items.c.is_crisis, items.c.severity >= 3))
    queue = case((staff, waiting.scalar_subquery()), else_=0)
    crisis_queue = case((staff, crisis.scalar_subquery()), else_=0)
    return (
        select(
            sessions.c.id,
            sessions.c.last_seen_at,
            unread,
            queue,
            crisis_queue,
            *(column for _key, column in USER_COLUMNS),
        )
        .join(users, sessions.c.user_id == users.c.id)
        .where(sessions.c.token_hash == bindparam("token_hash"))
    )


@dataclass(frozen=True)
class SessionRef:
    """The request's session row, as far as the request needs it."""

    id: int
    last_seen_at: datetime


def _read_session(token_hash: str) -> tuple[tuple, dict] | None:
    """What the session query gives for ``token_hash``: the session id, its last use and
    the menu's counts, and the member's columns by attribute name."""
    row = db.session.connection().execute(_user_statement(), {"token_hash": token_hash}).first()
    if row is None:
        return None
    return tuple(row[:5]), dict(zip((key for key, _ in USER_COLUMNS), row[5:], strict=True))


def _member_from(columns: dict[str, object]) -> User:
    """The member's row as a persistent, clean ``User`` of this request's session, as a
    query would have loaded it: what the request changes on it is flushed as usual."""
    session = db.session()
    if session.autoflush and (session.new or session.identity_map):
        session.flush()  # as a query would before reading
    key = User.__mapper__.identity_key_from_primary_key((columns["id"],))
    existing = session.identity_map.get(key)
    if existing is not None:  # a query keeps the instance, filling in what was expired
        for attribute in inspect(existing).unloaded & columns.keys():
            set_committed_value(existing, attribute, columns[attribute])
        return existing
    user = User.__mapper__.class_manager.new_instance()
    instance_dict(user).update(columns)
    make_transient_to_detached(user)
    session.add(user)  # detached to persistent, as loaded: no copy, no query
    return user


def load_user_from_token(token: str) -> User | None:
    """One query, or none while the worker's kept copy of it is exact
    (forum/auth/session_cache.py): the session, its user and the user's unread count."""
    token_hash = hash_token(token)
    cache = current_app.extensions.get("session_cache")
    stamp = cache.stamp() if cache is not None else None
    kept = cache.get(token_hash, stamp) if stamp is not None else None
    if kept is not None:
        extras, columns = kept.extras, kept.columns
    else:
        read = _read_session(token_hash)
        if read is None:
            return None
        extras, columns = read
        if stamp is not None:
            cache.keep(token_hash, stamp, columns, extras)
    session_id, last_seen_at, unread_count, queue_waiting, queue_crisis = extras
    user = _member_from(columns)
    user_session = SessionRef(session_id, last_seen_at)
    if user_session.last_seen_at < idle_cutoff() or user.is_banned:
        return None
    user.session_token = token
    user.current_session = user_session
    user.unread_count = unread_count
    user.queue_waiting, user.queue_crisis = queue_waiting or 0, queue_crisis or 0
    _touch(user_session)
    return user


def _touch(user_session: SessionRef) -> None:
    """Record the day a session was last used; at most one write a day per session."""
    now = utcnow()
    if user_session.last_seen_at.date() == now.date():
        return
    try:
        db.session.execute(
            UserSession.__table__.update()
            .where(UserSession.id == user_session.id)
            .values(last_seen_at=now)
        )
        db.session.commit()
    except OperationalError:
        # A busy SQLite writer: the date is only a hint, try again next request.
        db.session.rollback()


def end_session(user: User, session_id: int) -> bool:
    """End one of ``user``'s sessions; False if there was no such session."""
    result = db.session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.id == session_id)
    )
    return result.rowcount > 0


def end_other_sessions(user: User, keep_id: int | None) -> int:
    stmt = delete(UserSession).where(UserSession.user_id == user.id)
    if keep_id is not None:
        stmt = stmt.where(UserSession.id != keep_id)
    return db.session.execute(stmt).rowcount


def end_all_sessions(user: User) -> int:
    return end_other_sessions(user, None)


def purge_idle_sessions() -> int:
    return db.session.execute(
        delete(UserSession).where(UserSession.last_seen_at < idle_cutoff())
    ).rowcount


def active_sessions(user: User) -> list[UserSession]:
    return list(
        db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id, UserSession.last_seen_at >= idle_cutoff())
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


def init_login(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"
    # Sessions are server-side rows, so Flask-Login's IP/agent hashing is not needed and
    # would log people out when their network changes.
    login_manager.session_protection = None
    init_session_cache(app)

    @login_manager.user_loader
    def load_user(token: str) -> User | None:
        return load_user_from_token(token)
