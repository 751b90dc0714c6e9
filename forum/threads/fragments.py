"""The rendered reply tree, shared by signed-in members (issue #6).

Signed-in members see a thread page as a signed-out reader does, except in each plain
post's footer: whether they marked it helpful or bookmarked it, Edit and Delete on their
own posts, Report on the others'. So the tree is rendered once for "a member" with a
marker where each plain post's footer goes, kept in the page cache's store, and each
member's page fills in the footers from one small query (their marks and bookmarks, the
current helpful counts, and whether they watch the thread).

An entry is keyed by the site's root and what changes with every new reply (the thread's
reply count and last activity) and stored under the page cache's generation, which every
edit, delete and moderation action bumps. It is never used for moderators, for a thread
readers can't see, or for a member who wrote a held, hidden or removed post on that page
(they see more than other members do); the helpful counts come fresh with the footers.
"""

import pickle  # noqa: S403 - entries are written and read only by this module
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import current_app, request
from markupsafe import Markup
from sqlalchemy import and_, bindparam, or_, select

from forum import cache
from forum.bookmarks.services import bookmark_join
from forum.extensions import db
from forum.models import HelpfulMark, Post, PostStatus, Thread, User
from forum.notifications.watching import watching_sql
from forum.threads.footers import (
    MARKER_RE,
    Reader,
    footer_for,
    generic_reader,
    remembered_footer,
)
from forum.threads.ranking import SORT_OLDEST
from forum.threads.services.reading import tree_settings
from forum.threads.tree import TreePage
from forum.visibility import Viewer, is_public_thread, readable_replies_sql


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


def thread_state(reply_count: int, last_activity_at, locked: bool) -> str:
    """What changes with every new reply, which purges nothing (``forum.sync``)."""
    activity = last_activity_at.isoformat() if last_activity_at else ""
    return f"{reply_count}:{activity}:{int(locked)}"


def _key(thread: Thread, page: int, sort: str) -> str:
    # The tree's links start with the site's root: sites under other roots sharing one
    # store (Redis) each keep their own. Each order of the replies is its own entry.
    state = thread_state(thread.reply_count, thread.last_activity_at, thread.locked)
    return f"tree:{request.script_root}:{thread.id}:{page}:{sort}:{state}"


def usable_for(viewer: User | None, thread: Thread) -> bool:
    """Whether this viewer may be shown the shared tree at all."""
    return (
        bool(current_app.config.get("TREE_CACHE_SECONDS"))
        and viewer is not None
        and viewer.is_authenticated
        and not viewer.is_moderator
        and is_public_thread(thread)
    )


def lookup(
    thread: Thread, page: int, sort: str = SORT_OLDEST
) -> tuple[int | None, SharedTree | None]:
    """(the cache generation, the shared tree if one is stored for this state and order)."""
    generation, payload = cache.get_shared(_key(thread, page, sort))
    shared = pickle.loads(payload) if payload is not None else None  # noqa: S301 - ours
    return generation, shared


def store(
    thread: Thread, page: int, generation: int | None, shared: SharedTree, sort=SORT_OLDEST
) -> None:
    """Keep ``shared`` under the generation read before its rows were."""
    ttl = int(current_app.config["TREE_CACHE_SECONDS"])
    cache.put_shared(_key(thread, page, sort), generation, pickle.dumps(shared), ttl)


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
    state: str | None = None  # the thread's ``thread_state``; None: there is no such thread


def member_footings(
    thread_id: int,
    viewer: User,
    page: int,
    *,
    size: int,
    visible_depth: int,
    post_ids: Iterable[int] | None = None,
) -> MemberFootings:
    """One query: the current helpful count of each plain post on the page (or of these
    posts: a page ranked by helpful marks holds no range of branches), whether the viewer
    marked and bookmarked it, how many of the thread's replies the viewer may read and
    whether they watch the thread, with the thread's state. It starts from the thread, so
    a page with no plain post still answers one row (its post columns empty)."""
    # Columns only: through the session's connection, not the ORM's result machinery,
    # which cost as much as the query itself on a page of 200 posts.
    rows = db.session.connection().execute(
        _footings_statement("ids" if post_ids is not None else page == 1),
        {
            "viewer_id": viewer.id,
            "thread_id": thread_id,
            **(
                {"post_ids": list(post_ids)}
                if post_ids is not None
                else {"low": (page - 1) * size + 1, "high": page * size}
            ),
            "max_depth": visible_depth,
        },
    )
    rows = rows.all()
    # By position, not name: a 500-reply page has 200 rows, and Row's named access cost
    # as much as the query (the columns: id, count, marked, readable, bookmarked, ...).
    return MemberFootings(
        {row[0]: Footing(row[1], bool(row[2]), bool(row[4])) for row in rows if row[0] is not None},
        rows[0].readable if rows else None,
        bool(rows[0].watching) if rows else False,
        thread_state(rows[0].reply_count, rows[0].last_activity_at, rows[0].locked)
        if rows
        else None,
    )


_STATEMENTS: dict = {}


def _footings_statement(first_page: bool | str):  # "ids": the posts named
    if first_page not in _STATEMENTS:
        if first_page == "ids":
            branches = Post.id.in_(bindparam("post_ids", expanding=True))
        elif first_page:
            branches = Post.branch.between(0, bindparam("high"))
        else:
            branches = or_(
                Post.branch == 0, Post.branch.between(bindparam("low"), bindparam("high"))
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
                watching_sql(bindparam("viewer_id"), bindparam("thread_id")).label("watching"),
                Thread.reply_count,
                Thread.last_activity_at,
                Thread.locked,
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


def footer_maker(shared_footers: dict, footings: dict[int, Footing], reader: Reader):
    """The footer of each plain post of a shared page, by post id, for this reader."""
    unread = Footing(0, False)

    def footer(post_id: int) -> str:
        author_id, edited = shared_footers[post_id]
        footing = footings.get(post_id, unread)
        return remembered_footer(
            reader,
            post_id,
            author_id is not None and author_id == reader.viewer_id,
            author_id,
            edited,
            footing.helpful_count,
            footing.marked,
            footing.bookmarked,
        )

    return footer


def fill_footers(shared: SharedTree, footings: dict[int, Footing], reader: Reader) -> Markup:
    """The shared tree with this reader's footers in place of the markers."""
    footer = footer_maker(shared.footers, footings, reader)
    # The shared tree is this app's own rendered template; the footers are post_footer's.
    return Markup(MARKER_RE.sub(lambda match: footer(int(match.group(1))), shared.html))  # noqa: S704


# --- The protocol: lookup, then store on a miss, then fill ---------------------------------


@dataclass
class PageOutline:
    """What the page around the tree needs when the tree itself came from the store."""

    page: int
    pages: int
    root: None = None
    opening: None = None
    readable_replies: int | None = None
    sort: str = SORT_OLDEST


@dataclass
class Cached:
    """What the store holds for one member's page: the first step of every thread page."""

    usable: bool  # the page's tree may be the shared one (found now, or stored after)
    generation: int | None = None  # read before the page's rows, to store under
    shared: SharedTree | None = None
    sort: str = SORT_OLDEST  # the order of the replies (a stored tree is one order's)

    @property
    def hit(self) -> bool:
        return self.shared is not None

    def outline(self) -> PageOutline:
        return PageOutline(self.shared.page, self.shared.pages, sort=self.sort)


NOT_SHARED = Cached(usable=False)


def find(thread: Thread, viewer: User | None, page: int, sort: str = SORT_OLDEST) -> Cached:
    """Look the page up for ``viewer``, its replies in order ``sort``: a hit, a miss to
    store, or not for them at all."""
    if not usable_for(viewer, thread):
        return NOT_SHARED
    generation, shared = lookup(thread, page, sort)
    if shared is not None and viewer.id in shared.private_authors:
        # Found, and not used: it lacks what only this member may see.
        return NOT_SHARED
    return Cached(True, generation, shared, sort)


def footings_of(tree: TreePage) -> dict[int, Footing]:
    """The footings of a page just loaded for its reader (no query needed)."""
    footings = {}
    nodes = ([tree.opening] if tree.opening else []) + list(tree.nodes)
    while nodes:
        node = nodes.pop()
        footings[node.post.id] = Footing(
            node.post.helpful_count, node.marked, node.post.id in tree.bookmarked
        )
        nodes.extend(node.children)
    return footings


def keep(cached: Cached, thread: Thread, tree: TreePage, html: str) -> SharedTree:
    """Store ``html`` (the tree rendered for "a member", markers for plain footers)."""
    footers = {}
    nodes = ([tree.opening] if tree.opening else []) + list(tree.nodes)
    while nodes:
        node = nodes.pop()
        if node.view.is_plain:
            footers[node.post.id] = (node.post.author_id, node.post.edited_at is not None)
        nodes.extend(node.children)
    shared = SharedTree(
        html,
        footers,
        tree.private_authors,
        tree.page,
        tree.pages,
        tree.opening.post.id if tree.opening else None,
        readable_replies=tree.readable_replies,
    )
    store(thread, tree.page, cached.generation, shared, tree.sort)
    return shared


@dataclass
class RenderedTree:
    html: Markup
    readable_replies: int | None  # the header's reply count for this reader
    # Whether the reader watches the thread, when it came with the footers (a hit: the
    # page's own tree query was not run); None: the tree's own answer stands.
    watching: bool | None = None
    # With ``markers``: the shared tree (``html`` is its markers left in) and this reader's
    # footings, to fill in later (forum/threads/member_page.py).
    shared: SharedTree | None = None
    footings: dict[int, Footing] | None = None


def tree_html(
    cached: Cached,
    thread: Thread,
    viewer: User | None,
    tree: TreePage | PageOutline,
    reader: Reader,
    render: Callable[..., str],
    *,
    markers: bool = False,
    found: MemberFootings | None = None,
) -> RenderedTree:
    """The page's tree for ``reader``: filled in from the store on a hit, rendered once for
    "a member" and stored on a usable miss, else rendered for the reader alone.

    ``render(footer_for, for_anyone=...)`` renders the tree template with the footer
    function given, for this reader or (``for_anyone``) for "a member". ``markers``: leave
    the shared tree's markers in, with the footings to fill them (when it is shared).
    ``found``: this reader's footings of the page in its replies' own order, when they
    were read already (forum/threads/member_page.py reads them with the thread's state).
    """
    if cached.hit:
        # A page ranked by helpful marks holds no range of branches: ask for its posts.
        ranked = cached.shared.footers if cached.sort != SORT_OLDEST else None
        if found is None or ranked is not None:
            found = member_footings(
                thread.id, viewer, tree.page, **tree_settings(), post_ids=ranked
            )
        readable = found.readable_replies
        readable = cached.shared.readable_replies if readable is None else readable
        return _filled(cached.shared, found.by_post, reader, readable, found.watching, markers)
    if cached.usable and viewer.id not in tree.private_authors:
        html = render(footer_for(generic_reader(reader), markers=True), for_anyone=True)
        shared = keep(cached, thread, tree, html)
        return _filled(shared, footings_of(tree), reader, tree.readable_replies, None, markers)
    # This app's own template, rendered just now for this reader.
    html = Markup(render(footer_for(reader), for_anyone=False))  # noqa: S704
    return RenderedTree(html, tree.readable_replies)


def _filled(shared, footings, reader, readable, watching, markers: bool) -> RenderedTree:
    if markers:
        # The shared tree is this app's own rendered template, its markers left in.
        html = Markup(shared.html)  # noqa: S704
        return RenderedTree(html, readable, watching, shared=shared, footings=footings)
    return RenderedTree(fill_footers(shared, footings, reader), readable, watching)
