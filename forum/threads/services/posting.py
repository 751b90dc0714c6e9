"""Starting threads and replying: limits, repeated forms, the tree and the counters."""

import functools

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from forum import ratelimit
from forum.database import all_or_nothing, begin_writes
from forum.errors import ForumError, InvalidAction, NotFound, RateLimited
from forum.extensions import db
from forum.models import Audience, Post, PostStatus, Tag, Thread, User, utcnow
from forum.moderation import services as moderation
from forum.notifications import fanout
from forum.notifications.mentions import render_post
from forum.permissions import require_can_write
from forum.threads import numbering
from forum.threads.services.checks import (
    TAGS_MAX,
    TAGS_MIN,
    TITLE_MAX,
    TITLE_MIN,
    check_body,
    screen,
    thread_text,
)
from forum.threads.services.experience import Experience, experience_snapshot
from forum.visibility import can_see_thread, post_view

_threads = Thread.__table__


def _check_post_limit(author: User, nonce: str | None) -> Post | None:
    """Raise RateLimited (429) if the member is already at POST_LIMIT, unless this is the
    same form sent again: then return the post it made."""
    try:
        ratelimit.check("POST_LIMIT", f"user:{author.id}")
    except RateLimited:
        first = _existing_by_nonce(author, nonce)
        if first is None:
            raise
        return first
    return None


def _count_post(author: User) -> None:
    """Count a new thread or reply against POST_LIMIT (after the insert, so a repeated
    form is not counted); raises RateLimited (429), and the caller rolls back."""
    ratelimit.hit("POST_LIMIT", f"user:{author.id}")


def _existing_by_nonce(author: User, nonce: str | None) -> Post | None:
    if not nonce:
        return None
    return db.session.scalar(select(Post).where(Post.author_id == author.id, Post.nonce == nonce))


def tags_from_slugs(slugs: list[str]) -> list[Tag]:
    wanted = list(dict.fromkeys(slug.strip().lower() for slug in slugs if slug.strip()))
    if not TAGS_MIN <= len(wanted) <= TAGS_MAX:
        raise ForumError(f"Choose {TAGS_MIN} to {TAGS_MAX} topics.", status=422)
    tags = list(db.session.scalars(select(Tag).where(Tag.slug.in_(wanted))))
    if len(tags) != len(wanted):
        raise ForumError("Choose topics from the list.", status=422)
    return sorted(tags, key=lambda tag: tag.sort_order)


def create_thread(
    author: User,
    *,
    title: str,
    body: str,
    tag_slugs: list[str],
    details: Experience | None = None,
    nonce: str | None = None,
    visibility: str = Audience.EVERYONE,
) -> tuple[Thread, bool]:
    """Start a thread with its opening post; returns (thread, created).

    A second submission of the same form (same nonce) creates nothing and returns the
    thread the first one made. Explicit ``details`` replace the author's course snapshot
    for the thread and its opening post. The title and text are screened: the thread may be
    held for review, or queued as a crisis item (``thread.screening`` says which).
    Raises PermissionDenied, ForumError (422), RateLimited (429).
    """
    require_can_write(author)
    title = title.strip()
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise ForumError(f"A title is {TITLE_MIN} to {TITLE_MAX} characters.", status=422)
    check_body(body)
    tags = tags_from_slugs(tag_slugs)
    first = _check_post_limit(author, nonce)
    if first is not None:
        return first.thread, False
    experience = details if details else experience_snapshot(author)
    # Before the new post is flushed, or it would count among the author's posts.
    held = moderation.should_hold(author, thread_text(title, body))
    now = utcnow()
    try:
        with all_or_nothing():
            thread = Thread(
                title=title,
                author=author,
                created_at=now,
                last_activity_at=now,
                tags=tags,
                status=PostStatus.VISIBLE,
                visibility=Audience(visibility),
                members_since=now if visibility == Audience.MEMBERS else None,
                **experience.columns(),
            )
            opening = Post(
                thread=thread,
                author=author,
                body=body,
                body_html=render_post(body),
                created_at=now,
                status=PostStatus.VISIBLE,
                depth=0,
                path="",
                branch=0,
                nonce=nonce or None,
                **experience.columns(),
            )
            fanout.queue_post(opening)  # followers of its topics hear of it after the response
            db.session.add_all([thread, opening])
            db.session.flush()
    except IntegrityError:
        # The same form submitted twice at once: the other request made the thread.
        first = _existing_by_nonce(author, nonce)
        if first is None:
            raise
        return first.thread, False
    _count_post(author)
    thread.screening = opening.screening = screen(opening, thread_text(title, body), held)
    return thread, True


def opening_post(thread: Thread) -> Post:
    return db.session.scalar(
        select(Post).where(Post.thread_id == thread.id, Post.branch == 0, Post.parent_id.is_(None))
    )


def _reply_parent(thread: Thread, user: User, parent_id: int | None) -> Post:
    if parent_id is None:
        return opening_post(thread)
    parent = db.session.get(Post, parent_id)
    if parent is None or post_view(parent, user) is None:
        raise NotFound("The post you are replying to no longer exists.")
    if parent.thread_id != thread.id:
        raise ForumError("You can only reply to posts in this thread.", status=400)
    if parent.parent_id is not None and not post_view(parent, user).is_plain:
        raise InvalidAction(
            "That post was deleted or hidden, so it can't take new replies; "
            "reply to the thread instead."
        )
    return parent


def reply(
    thread: Thread,
    author: User,
    *,
    body: str,
    parent_id: int | None = None,
    nonce: str | None = None,
) -> tuple[Post, bool]:
    """Answer the thread (the opening post) or one of its posts; returns (post, created).

    The sibling ordinal and the thread's counters are updated in SQL, so concurrent replies
    all land. A second submission with the same nonce returns the first post. The text is
    screened like a new thread's (``post.screening``).
    Raises PermissionDenied, NotFound, InvalidAction (locked thread), ForumError,
    RateLimited (429).
    """
    require_can_write(author)
    # A repeated nonce is caught by the unique index at the insert below, not looked up
    # first: a double submit is rare, and every reply would pay for the lookup.
    if not can_see_thread(thread, author):
        raise NotFound("This thread no longer exists.")
    if thread.locked:
        raise InvalidAction("This thread is locked: nobody can reply to it.")
    check_body(body)
    # A plain reply's parent, the opening post, is read by the write that numbers it.
    parent = _reply_parent(thread, author, parent_id) if parent_id is not None else None
    first = _check_post_limit(author, nonce)
    if first is not None:
        return first, False
    # A plain reply's author has their published posts counted by the write that numbers
    # it; a nested reply's here.
    held = moderation.should_hold(author, body) if parent is not None else None
    # Everything the writes need is read and rendered first: on SQLite the write lock is
    # taken here and held only for the writes (issue #17).
    now = utcnow()
    body_html = render_post(body)
    experience = experience_snapshot(author)
    begin_writes()
    try:
        with all_or_nothing():
            post = Post(
                thread_id=thread.id,
                author=author,
                body=body,
                body_html=body_html,
                created_at=now,
                status=PostStatus.VISIBLE,
                nonce=nonce or None,
                **experience.columns(),
            )
            # Watchers hear of it after the response (issue #12): a flag in its INSERT.
            fanout.queue_post(post)
            if parent is None:
                counted = _place_at_top(post, thread, author, now)
                held = moderation.should_hold(author, body, published=counted.published)
                db.session.add(post)
                db.session.flush()
                _show_counted(thread, now, counted.reply_count, counted.ordinal)
            else:
                numbering.place_under(post, parent, numbering.allocate_ordinal(parent))
                db.session.add(post)
                db.session.flush()
                _count_reply(thread, now)
    except IntegrityError:
        first = _existing_by_nonce(author, nonce)
        if first is None:
            raise
        return first, False
    _count_post(author)
    post.screening = screen(post, body, held)
    return post, True


def _place_at_top(post: Post, thread: Thread, author: User, now):
    """Number ``post`` under the opening post, and count it, in one statement; returns
    the row with the thread's new counters and the author's published posts counted."""
    wanted = moderation.published_needed(author)
    row = numbering.allocate_top_level(thread.id, now, author_id=author.id, published_wanted=wanted)
    if row is None or row.opening_id is None:
        raise NotFound("This thread no longer exists.")
    numbering.place_at_top(post, thread.id, row.opening_id, row.ordinal)
    return row


def _show_counted(thread: Thread, now, reply_count: int, top_level_count: int | None = None):
    """The counters just written in SQL, on the loaded thread (no read to refresh them)."""
    set_committed_value(thread, "last_activity_at", now)
    set_committed_value(thread, "reply_count", reply_count)
    if top_level_count is not None:
        set_committed_value(thread, "top_level_count", top_level_count)


def _count_reply(thread: Thread, now) -> None:
    values = {"of_thread": thread.id, "now": now}
    count = db.session.execute(_count_reply_statement(), values).scalar_one()
    _show_counted(thread, now, count)


@functools.cache
def _count_reply_statement():
    """Built once (issue #17: building it cost more than running it)."""
    return (
        update(_threads)
        .where(_threads.c.id == bindparam("of_thread"))
        .values(
            reply_count=_threads.c.reply_count + 1,
            last_activity_at=bindparam("now", type_=_threads.c.last_activity_at.type),
        )
        .returning(_threads.c.reply_count)
    )
