"""The rendered reply tree, shared by signed-in members (issue #6).

Signed-in members see a thread page as a signed-out reader does, except in each plain
post's footer: whether they marked it helpful, Edit and Delete on their own posts, Report
on the others'. So the tree is rendered once for "a member" with a marker where each plain
post's footer goes, kept in the page cache's store, and each member's page fills in the
footers from one small query (their marks and the current helpful counts).

An entry is keyed by what changes with every new reply (the thread's reply count and last
activity) and stored under the page cache's generation, which every edit, delete and
moderation action bumps. It is never used for moderators, for a thread readers can't see,
or for a member who wrote a held, hidden or removed post on that page (they see more than
other members do); the helpful counts come fresh with the footers.
"""

import pickle  # noqa: S403 - entries are written and read only by this module
import re
from dataclasses import dataclass

from flask import current_app
from markupsafe import Markup, escape
from sqlalchemy import and_, bindparam, or_, select

from forum import cache
from forum.bookmarks.services import bookmark_join
from forum.extensions import db
from forum.models import HelpfulMark, Post, PostStatus, Thread, User
from forum.notifications.watching import watching_sql
from forum.visibility import Viewer, is_public_thread, readable_replies_sql

MARKER_RE = re.compile(r"<!--footer:(\d+)-->")


def footer_marker(post_id: int) -> Markup:
    # An HTML comment: the sanitiser strips comments from everything members write, so no
    # post can contain one.
    return Markup("<!--footer:{}-->").format(int(post_id))


def plain_footer(
    post_id: int,
    author_id: int,
    edited: bool,
    helpful_count: int,
    marked: bool,
    *,
    viewer_id: int | None,
    can_write: bool,
    locked: bool,
    reply_query: str,
    item_id: int | None = None,
    bookmarked: bool | None = None,
) -> Markup:
    """The actions under a post shown as written: the one place they are made.

    ``bookmarked`` is None for a signed-out reader (no Bookmark button)."""
    parts = ['<footer class="post-actions">']
    if can_write and author_id != viewer_id:
        pressed = ' aria-pressed="true"' if marked else ""
        label = "Marked helpful" if marked else "Helpful"
        parts.append(
            f'<button type="submit" form="helpful-form" formaction="/p/{post_id}/helpful"'
            f' class="link-button"{pressed}>{label} ({helpful_count})</button>'
        )
    elif helpful_count:
        parts.append(f"<span>{helpful_count} found this helpful</span>")
    if not locked:
        parts.append(f' <a href="{escape(reply_query)}reply_to={post_id}#reply">Reply</a>')
    if edited:
        parts.append(f' <a href="/p/{post_id}/history">History</a>')
    if author_id == viewer_id:
        parts.append(
            f' <a href="/p/{post_id}/edit">Edit</a> <a href="/p/{post_id}/delete">Delete</a>'
        )
    elif can_write:
        parts.append(f' <a href="/p/{post_id}/report">Report</a>')
    if bookmarked is not None and viewer_id is not None:
        action = "unbookmark" if bookmarked else "bookmark"
        label = "Remove bookmark" if bookmarked else "Bookmark"
        parts.append(
            f' <button type="submit" form="helpful-form" formaction="/p/{post_id}/{action}"'
            f' class="link-button">{label}</button>'
        )
    if item_id:
        parts.append(f' <a class="review-link" href="/mod/items/{int(item_id)}">Review item</a>')
    parts.append("</footer>")
    # Every part is fixed markup, a number, or the escaped reply address.
    return Markup("".join(parts))  # noqa: S704


@dataclass
class SharedTree:
    """A page of a thread as every member sees it, footers left as markers."""

    html: str
    footers: dict[int, tuple[int, bool]]  # plain post id -> (author id, edited)
    private_authors: frozenset[int]
    page: int
    pages: int
    opening_id: int | None
    # How many replies the member who stored it may read: the header's count when the
    # page holds no plain post to carry the reader's own (see member_footings).
    readable_replies: int | None = None


def _key(thread: Thread, page: int) -> str:
    activity = thread.last_activity_at.isoformat() if thread.last_activity_at else ""
    return f"tree:{thread.id}:{page}:{thread.reply_count}:{activity}:{int(thread.locked)}"


def usable_for(viewer: User | None, thread: Thread) -> bool:
    """Whether this viewer may be shown the shared tree at all."""
    return (
        bool(current_app.config.get("TREE_CACHE_SECONDS"))
        and viewer is not None
        and viewer.is_authenticated
        and not viewer.is_moderator
        and is_public_thread(thread)
    )


def lookup(thread: Thread, page: int) -> tuple[int | None, SharedTree | None]:
    """(the cache generation, the shared tree if one is stored for this state)."""
    generation, payload = cache.get_shared(_key(thread, page))
    shared = pickle.loads(payload) if payload is not None else None  # noqa: S301 - ours
    return generation, shared


def store(thread: Thread, page: int, generation: int | None, shared: SharedTree) -> None:
    """Keep ``shared`` under the generation read before its rows were."""
    ttl = int(current_app.config["TREE_CACHE_SECONDS"])
    cache.put_shared(_key(thread, page), generation, pickle.dumps(shared), ttl)


@dataclass
class Footing:
    helpful_count: int
    marked: bool
    bookmarked: bool = False


@dataclass
class MemberFootings:
    by_post: dict[int, Footing]
    readable_replies: int | None  # how many of the thread's replies the viewer may read
    watching: bool = False  # whether the viewer watches the thread (issue #12)


def member_footings(
    thread: Thread, viewer: User, page: int, *, size: int, visible_depth: int
) -> MemberFootings:
    """One query: the current helpful count of each plain post on the page, whether the
    viewer marked and bookmarked it, how many of the thread's replies the viewer may read
    and whether they watch the thread. It starts from the thread, so a page with no plain
    post still answers one row (its post columns empty)."""
    rows = db.session.execute(
        _footings_statement(page == 1),
        {
            "viewer_id": viewer.id,
            "thread_id": thread.id,
            "low": (page - 1) * size + 1,
            "high": page * size,
            "max_depth": visible_depth,
        },
    )
    rows = rows.all()
    return MemberFootings(
        {
            row.id: Footing(row.helpful_count, bool(row.marked), bool(row.bookmarked))
            for row in rows
            if row.id is not None
        },
        rows[0].readable if rows else None,
        bool(rows[0].watching) if rows else False,
    )


_STATEMENTS: dict = {}


def _footings_statement(first_page: bool):
    if first_page not in _STATEMENTS:
        branches = (
            Post.branch.between(0, bindparam("high"))
            if first_page
            else or_(Post.branch == 0, Post.branch.between(bindparam("low"), bindparam("high")))
        )
        bookmark, bookmarked = bookmark_join(bindparam("viewer_id"))
        _STATEMENTS[first_page] = (
            select(
                Post.id,
                Post.helpful_count,
                HelpfulMark.user_id.is_not(None).label("marked"),
                readable_replies_sql(
                    Viewer(id=bindparam("viewer_id")), bindparam("thread_id")
                ).label("readable"),
                bookmarked.label("bookmarked"),
                watching_sql(bindparam("viewer_id"), Thread.id).label("watching"),
            )
            .select_from(Thread)
            .outerjoin(
                Post,
                and_(
                    Post.thread_id == Thread.id,
                    branches,
                    Post.depth <= bindparam("max_depth"),
                    Post.status == PostStatus.VISIBLE,
                    Post.deleted_at.is_(None),
                ),
            )
            .outerjoin(
                HelpfulMark,
                and_(
                    HelpfulMark.post_id == Post.id,
                    HelpfulMark.user_id == bindparam("viewer_id"),
                ),
            )
            .outerjoin(*bookmark)
            .where(Thread.id == bindparam("thread_id"))
        )
    return _STATEMENTS[first_page]


def fill_footers(
    shared: SharedTree,
    footings: dict[int, Footing],
    *,
    viewer_id: int,
    can_write: bool,
    locked: bool,
    reply_query: str,
) -> Markup:
    """The shared tree with this member's footers in place of the markers."""

    def footer(match: re.Match) -> str:
        post_id = int(match.group(1))
        author_id, edited = shared.footers[post_id]
        footing = footings.get(post_id, Footing(0, False))
        return plain_footer(
            post_id,
            author_id,
            edited,
            footing.helpful_count,
            footing.marked,
            viewer_id=viewer_id,
            can_write=can_write,
            locked=locked,
            reply_query=reply_query,
            bookmarked=footing.bookmarked,
        )

    # The shared tree is this app's own rendered template; the footers are plain_footer's.
    return Markup(MARKER_RE.sub(footer, shared.html))  # noqa: S704
