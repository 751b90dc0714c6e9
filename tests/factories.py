"""Objects for tests, built directly in the database."""

import contextlib
import itertools

from flask import current_app
from werkzeug.security import generate_password_hash

from forum.extensions import db
from forum.models import Role, User, utcnow

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)
_password_hash = None


def _hash() -> str:
    global _password_hash
    if _password_hash is None:
        _password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
    return _password_hash


def make_user(
    username: str | None = None,
    *,
    email: str | None = None,
    role: Role | str = Role.MEMBER,
    verified: bool = True,
    **fields,
) -> User:
    n = next(_counter)
    username = username or f"user{n}"
    user = User(
        username=username.lower(),
        email=email or f"{username.lower()}@example.org",
        password_hash=_hash(),
        role=str(role),
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


def make_tag(slug: str = "dryness", *, name: str | None = None, sort_order: int = 0):
    """The tag with this slug, created if missing."""
    from sqlalchemy import select

    from forum.models import Tag

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
    **details,
):
    """A thread started through the service, so its tree columns are real."""
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
    return thread


def make_post(thread, author: User | None = None, *, parent=None, body: str = "Same here."):
    """A reply through the service: to ``parent`` (a Post) or to the thread."""
    from forum.threads import services

    with unlimited():
        post, _ = services.reply(
            thread,
            author or make_user(),
            body=body,
            parent_id=parent.id if parent is not None else None,
        )
    return post
