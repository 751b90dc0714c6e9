"""The actions under a post on a thread page (issue #10): the one place they are made.

Every post's footer comes from ``post_footer``: a fresh render for one reader, the shared
tree's footers filled in for each member (``fragments.fill_footers``), and the template
(``templates/threads/_tree.html`` calls the page's ``footer_for``, which calls it).

A page can hold thousands of posts, so the footer is a few string formats rather than
``url_for`` per link; the formats themselves come from ``url_for`` once per process (and
script root), so they follow the route map and the site's root.
"""

import functools
import re
from dataclasses import dataclass, field

from flask import request, url_for
from markupsafe import Markup, escape

from forum.bounded import BoundedMap
from forum.models import PostStatus
from forum.threads.services.editing import LOCKED_EDIT, refusal_for

# An id the paths are built with and then split on: long enough to occur nowhere else in a
# path, short enough for the bounded id converter (forum/urls.py).
_PLACEHOLDER = 918_273_645_546_372_819


def _format(endpoint: str, name: str) -> str:
    """``url_for(endpoint)`` as a ``%``-format of the id, escaped for an HTML attribute."""
    path = url_for(endpoint, **{name: _PLACEHOLDER})
    marker = str(_PLACEHOLDER)
    if path.count(marker) != 1:
        raise RuntimeError(f"{endpoint} does not take {name} once in its path: {path}")
    return str(escape(path)).replace("%", "%%").replace(marker, "%d")


MARKER_RE = re.compile(r"<!--footer:(\d+)-->")


def footer_marker(post_id: int) -> Markup:
    """Where a plain post's footer goes in the shared tree (forum/threads/fragments.py)."""
    # An HTML comment: the sanitiser strips comments from everything members write, so no
    # post can contain one.
    return Markup("<!--footer:{}-->").format(int(post_id))


@dataclass(frozen=True)
class Paths:
    """``%d`` formats of the paths a post's footer and header link to."""

    post: str
    helpful: str
    history: str
    edit: str
    delete: str
    report: str
    review: str
    bookmark: str
    unbookmark: str
    moderate: str

    def permalink(self, post_id: int) -> Markup:
        """The post's own link (its header's time), for the template."""
        return Markup(self.post % int(post_id))  # noqa: S704 - escaped when built


@functools.lru_cache(maxsize=8)
def _paths_under(script_root: str) -> Paths:
    # The routes are the code's, the same in every app of a process; only the script root
    # (APPLICATION_ROOT, pinned by forum/security.py) moves them, so it is the key.
    return Paths(
        post=_format("threads.permalink", "post_id"),
        helpful=_format("threads.helpful", "post_id"),
        history=_format("threads.history", "post_id"),
        edit=_format("threads.edit", "post_id"),
        delete=_format("threads.delete", "post_id"),
        report=_format("moderation.report", "post_id"),
        review=_format("moderation.item", "item_id"),
        bookmark=_format("bookmarks.bookmark", "post_id"),
        moderate=_format("moderation.moderate", "post_id"),
        unbookmark=_format("bookmarks.unbookmark", "post_id"),
    )


def paths() -> Paths:
    """The footer paths for this request's site root."""
    return _paths_under(request.script_root)


@dataclass(frozen=True)
class Reader:
    """What a footer needs to know about the page and the person reading it."""

    viewer_id: int | None
    can_write: bool  # signed in and allowed to post now (the page carries a CSRF token)
    locked: bool
    reply_query: str  # what "Reply" links start with: "?", "?page=2&", or a full path
    paths: Paths
    staff: bool = False  # a moderator or admin, who may still edit in a locked thread
    # The posts on the page the reader bookmarked (issue #12), from the page's own query.
    bookmarked: frozenset[int] = frozenset()
    reply_href: str = field(init=False, repr=False)  # reply_query escaped, once a page

    def __post_init__(self):
        object.__setattr__(self, "reply_href", str(escape(self.reply_query)))


# "A member" of the shared tree: what every member sees before their own part is filled in.
def generic_reader(reader: Reader) -> Reader:
    return Reader(None, False, reader.locked, reader.reply_query, reader.paths)


def post_footer(
    reader: Reader,
    post_id: int,
    author_id: int | None,
    *,
    edited: bool,
    helpful_count: int,
    marked: bool,
    plain: bool = True,
    shows_body: bool = True,
    opening: bool = False,
    item_id: int | None = None,
    status: str = PostStatus.VISIBLE,
    deleted: bool = False,
    bookmarked: bool | None = None,
) -> Markup:
    """The footer under one post for ``reader``.

    ``plain`` posts (shown to everyone as written) take helpful marks, replies and
    reports; a post shown with a notice or as a placeholder keeps only what still applies
    to it (its count, its history and its author's actions while its text shows, and
    "Reply" on an opening post, which answers the thread). Its author is offered Edit and
    Delete only where they would work, and told why not in their place (issue #11): a post
    a moderator took down (``status``) or deleted keeps neither, and in a locked thread only
    staff can edit. ``bookmarked`` is None for a
    signed-out reader (no Bookmark button); plain posts of a signed-in reader have one.
    """
    paths = reader.paths
    own = author_id is not None and author_id == reader.viewer_id
    parts = ['<footer class="post-actions">']
    if plain and reader.can_write and not own:
        pressed = ' aria-pressed="true"' if marked else ""
        label = "Marked helpful" if marked else "Helpful"
        parts.append(
            f'<button type="submit" form="helpful-form" formaction="{paths.helpful % post_id}"'
            f' class="link-button"{pressed}>{label} ({helpful_count})</button>'
        )
    elif shows_body and helpful_count:
        parts.append(f"<span>{helpful_count} found this helpful</span>")
    if not reader.locked and (plain or opening):
        parts.append(f' <a href="{reader.reply_href}reply_to={post_id}#reply">Reply</a>')
    if edited and shows_body:
        parts.append(f' <a href="{paths.history % post_id}">History</a>')
    if own and shows_body:
        parts.append(_own_actions(reader, post_id, refusal_for(status, deleted=deleted)))
    elif plain and reader.can_write:
        parts.append(f' <a href="{paths.report % post_id}">Report</a>')
    if plain and bookmarked is not None and reader.viewer_id is not None:
        action = paths.unbookmark if bookmarked else paths.bookmark
        label = "Remove bookmark" if bookmarked else "Bookmark"
        parts.append(
            f' <button type="submit" form="helpful-form" formaction="{action % post_id}"'
            f' class="link-button">{label}</button>'
        )
    if item_id:
        parts.append(f' <a class="review-link" href="{paths.review % item_id}">Review item</a>')
    if reader.staff:
        # Act where you read (issue #16): the post's decision form, its item made or reused.
        parts.append(f' <a class="moderate-link" href="{paths.moderate % post_id}">Moderate</a>')
    parts.append("</footer>")
    # Every part is fixed markup, a number, an escaped path or the escaped reply address.
    return Markup("".join(parts))  # noqa: S704


MAX_FOOTERS = 8192  # per process: a few pages' worth of every footer state
_footers = BoundedMap(MAX_FOOTERS)


def remembered_footer(
    reader: Reader,
    post_id: int,
    own: bool,
    author_id: int | None,
    edited: bool,
    helpful_count: int,
    marked: bool,
    bookmarked: bool,
) -> Markup:
    """``post_footer`` of a plain post for a member's page, made once per process for each
    state of it: the footer depends on nothing else, and whose post it is only through
    ``own`` (a 500-reply page spent a quarter of its time making the same footers)."""
    # The reader as the footer sees them (the script root through one of its paths).
    seen_as = (reader.can_write, reader.locked, reader.staff, reader.viewer_id is None)
    key = (*seen_as, reader.reply_href, reader.paths.post, post_id, own, edited)
    key += (helpful_count, marked, bookmarked)
    found = _footers.get(key)
    if found is not None:
        return found
    made = post_footer(
        reader,
        post_id,
        author_id,
        edited=edited,
        helpful_count=helpful_count,
        marked=marked,
        bookmarked=bookmarked,
    )
    _footers.put(key, made)
    return made


def _own_actions(reader: Reader, post_id: int, refusal: str | None) -> str:
    """Edit and Delete for the post's author, or why they can't have them."""
    if refusal is not None:
        return f' <span class="muted">{escape(refusal)}</span>'
    paths = reader.paths
    delete = f' <a href="{paths.delete % post_id}">Delete</a>'
    if reader.locked and not reader.staff:
        return f'{delete} <span class="muted">{escape(LOCKED_EDIT)}</span>'
    return f' <a href="{paths.edit % post_id}">Edit</a>{delete}'


def footer_for(reader: Reader, *, markers: bool = False):
    """What the tree template calls for each post: ``footer_for(post, view, marked,
    item_id)``; with ``markers``, plain posts get a marker to fill in per member."""

    def footer(post, view, marked=False, item_id=None) -> Markup:
        plain = view.is_plain
        if markers and plain:
            return footer_marker(post.id)
        return post_footer(
            reader,
            post.id,
            post.author_id,
            edited=post.edited_at is not None,
            helpful_count=post.helpful_count,
            marked=marked,
            plain=plain,
            shows_body=view.show_body,
            opening=post.parent_id is None,
            item_id=item_id,
            status=post.status,
            deleted=post.deleted_at is not None,
            bookmarked=post.id in reader.bookmarked if reader.viewer_id else None,
        )

    return footer
