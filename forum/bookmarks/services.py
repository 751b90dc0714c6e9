"""Saving posts and threads for later (issue #12). Plain functions: add, flush, never
commit. A bookmark is of a post; bookmarking a thread saves its opening post."""

from dataclasses import dataclass

from sqlalchemy import and_, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, contains_eager

from forum.errors import NotFound
from forum.extensions import db
from forum.models import Bookmark, Post, Thread, User
from forum.visibility import (
    Viewer,
    ViewerLike,
    can_see_post,
    can_see_thread,
    opening_deleted_sql,
    public_replies_exist_sql,
    remember_facts,
)

PAGE_SIZE = 25
GONE_TEXT = "[This post is no longer available]"


def bookmark_join(viewer_id):
    """((the joined table, its ON clause), the "bookmarked" column) for a query of posts:
    the viewer's bookmarks come in the query that loads the page's posts."""
    mark = aliased(Bookmark, name="viewer_bookmark")
    on = and_(mark.post_id == Post.id, mark.user_id == viewer_id)
    return (mark, on), mark.id.is_not(None)


def _visible_post(post: Post | None, user: User) -> Post:
    if post is None or not can_see_post(post, user):
        raise NotFound("There is no such post. It may have been removed.")
    return post


def add_bookmark(user: User, post: Post | None) -> bool:
    """Save ``post`` (one ``user`` can see); False if it was saved already. Raises NotFound."""
    post = _visible_post(post, user)
    if db.session.scalar(
        select(Bookmark.id).where(Bookmark.user_id == user.id, Bookmark.post_id == post.id)
    ):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(Bookmark(user_id=user.id, post_id=post.id))
            db.session.flush()
    except IntegrityError:
        return False  # saved by the same member a moment ago
    return True


def remove_bookmark(user: User, post_id: int) -> bool:
    """Forget a bookmark (even of a post that has since gone); False if there was none."""
    return bool(
        db.session.execute(
            delete(Bookmark).where(Bookmark.user_id == user.id, Bookmark.post_id == post_id)
        ).rowcount
    )


@dataclass
class Saved:
    """One line of /bookmarks as its owner may see it now."""

    bookmark: Bookmark
    post: Post
    visible: bool  # False: shown as a placeholder (hidden, removed or deleted since)

    @property
    def is_thread(self) -> bool:
        return self.post.parent_id is None

    @property
    def title(self) -> str | None:
        return self.post.thread.title if self.visible else None

    @property
    def placeholder(self) -> str:
        return GONE_TEXT


@dataclass
class BookmarkPage:
    items: list[Saved]
    next_cursor: int | None  # the id to pass as ``before`` for older bookmarks


def bookmarks(
    user: User,
    *,
    before: int | None = None,
    limit: int = PAGE_SIZE,
    viewer: ViewerLike = None,
) -> BookmarkPage:
    """``user``'s bookmarks, newest first, ``limit`` at a time (``before``: the cursor),
    each as ``viewer`` (``user`` when not given) may see it now; one query whatever the
    number of bookmarks."""
    stmt = (
        select(Bookmark, opening_deleted_sql(), public_replies_exist_sql())
        .join(Post, Post.id == Bookmark.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Bookmark.user_id == user.id)
        .options(
            contains_eager(Bookmark.post).contains_eager(Post.thread).joinedload(Thread.author),
            contains_eager(Bookmark.post).joinedload(Post.author),
        )
    )
    if before is not None:
        stmt = stmt.where(Bookmark.id < before)
    rows = db.session.execute(stmt.order_by(Bookmark.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    viewer = Viewer.of(user if viewer is None else viewer)
    items = []
    for mark, opening_deleted, public_replies in rows:
        post = mark.post
        remember_facts(post.thread, opening_deleted, public_replies)
        visible = can_see_post(post, viewer) and can_see_thread(post.thread, viewer)
        items.append(Saved(mark, post, visible))
    return BookmarkPage(items, rows[-1][0].id if more else None)
