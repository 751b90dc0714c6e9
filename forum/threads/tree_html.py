"""The reply tree's markup, written out in Python (issue #17).

A page that misses every cache (a reader arriving from a search engine on a thread nobody
read this minute) spent a fifth of its time in the tree template's loop: a macro call, a
context and a dozen filter lookups per post. Here the loop and the common post (shown as
written, to everyone) are a few string formats; everything else about a post (held,
hidden or removed for its author or a moderator, a misinformation label, photos) is still
the template's, which ``templates/threads/_tree.html`` hands in as macros. The markup is
byte for byte what the template wrote (compared on pages rendered before and after);
the thread-page tests in tests/threads check each kind of post in it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import request, url_for
from markupsafe import Markup, escape

from forum.bounded import BoundedMap
from forum.templating import isodate, replies, timeago, user_link
from forum.threads.footers import Paths
from forum.threads.tree import Node


@dataclass(frozen=True)
class TreeMarkup:
    """What the tree's markup needs besides its nodes, from the page's template context."""

    paths: Paths
    footer_for: Callable  # (post, view, marked, item_id) -> Markup (forum/threads/footers.py)
    journal_shown: Callable | None  # (author) -> whether a link to their journal shows
    thread_url: str
    reply_target_id: int | None
    reply_form: Callable[[], Markup]  # the template's reply form, under its target
    other_post: Callable[[Node], Markup]  # the template's markup for a post that isn't plain
    post_status: Callable  # (post, view) -> the template's label notice
    photo_gallery: Callable  # (photos) -> the template's gallery


def render_nodes(nodes: list[Node], **context) -> Markup:
    """The ``<li>`` of each node and of the replies below it, as the template wrote them."""
    markup = TreeMarkup(**context)
    parts: list[str] = []
    _nodes(nodes, markup, parts)
    return Markup("".join(parts))  # noqa: S704 - every value below is escaped


def _nodes(nodes: list[Node], markup: TreeMarkup, parts: list[str]) -> None:
    add = parts.append
    for node in nodes:
        post, view = node.post, node.view
        add(f'<li class="node" id="p{post.id}"><article class="post">')
        if view.is_plain:
            _plain(node, markup, add)
        else:
            add(markup.other_post(node))
        add("</article>")
        if markup.reply_target_id == post.id:
            add(markup.reply_form())
        if node.children:
            add(
                f'<details class="replies" open><summary>{replies(len(node.children))}'
                '</summary><ol class="tree">'
            )
            _nodes(node.children, markup, parts)
            add("</ol></details>")
        if node.more:
            add(
                f'<p class="continue"><a href="{escape(markup.thread_url)}?root={post.id}'
                f'#p{post.id}">Continue this thread</a></p>'
            )
        add("</li>\n")


def _plain(node: Node, markup: TreeMarkup, add: Callable[[str], None]) -> None:
    """A post shown to everyone as written."""
    post = node.post
    author = post.author
    add('<header class="post-meta">')
    add(user_link(author, "author"))
    add(journal_link(author, markup.journal_shown))
    if badge := post.badge:
        add(f' <span class="badge">{escape(badge)}</span>')
    add(
        f' <a class="when" href="{markup.paths.permalink(post.id)}"><time datetime="'
        f'{escape(isodate(post.created_at))}">{escape(timeago(post.created_at))}</time></a>'
    )
    if post.edited_at:
        add(' <span class="edited">edited</span>')
    add("</header>")
    if post.label:
        add(markup.post_status(post, node.view))
    add(f'<div class="post-body">{post.body_html}</div>')
    if node.photos:
        add(markup.photo_gallery(node.photos))
    add(markup.footer_for(post, node.view, node.marked, node.item_id))


def journal_link(author, journal_shown: Callable | None) -> Markup:
    """A link to the author's treatment journal where this page's readers may read it."""
    if journal_shown is None or not journal_shown(author):
        return Markup("")
    path = journal_path(author.username)
    return Markup(f' <a class="journal-link small" href="{path}">journal</a>')  # noqa: S704


_journal_paths = BoundedMap(20_000)


def journal_path(username: str) -> Markup:
    """The address of a member's journal, escaped for an attribute: ``url_for`` once per
    member and site root in a process, not once per post."""
    key = (request.script_root, username)
    found = _journal_paths.get(key)
    if found is None:
        found = escape(url_for("journals.member", username=username))
        _journal_paths.put(key, found)
    return found
