"""Objects for tests, built the way production builds them.

Threads and replies go through ``forum.threads.services`` (so tree paths, ordinals and
counters are the service's), and a status other than visible is reached through the
moderation services: a held post is held, a hidden or removed one is decided by a
moderator and logged. Only members are written directly: registration is tested on its own,
and a fixture needs a known password without the cost of a real hash.

Traits in the manner of factory libraries: ``make_user(role=Role.MODERATOR)``,
``make_user(status=UserStatus.SUSPENDED)``, ``make_thread(status=PostStatus.PENDING)``,
``make_post(thread, parent=reply, status=PostStatus.HIDDEN)``.
"""

import contextlib
import itertools
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from forum.extensions import db
from forum.models import Post, PostStatus, Role, Tag, Thread, User, UserStatus, utcnow
from forum.models.moderation import Decision
from forum.moderation.services.items import pending_item
from forum.threads.services import opening_post

PASSWORD = "correct horse battery staple"
SUSPENSION = timedelta(days=7)
DECIDED = "Against the community guidelines."
_counter = itertools.count(1)
_password_hash = None

__all__ = [
    "PASSWORD",
    "make_post",
    "make_tag",
    "make_thread",
    "make_user",
    "opening_post",
    "set_post_status",
    "unlimited",
]


def _hash() -> str:
    global _password_hash
    if _password_hash is None:
        _password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
    return _password_hash


# --- Members ---------------------------------------------------------------------------------


def make_user(
    username: str | None = None,
    *,
    email: str | None = None,
    role: Role | str = Role.MEMBER,
    status: UserStatus | str = UserStatus.ACTIVE,
    verified: bool = True,
    suspended_until: datetime | None = None,
    status_reason: str | None = None,
    **fields,
) -> User:
    """A member who accepted the current terms. ``status`` suspended lasts SUSPENSION unless
    ``suspended_until`` says otherwise; suspended and banned members get a reason."""
    n = next(_counter)
    username = (username or f"user{n}").lower()
    status = UserStatus(status)
    if status == UserStatus.SUSPENDED and suspended_until is None:
        suspended_until = utcnow() + SUSPENSION
    if status != UserStatus.ACTIVE and status_reason is None:
        status_reason = "Broke the community guidelines."
    user = User(
        username=username,
        email=email or f"{username}@example.org",
        password_hash=_hash(),
        role=str(role),
        status=str(status),
        suspended_until=suspended_until,
        status_reason=status_reason,
        email_verified_at=utcnow() if verified else None,
        guidelines_version="2026-11",
        privacy_version="2026-11",
        terms_accepted_at=utcnow(),
        **fields,
    )
    db.session.add(user)
    db.session.flush()
    return user


@contextlib.contextmanager
def unlimited():
    """Fixtures are built, not typed: posting limits (POST_LIMIT) don't count them."""
    saved = current_app.config.get("RATELIMIT_ENABLED", True)
    current_app.config["RATELIMIT_ENABLED"] = False
    try:
        yield
    finally:
        current_app.config["RATELIMIT_ENABLED"] = saved


# --- Tags, threads, replies ------------------------------------------------------------------


def make_tag(slug: str = "dryness", *, name: str | None = None, sort_order: int = 0) -> Tag:
    """The tag with this slug, created if missing."""
    tag = db.session.scalar(select(Tag).where(Tag.slug == slug))
    if tag is None:
        tag = Tag(
            slug=slug, name=name or slug.replace("-", " ").capitalize(), sort_order=sort_order
        )
        db.session.add(tag)
        db.session.flush()
    return tag


def make_thread(
    author: User | None = None,
    *,
    title: str = "My first month on isotretinoin",
    body: str = "Dry lips from day three, nothing else so far.",
    tags: tuple[str, ...] = ("dryness",),
    status: PostStatus | str | None = None,
    reason: str | None = None,
    **details,
) -> Thread:
    """A thread started through the service (screened like a member's: a new member's may
    be held), then given ``status`` the way moderation gives it when one is asked for;
    ``details`` are the experience fields."""
    from forum.threads import services

    for slug in tags:
        make_tag(slug)
    with unlimited():
        thread, _ = services.create_thread(
            author or make_user(),
            title=title,
            body=body,
            tag_slugs=list(tags),
            details=services.explicit_experience(**details),
        )
    set_post_status(opening_post(thread), status, reason=reason)
    return thread


def make_post(
    thread: Thread,
    author: User | None = None,
    *,
    parent: Post | None = None,
    body: str = "Same here.",
    status: PostStatus | str | None = None,
    reason: str | None = None,
) -> Post:
    """A reply through the service, to ``parent`` (a Post) or to the thread, screened like
    a member's; then given ``status`` the way moderation gives it when one is asked for."""
    from forum.threads import services

    with unlimited():
        post, _ = services.reply(
            thread,
            author or make_user(),
            body=body,
            parent_id=parent.id if parent is not None else None,
        )
    set_post_status(post, status, reason=reason)
    return post


_DECISIONS = {
    PostStatus.VISIBLE: Decision.APPROVE,
    PostStatus.HIDDEN: Decision.HIDE,
    PostStatus.REMOVED: Decision.REMOVE,
}


def set_post_status(
    post: Post, status: PostStatus | str | None, *, reason: str | None = None
) -> Post:
    """Bring ``post`` to ``status`` through the moderation services: held for review
    (pending); or queued and decided by a moderator, who approves, hides or removes it with
    ``reason`` (the decision is logged and the author told). An opening post carries its
    thread. ``None`` keeps whatever screening decided."""
    from forum.moderation import services as moderation

    if status is None or PostStatus(status) == post.status:
        return post
    status = PostStatus(status)
    if status == PostStatus.PENDING:
        moderation.hold_post(post)
    else:
        item = pending_item(post)
        moderator = make_user(role=Role.MODERATOR)
        moderation.act_on_item(item, moderator, _DECISIONS[status], reason or DECIDED)
    db.session.flush()
    return post


# --- Progress photos (issue #15) --------------------------------------------------------------


def make_photo(
    post: Post | None = None,
    *,
    entry=None,
    visibility: str = "private",
    data: bytes | None = None,
):
    """A photo on ``post`` (or journal ``entry``) by its author, through the services that an
    upload goes through: checked, re-encoded, stored under PHOTO_DIR."""
    from forum.photos import images, services
    from tests.photos.images import camera_jpeg

    author = db.session.get(User, post.author_id if post is not None else entry.user_id)
    encoded = images.encode(
        data or camera_jpeg(),
        max_pixels=current_app.config["PHOTO_MAX_PIXELS"],
        display_px=current_app.config["PHOTO_DISPLAY_PX"],
        thumb_px=current_app.config["PHOTO_THUMB_PX"],
        fmt=current_app.config["PHOTO_FORMAT"],
        today=utcnow().date(),
    )
    (photo,) = services.attach(author, [encoded], visibility, post=post, entry=entry)
    return photo
