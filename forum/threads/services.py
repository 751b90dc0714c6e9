"""Threads and posts: starting, replying, editing, deleting, helpful marks (issue #3).

Plain functions: they check the rules, add and flush, and never commit. The reply tree's
mechanics live in ``tree.py``, lists in ``lists.py``, who-sees-what in ``forum/visibility.py``.

Every write also runs the moderation hooks (issue #4): new and edited text is screened
(held for review, flagged as a crisis), the search index is updated in the same
transaction, and changes readers must see at once purge the page cache after the commit.
"""

import functools
from dataclasses import asdict, dataclass
from datetime import date

from flask import current_app
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from forum import ratelimit
from forum.cache import purge_after_commit
from forum.errors import ForumError, InvalidAction, NotFound, PermissionDenied, RateLimited
from forum.extensions import db
from forum.markup import render_user_text
from forum.models import (
    HelpfulMark,
    Post,
    PostRevision,
    PostStatus,
    Stage,
    Tag,
    Thread,
    User,
    thread_tags,
    utcnow,
)
from forum.moderation import services as moderation
from forum.moderation.crisis import find_crisis_phrase
from forum.permissions import require_can_write
from forum.search import backend as search
from forum.threads import tree
from forum.visibility import (
    ThreadView,
    Viewer,
    can_see_thread,
    opening_deleted_sql,
    post_view,
    public_posts,
    public_replies_exist_sql,
    public_threads,
    remember_facts,
)

TITLE_MIN, TITLE_MAX = 5, 150
BODY_MAX = 20_000
TAGS_MIN, TAGS_MAX = 1, 3

_posts = Post.__table__
_threads = Thread.__table__

# --- Experience details -------------------------------------------------------------------


@dataclass(frozen=True)
class Experience:
    """The comparable details of a story: stage, treatment month or months since, dose."""

    stage: str | None = None
    treatment_month: int | None = None
    months_since: int | None = None
    daily_dose_mg: int | None = None

    def __bool__(self) -> bool:
        return any(value is not None for value in asdict(self).values())

    def columns(self) -> dict:
        return asdict(self)


def whole_months_between(start: date, end: date) -> int:
    """Completed calendar months from ``start`` to ``end`` (0 if ``end`` is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(0, months)


def experience_snapshot(user: User, today: date | None = None) -> Experience:
    """The member's treatment course (from settings) as it stands ``today``."""
    today = today or utcnow().date()
    start, end = user.course_start, user.course_end
    if start is None:
        return Experience()
    if start > today:
        return Experience(stage=Stage.CONSIDERING)
    if end is not None and end <= today:
        return Experience(stage=Stage.FINISHED, months_since=whole_months_between(end, today))
    return Experience(
        stage=Stage.ON_TREATMENT,
        treatment_month=whole_months_between(start, today) + 1,
        daily_dose_mg=user.course_dose_mg,
    )


def explicit_experience(
    stage: str | None = None,
    treatment_month: int | None = None,
    months_since: int | None = None,
    daily_dose_mg: int | None = None,
) -> Experience:
    """Details typed on a new thread; the stage follows from a month when it was left out."""
    if not stage:
        if treatment_month is not None:
            stage = Stage.ON_TREATMENT
        elif months_since is not None:
            stage = Stage.FINISHED
    return Experience(stage or None, treatment_month, months_since, daily_dose_mg)


def write_refusal(user: User | None) -> str | None:
    """Why ``user`` may not post right now (None when they may)."""
    try:
        require_can_write(user)
    except PermissionDenied as exc:
        return str(exc)
    return None


def check_can_post(user: User | None) -> None:
    """Raise PermissionDenied, with the reason, unless ``user`` may post."""
    require_can_write(user)


# --- Screening new and edited text (issue #4) ----------------------------------------------


@dataclass(frozen=True)
class Screening:
    """What the safety checks found in text just written; left on the post (and on a new
    thread) as ``screening`` so the view can tell the author."""

    held: str | None = None  # why it waits for a moderator (moderation.HOLD_*), or None
    crisis: str | None = None  # the crisis phrase it matched, or None


def _thread_text(title: str, body: str) -> str:
    return f"{title}\n\n{body}"


def _screen(post: Post, text: str, held: str | None) -> Screening:
    """Hold ``post`` when ``held`` says so, and queue it as a crisis item when ``text``
    matches a crisis phrase (it stays published; its author is shown help)."""
    if held:
        moderation.hold_post(post, held)
    phrase = find_crisis_phrase(text)
    if phrase:
        moderation.flag_crisis(post, phrase)
    return Screening(held=held, crisis=phrase)


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


# --- Posting --------------------------------------------------------------------------------


def _existing_by_nonce(author: User, nonce: str | None) -> Post | None:
    if not nonce:
        return None
    return db.session.scalar(select(Post).where(Post.author_id == author.id, Post.nonce == nonce))


def _tags_from_slugs(slugs: list[str]) -> list[Tag]:
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
    _check_body(body)
    tags = _tags_from_slugs(tag_slugs)
    first = _check_post_limit(author, nonce)
    if first is not None:
        return first.thread, False
    experience = details if details else experience_snapshot(author)
    # Before the new post is flushed, or it would count among the author's posts.
    held = moderation.should_hold(author, _thread_text(title, body))
    now = utcnow()
    try:
        with db.session.begin_nested():
            thread = Thread(
                title=title,
                author=author,
                created_at=now,
                last_activity_at=now,
                tags=tags,
                status=PostStatus.VISIBLE,
                **experience.columns(),
            )
            opening = Post(
                thread=thread,
                author=author,
                body=body,
                body_html=render_user_text(body),
                created_at=now,
                status=PostStatus.VISIBLE,
                depth=0,
                path="",
                branch=0,
                nonce=nonce or None,
                **experience.columns(),
            )
            db.session.add_all([thread, opening])
            db.session.flush()
    except IntegrityError:
        # The same form submitted twice at once: the other request made the thread.
        first = _existing_by_nonce(author, nonce)
        if first is None:
            raise
        return first.thread, False
    _count_post(author)
    thread.screening = opening.screening = _screen(opening, _thread_text(title, body), held)
    search.index_post(opening)
    return thread, True


def _check_body(body: str) -> None:
    if not body.strip():
        raise ForumError("Write something first.", status=422)
    if len(body) > BODY_MAX:
        raise ForumError(f"Keep it under {BODY_MAX:,} characters.", status=422)


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
    _check_body(body)
    parent = _reply_parent(thread, author, parent_id)
    first = _check_post_limit(author, nonce)
    if first is not None:
        return first, False
    held = moderation.should_hold(author, body)
    now = utcnow()
    try:
        with db.session.begin_nested():
            post = Post(
                thread_id=thread.id,
                author=author,
                body=body,
                body_html=render_user_text(body),
                created_at=now,
                status=PostStatus.VISIBLE,
                nonce=nonce or None,
                **experience_snapshot(author).columns(),
            )
            tree.place_under(post, parent, tree.allocate_ordinal(parent))
            db.session.add(post)
            db.session.flush()
            _count_reply(thread, now)
    except IntegrityError:
        first = _existing_by_nonce(author, nonce)
        if first is None:
            raise
        return first, False
    _count_post(author)
    post.screening = _screen(post, body, held)
    search.index_post(post)
    return post, True


def _count_reply(thread: Thread, now) -> None:
    count = db.session.execute(
        update(_threads)
        .where(_threads.c.id == thread.id)
        .values(reply_count=_threads.c.reply_count + 1, last_activity_at=now)
        .returning(_threads.c.reply_count)
    ).scalar_one()
    set_committed_value(thread, "last_activity_at", now)
    set_committed_value(thread, "reply_count", count)


# --- Editing and deleting -------------------------------------------------------------------


def _require_author(post: Post, user: User, what: str) -> None:
    require_can_write(user)
    if not Viewer.of(user).is_author_of(post):
        raise PermissionDenied(f"You can only {what} your own posts.")
    if post.deleted_at is not None:
        raise InvalidAction("This post was deleted.")
    if post.status in (PostStatus.HIDDEN, PostStatus.REMOVED):
        raise InvalidAction("A moderator took this post down, so it can't be changed.")


def check_author(post: Post, user: User) -> None:
    """Raise unless ``user`` may change ``post`` (edit or delete it)."""
    _require_author(post, user, "change")


def edit_post(post: Post, editor: User, *, body: str, title: str | None = None) -> bool:
    """Change a post's text (and the thread's title for an opening post), keeping the
    previous version as a revision; returns False when nothing changed.

    The new text is screened again (links from a young account are held, crisis phrases
    queued; ``post.screening``), re-indexed, and cached pages are purged after the commit.
    Raises PermissionDenied (not the author), InvalidAction (deleted, taken down, locked).
    """
    _require_author(post, editor, "edit")
    thread = post.thread
    if thread.locked and not Viewer.of(editor).is_staff:
        raise InvalidAction("This thread is locked: its posts can't be changed.")
    _check_body(body)
    new_title = None
    if post.parent_id is None and title is not None:
        new_title = title.strip()
        if not TITLE_MIN <= len(new_title) <= TITLE_MAX:
            raise ForumError(f"A title is {TITLE_MIN} to {TITLE_MAX} characters.", status=422)
    title_changed = new_title is not None and new_title != thread.title
    if body == post.body and not title_changed:
        return False
    db.session.add(
        PostRevision(
            post_id=post.id,
            editor_id=editor.id,
            title=thread.title if post.parent_id is None else None,
            body=post.body,
        )
    )
    post.body = body
    post.body_html = render_user_text(body)
    post.edited_at = utcnow()
    if title_changed:
        thread.title = new_title
    db.session.flush()
    text = _thread_text(thread.title, body) if post.parent_id is None else body
    post.screening = _screen(post, text, moderation.should_hold(editor, text, editing=True))
    search.index_post(post)
    purge_after_commit(db.session)
    return True


def delete_post(post: Post, user: User) -> None:
    """Delete one's own post: the node stays as "[deleted]" so the replies below it keep
    their place; an opening post's thread stays with its replies.

    The last text is kept as a revision that only moderators can read (the audit trail).
    Raises PermissionDenied (not the author), InvalidAction (already deleted, taken down).
    """
    _require_author(post, user, "delete")
    db.session.add(
        PostRevision(
            post_id=post.id,
            editor_id=user.id,
            title=post.thread.title if post.parent_id is None else None,
            body=post.body,
        )
    )
    post.deleted_at = utcnow()
    post.body = ""
    post.body_html = ""
    db.session.flush()
    search.remove_post(post)
    purge_after_commit(db.session)


def revisions(post: Post, viewer: User | None) -> list[PostRevision]:
    """A post's earlier versions, newest first.

    Raises NotFound when the viewer can't read the post; once it is deleted, only
    moderators can read them.
    """
    view = post_view(post, viewer)
    if view is None or not can_see_thread(post.thread, viewer):
        raise NotFound("There is no such post.")
    if not view.show_body and not Viewer.of(viewer).is_staff:
        raise NotFound("This post's history is no longer available.")
    return list(
        db.session.scalars(
            select(PostRevision)
            .where(PostRevision.post_id == post.id)
            .options(joinedload(PostRevision.editor))
            .order_by(PostRevision.created_at.desc(), PostRevision.id.desc())
        )
    )


# --- Helpful marks -------------------------------------------------------------------------


def _count_helpful(post: Post, change: int) -> None:
    count = db.session.execute(
        update(_posts)
        .where(_posts.c.id == post.id)
        .values(helpful_count=_posts.c.helpful_count + change)
        .returning(_posts.c.helpful_count)
    ).scalar_one()
    set_committed_value(post, "helpful_count", count)
    if post.parent_id is None:
        # sort=top orders threads by their opening post's marks: keep the copy in step.
        thread_count = db.session.execute(
            update(_threads)
            .where(_threads.c.id == post.thread_id)
            .values(helpful_count=_threads.c.helpful_count + change)
            .returning(_threads.c.helpful_count)
        ).scalar_one()
        set_committed_value(post.thread, "helpful_count", thread_count)


def toggle_helpful(post: Post, user: User) -> bool:
    """Mark a post helpful, or take the mark back; returns whether it is now marked.

    Raises PermissionDenied (own post, or may not write), NotFound, InvalidAction.
    """
    require_can_write(user)
    view = post_view(post, user)
    if view is None or not can_see_thread(post.thread, user):
        raise NotFound("There is no such post.")
    if Viewer.of(user).is_author_of(post):
        raise PermissionDenied("You can't mark your own post as helpful.")
    removed = db.session.execute(
        delete(HelpfulMark).where(HelpfulMark.user_id == user.id, HelpfulMark.post_id == post.id)
    ).rowcount
    if removed:
        _count_helpful(post, -1)
        return False
    if not view.is_plain:
        raise InvalidAction("Only posts everyone can read can be marked helpful.")
    try:
        with db.session.begin_nested():
            db.session.add(HelpfulMark(user_id=user.id, post_id=post.id))
            db.session.flush()
    except IntegrityError:
        return True  # marked by the same member a moment ago
    _count_helpful(post, 1)
    return True


# --- Reading --------------------------------------------------------------------------------


@functools.cache
def _thread_statement():
    return (
        select(Thread, Tag, opening_deleted_sql(), public_replies_exist_sql())
        .outerjoin(thread_tags, thread_tags.c.thread_id == Thread.id)
        .outerjoin(Tag, Tag.id == thread_tags.c.tag_id)
        .where(Thread.id == bindparam("thread_id"))
        .options(joinedload(Thread.author))
    )


def get_thread(thread_id: int, viewer: User | None) -> Thread:
    """A thread with its author and tags (one query). Raises NotFound when it doesn't exist
    or the viewer may not see it."""
    # Tags come through two flat outer joins, one row per tag, rather than joinedload's
    # nested "LEFT JOIN (thread_tags JOIN tags)", which SQLite answers by materialising
    # every thread's tags (130 ms a page at a million posts).
    rows = db.session.execute(_thread_statement(), {"thread_id": thread_id}).all()
    thread = rows[0][0] if rows else None
    if thread is not None:
        remember_facts(thread, rows[0][2], rows[0][3])
    if thread is None or not can_see_thread(thread, viewer):
        raise NotFound("There is no such thread. It may have been removed.")
    tags = sorted((tag for _, tag, _, _ in rows if tag is not None), key=lambda t: t.sort_order)
    set_committed_value(thread, "tags", tags)
    return thread


def get_post(post_id: int, viewer: User | None) -> Post:
    """A post the viewer can see, with its thread. Raises NotFound."""
    post = db.session.scalar(
        select(Post).where(Post.id == post_id).options(joinedload(Post.thread))
    )
    if post is None or post_view(post, viewer) is None or not can_see_thread(post.thread, viewer):
        raise NotFound("There is no such post. It may have been removed.")
    return post


def tree_settings() -> dict:
    config = current_app.config
    return {"size": config["THREAD_PAGE_SIZE"], "visible_depth": config["THREAD_VISIBLE_DEPTH"]}


def thread_page(thread: Thread, viewer: User | None, *, page: int = 1, root_id=None):
    """The page of the tree a reader asked for: a page number, or a reply's subtree."""
    if root_id is not None:
        return tree.load_subtree(thread, viewer, root_id, **tree_settings())
    return tree.load_page(thread, viewer, page, **tree_settings())


def locate_post(post: Post) -> tuple[int, int | None]:
    """(page, root id or None) of the page that shows ``post``."""
    return tree.locate(post, **tree_settings())


def locate_reply_target(thread: Thread, viewer: User, parent_id: int | None):
    """(page, root id or None) of the page showing the post a reply answers, so a refused
    reply comes back where it was written; page 1 when there is no such post here."""
    parent = db.session.get(Post, parent_id) if parent_id else None
    if parent is None or parent.thread_id != thread.id or post_view(parent, viewer) is None:
        return 1, None
    return locate_post(parent)


def member_threads(viewer: User | None, author: User, *, limit: int) -> list[ThreadView]:
    """A member's newest threads, with the facts their rows show: for other readers the
    public ones whose opening post is still there (a deleted one no longer names its
    author), for the member and moderators all of them."""
    deleted, replies = opening_deleted_sql(), public_replies_exist_sql()
    stmt = select(Thread, deleted, replies).where(Thread.author_id == author.id)
    if not _sees_all_of(viewer, author):
        stmt = stmt.where(public_threads(), ~deleted)
    rows = db.session.execute(
        stmt.options(selectinload(Thread.tags))
        .order_by(Thread.created_at.desc(), Thread.id.desc())
        .limit(limit)
    )
    threads = []
    for thread, opening_deleted, has_replies in rows:
        remember_facts(thread, opening_deleted, has_replies)
        threads.append(ThreadView(thread))
    return threads


def member_replies(viewer: User | None, author: User, *, limit: int) -> list[Post]:
    """A member's newest replies, with their threads; readers see only what is visible."""
    stmt = (
        select(Post)
        .join(Post.thread)
        .where(Post.author_id == author.id, Post.parent_id.is_not(None))
        .options(joinedload(Post.thread))
    )
    if not _sees_all_of(viewer, author):
        stmt = stmt.where(public_posts())
    return list(
        db.session.scalars(stmt.order_by(Post.created_at.desc(), Post.id.desc()).limit(limit))
    )


def _sees_all_of(viewer: User | None, member: User) -> bool:
    """Members see their own held or hidden posts; moderators see everyone's."""
    viewer = Viewer.of(viewer)
    return viewer.id == member.id or viewer.is_staff
