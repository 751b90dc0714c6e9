"""The reply tree: a materialised path per post, and pages of it in one ordered query.

``Post.path`` is one fixed-width segment per level below the opening post, each the node's
ordinal among its siblings ("000003000001" is the first reply to the third top-level reply).
Fixed-width decimal digits sort the same under every collation, so ``ORDER BY path`` is a
depth-first walk in reply order on SQLite and PostgreSQL alike. ``Post.branch`` is the
ordinal of the top-level reply a node sits under (0 for the opening post), so a page of
top-level replies with all their descendants is ``branch BETWEEN a AND b`` on an index.

A new post is numbered by ``forum.threads.numbering``. Deleting keeps the node.
"""

import functools
from dataclasses import dataclass, field

from sqlalchemy import Integer, and_, bindparam, func, literal, null, or_, select
from sqlalchemy.orm import aliased, joinedload

from forum.bookmarks.services import bookmark_join
from forum.errors import NotFound
from forum.extensions import db
from forum.models import (
    GuideArticle,
    HelpfulMark,
    ItemStatus,
    Journal,
    Post,
    PostStatus,
    ReviewItem,
    Thread,
    User,
)
from forum.notifications.watching import watching_sql
from forum.threads.ranking import SORT_HELPFUL, SORT_OLDEST, helpful_first, ranked_branches
from forum.visibility import PostView, Viewer, post_view, readable_replies_sql

SEGMENT_WIDTH = 6
MAX_ORDINAL = 10**SEGMENT_WIDTH - 1
_posts = Post.__table__
_threads = Thread.__table__


def segment(ordinal: int) -> str:
    return f"{ordinal:0{SEGMENT_WIDTH}d}"


def ancestor_path(path: str, depth: int) -> str:
    """The path of the ancestor at ``depth`` of the node whose path is ``path``."""
    return path[: depth * SEGMENT_WIDTH]


def subtree_condition(table, root_path: str, root_branch: int):
    """Rows of ``table`` in the subtree whose root has this path and branch (root included)."""
    return and_(
        table.c.branch == root_branch,
        func.substr(table.c.path, 1, len(root_path)) == root_path,
    )


# --- Reading a page of the tree -------------------------------------------------------------


@dataclass
class Node:
    """A post as one viewer sees it, with the replies shown below it."""

    post: Post
    view: PostView
    marked: bool = False  # the viewer marked it helpful
    children: list["Node"] = field(default_factory=list)
    more: bool = False  # it has replies below the visible depth ("continue this thread")
    item_id: int | None = None  # its pending review item, for moderators
    photos: list = field(default_factory=list)  # the photos its reader may see (issue #15)


@dataclass
class TreePage:
    thread: Thread
    opening: Node | None
    nodes: list[Node]  # the top of what this page shows: top-level replies, or the root
    page: int = 1
    pages: int = 1
    root: Node | None = None  # set on a "continue this thread" page
    # Authors of held, hidden or removed posts in this page's range: they see more of it
    # than other members do (forum/threads/fragments.py).
    private_authors: frozenset[int] = frozenset()
    # How many of the thread's replies this page's reader may read (the header's count).
    readable_replies: int | None = None
    sort: str = SORT_OLDEST
    # The member's own state, from the same query (issue #12): posts they bookmarked, and
    # whether they watch the thread (None for a signed-out reader).
    bookmarked: frozenset[int] = frozenset()
    watching: bool | None = None


def find_node(nodes: list[Node], post_id: int) -> Node | None:
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if node.post.id == post_id:
            return node
        stack.extend(node.children)
    return None


def page_count(top_level_count: int, size: int) -> int:
    return max(1, -(-top_level_count // size))


def page_of_branch(branch: int, size: int) -> int:
    return max(1, -(-branch // size))


@functools.cache
def _rows_statement(signed_in: bool, moderator: bool):
    """Rows of (post, marked by the viewer, pending review item id for moderators, how many
    of the thread's replies the viewer may read, bookmarked by the viewer, whether the
    viewer watches the thread).

    Everything the page shows comes in this one query: the author, the guide article a
    label links to, the viewer's helpful marks, and for moderators the pending review item
    (at most one per post, by a unique index, so no row is repeated). The statement is
    built once per kind of viewer, the viewer's id a bound parameter: building it anew on
    every page cost more than running it.
    """
    if signed_in:
        mark = aliased(HelpfulMark)
        marked = mark.user_id.is_not(None)
        bookmark, bookmarked = bookmark_join(bindparam("viewer_id"))
        watching = watching_sql(bindparam("viewer_id"), bindparam("thread_id"))
    else:
        marked = bookmarked = watching = literal(False)
    # The same kind of viewer, the id a bound parameter like the helpful marks' below.
    kind = Viewer(id=bindparam("viewer_id") if signed_in else None, is_staff=moderator)
    # Uncorrelated (the thread a bound parameter): counted once per statement, not per row.
    readable = readable_replies_sql(kind, bindparam("thread_id"))
    if moderator:
        item = aliased(ReviewItem)
        stmt = select(Post, marked, item.id, readable, bookmarked, watching).outerjoin(
            item, and_(item.post_id == Post.id, item.status == ItemStatus.PENDING)
        )
    else:
        stmt = select(Post, marked, null().cast(Integer), readable, bookmarked, watching)
    if signed_in:
        stmt = stmt.outerjoin(
            mark, and_(mark.post_id == Post.id, mark.user_id == bindparam("viewer_id"))
        ).outerjoin(*bookmark)
    return stmt.options(
        joinedload(Post.author).joinedload(User.journal).load_only(Journal.visibility),
        joinedload(Post.label_article).load_only(GuideArticle.slug, GuideArticle.title),
    )


@functools.cache
def _page_statement(signed_in: bool, moderator: bool, first_page: bool):
    branches = (
        Post.branch.between(0, bindparam("high"))
        if first_page
        else or_(Post.branch == 0, Post.branch.between(bindparam("low"), bindparam("high")))
    )
    return (
        _rows_statement(signed_in, moderator)
        .where(
            Post.thread_id == bindparam("thread_id"),
            branches,
            Post.depth <= bindparam("max_depth"),
        )
        .order_by(Post.path)
    )


@functools.cache
def _helpful_page_statement(signed_in: bool, moderator: bool):
    return (
        _rows_statement(signed_in, moderator)
        .where(
            Post.thread_id == bindparam("thread_id"),
            or_(Post.branch == 0, Post.branch.in_(ranked_branches())),
            Post.depth <= bindparam("max_depth"),
        )
        .order_by(Post.path)
    )


def _viewer_params(user: User | None) -> tuple[tuple[bool, bool], dict]:
    viewer = Viewer.of(user)
    kind = (viewer.is_signed_in, viewer.is_staff)
    return kind, ({"viewer_id": viewer.id} if viewer.is_signed_in else {})


def _build(rows, viewer: User | None, base_depth: int, visible_depth: int) -> list[Node]:
    """Nest rows that arrive in path order; returns the nodes at ``base_depth``."""
    by_id: dict[int, Node] = {}
    top: list[Node] = []
    for post, marked, item_id, *_ in rows:
        view = post_view(post, viewer)
        if view is None:
            continue  # left out, and with it every reply below it
        relative = post.depth - base_depth
        node = Node(
            post,
            view,
            marked=bool(marked),
            more=relative == visible_depth and post.child_count > 0,
            item_id=item_id,
        )
        if relative == 0:
            top.append(node)
        else:
            parent = by_id.get(post.parent_id)
            if parent is None:
                continue
            parent.children.append(node)
        by_id[post.id] = node
    return top


def load_page(
    thread: Thread,
    viewer: User | None,
    page: int,
    *,
    size: int,
    visible_depth: int,
    sort: str = SORT_OLDEST,
) -> TreePage:
    """Page ``page`` of a thread: the opening post and ``size`` top-level replies (oldest,
    or with ``sort`` "helpful" the most helpful, first) with their descendants down to the
    visible depth, in one query. Raises NotFound past the end."""
    if page < 1:
        raise NotFound("There is no such page of this thread.")
    kind, params = _viewer_params(viewer)
    params.update(thread_id=thread.id, max_depth=visible_depth)
    if sort == SORT_HELPFUL:
        params.update(size=size, offset=(page - 1) * size)
        statement = _helpful_page_statement(*kind)
    else:
        params.update(high=page * size, **({"low": (page - 1) * size + 1} if page > 1 else {}))
        statement = _page_statement(*kind, page == 1)
    rows = db.session.execute(statement, params).all()
    top = _build(rows, viewer, 0, visible_depth)
    opening = top[0] if top else None
    pages = page_count(thread.top_level_count if opening else 0, size)
    if page > pages:
        raise NotFound("There is no such page of this thread.")
    replies = opening.children if opening else []
    if sort == SORT_HELPFUL:
        helpful_first(replies)
    private = frozenset(
        post.author_id
        for post, *_ in rows
        if post.status != PostStatus.VISIBLE and post.deleted_at is None
    )
    return TreePage(
        thread,
        opening,
        replies,
        page=page,
        pages=pages,
        private_authors=private,
        readable_replies=rows[0][3] if rows else 0,
        sort=sort,
        **_member_state(rows, viewer),
    )


def load_subtree(
    thread: Thread,
    viewer: User | None,
    root_id: int,
    *,
    size: int,
    visible_depth: int,
    sort: str = SORT_OLDEST,
) -> TreePage:
    """A reply and its descendants down to ``visible_depth`` levels below it, in one query.

    Raises NotFound when the reply is not in this thread or the viewer can't see it.
    """
    root = aliased(Post)
    kind, params = _viewer_params(viewer)
    rows = db.session.execute(
        _rows_statement(*kind)
        .join(
            root,
            and_(
                root.id == root_id,
                root.thread_id == Post.thread_id,
                Post.branch == root.branch,
                func.substr(Post.path, 1, func.length(root.path)) == root.path,
                Post.depth <= root.depth + visible_depth,
            ),
        )
        .where(Post.thread_id == bindparam("thread_id"))
        .order_by(Post.path),
        {**params, "thread_id": thread.id},
    ).all()
    if not rows or rows[0][0].id != root_id:
        raise NotFound("That reply is not part of this thread.")
    top = _build(rows, viewer, rows[0][0].depth, visible_depth)
    if not top:
        raise NotFound("That reply is not part of this thread.")
    if sort == SORT_HELPFUL:
        helpful_first(top[0].children)
    page = page_of_branch(top[0].post.branch, size)
    return TreePage(
        thread,
        None,
        top,
        page=page,
        root=top[0],
        readable_replies=rows[0][3],
        sort=sort,
        **_member_state(rows, viewer),
    )


def _member_state(rows, viewer: User | None) -> dict:
    if not Viewer.of(viewer).is_signed_in:
        return {}
    return {
        "bookmarked": frozenset(row[0].id for row in rows if row[4]),
        "watching": bool(rows[0][5]) if rows else False,
    }


def locate(post: Post, *, size: int, visible_depth: int) -> tuple[int, int | None]:
    """Where a post is shown: (page, None), or (page, root id) of the "continue this thread"
    page that shows it when it sits deeper than the visible depth."""
    page = page_of_branch(post.branch, size)
    if post.depth <= visible_depth:
        return page, None
    root_depth = ((post.depth - 1) // visible_depth) * visible_depth
    root_id = db.session.scalar(
        select(Post.id).where(
            Post.thread_id == post.thread_id,
            Post.branch == post.branch,
            Post.path == ancestor_path(post.path, root_depth),
        )
    )
    return page, root_id
