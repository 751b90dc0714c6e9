"""Reading threads and posts: one thread, one post, a page of the tree, a member's posts."""

import functools

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from forum.errors import NotFound
from forum.extensions import db
from forum.models import Post, Tag, Thread, User, thread_tags
from forum.photos.services import attach_to_tree
from forum.threads import tree
from forum.threads.ranking import SORT_OLDEST
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


def thread_page(
    thread: Thread, viewer: User | None, *, page: int = 1, root_id=None, sort=SORT_OLDEST
):
    """The page of the tree a reader asked for: a page number, or a reply's subtree; its
    replies oldest or most helpful first (``sort``, issue #11)."""
    if root_id is not None:
        found = tree.load_subtree(thread, viewer, root_id, **tree_settings(), sort=sort)
    else:
        found = tree.load_page(thread, viewer, page, **tree_settings(), sort=sort)
    attach_to_tree(found, viewer)  # one more query, only when a post here has photos (#15)
    return found


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
