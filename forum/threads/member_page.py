"""A thread page shared by every member, around the shared tree (issue #17).

``forum.threads.fragments`` already shares a page's reply tree between members and fills in
each member's footers. This keeps the whole page that way: rendered once for "a member"
with markers for what is each member's own (the site menu, CSRF tokens, the footers, the
Watch button, how many replies they may read, the reply form's one-time nonce), stored
under the page cache's generation and the thread's state (its reply count, last activity
and lock: a new reply purges nothing), and filled in per member from one query that
gives the thread's state with the member's footings. A member's plain read of a thread
page then costs two queries (their session, then that one) and no template but the menu
and the Watch button.

Only a plain read is shared: the page's own address with at most ``?page=N``, by a member
``forum.member_pages`` lets in who may write now and has no crisis panel waiting. The
page stored is the one the tree's own rules allow sharing (a public thread, the member no
private author on the page); anything else renders for the member alone, as before.
"""

import functools
import pickle  # noqa: S403 - entries are written and read only by this module
import re
from dataclasses import dataclass

from flask import current_app, g, render_template, request, session
from flask_login import current_user

from forum import cache, member_pages
from forum.templating import replies
from forum.threads import footers, fragments
from forum.threads.forms import new_nonce
from forum.threads.services import write_refusal
from forum.threads.services.reading import tree_settings
from forum.threads.views.support import CRISIS_PANEL_KEY
from forum.validation import PAGE_MAX, int_or_none

NONCE_STAND_IN = "member-page-nonce-stand-in"
WATCH_MARKER = "<!--member-page:watch-->"
REPLIES_MARKER = "<!--member-page:replies-->"
# The stored page's shape is in its key: a process never unpickles another version's.
KEY_PREFIX = "member-thread:2:"
SENTINEL_THREAD = 987_654_321  # the thread id the Watch button is rendered with, then replaced


@dataclass
class Plan:
    """A plain read the stored page could answer: where to store it, and this member's
    footings (read with the thread's state)."""

    key: str
    generation: int | None
    found: fragments.MemberFootings


@dataclass
class SharedPage:
    """A thread page as every member sees it, their parts left as markers: split on them
    once, when stored, into ``texts`` around ``slots`` (a footer's post id, or a marker),
    so filling it in is one join rather than a pass over the page for each marker (a
    500-reply page is most of a megabyte)."""

    texts: tuple[str, ...]
    slots: tuple[int | str, ...]
    footers: dict[int, tuple[int, bool]]  # plain post id -> (author id, edited)
    private_authors: frozenset[int]
    thread_id: int
    locked: bool
    reply_query: str
    readable_replies: int | None


@dataclass
class Built:
    """What ``build_thread_page`` leaves for the response when it rendered for members."""

    tree: fragments.SharedTree
    footings: dict[int, fragments.Footing]
    readable_replies: int | None
    watching: bool
    locked: bool
    reply_query: str


def planned() -> Plan | None:
    """The plan of the request being rendered, when its page is to be shared."""
    return g.get("member_thread")


def built(page: Built) -> None:
    g.member_thread_page = page


def shared_thread_page(view):
    """Serve ``view`` (the thread page) from the members' stored page when it may."""

    @functools.wraps(view)
    def serve(thread_id, slug=None):
        page = _plain_page()
        if page is None or not _usable():
            return view(thread_id, slug)
        found = fragments.member_footings(thread_id, current_user, page, **tree_settings())
        if found.state is None:
            return view(thread_id, slug)  # no such thread: the view says so
        key = f"{KEY_PREFIX}{cache.environ_key(request.environ)}:{found.state}"
        generation, payload = cache.get_shared(key)
        if payload is not None:
            stored = pickle.loads(payload)  # noqa: S301 - our own entries
            if current_user.id in stored.private_authors:
                return view(thread_id, slug)  # they see more than the stored page holds
            readable = found.readable_replies
            readable = stored.readable_replies if readable is None else readable
            html = _fill(stored, found.by_post, readable, found.watching)
            return member_pages.respond(html)
        return _render(view, thread_id, slug, Plan(key, generation, found))

    return serve


def _plain_page() -> int | None:
    """The page number of a plain read (the address alone, or ``?page=N`` as the site's
    own links write it), else None."""
    if not request.args:
        return 1
    raw = request.args.get("page", "")
    page = int_or_none(raw, minimum=2, maximum=PAGE_MAX)
    return page if len(request.args) == 1 and raw == str(page) else None


def _usable() -> bool:
    return (
        bool(current_app.config.get("TREE_CACHE_SECONDS"))
        and member_pages.usable()
        and CRISIS_PANEL_KEY not in session
        and write_refusal(current_user) is None
    )


def _render(view, thread_id, slug, plan: Plan):
    with member_pages.rendering() as shareable:
        g.member_thread = plan
        try:
            response = current_app.make_response(view(thread_id, slug))
        finally:
            g.pop("member_thread", None)
            page = g.pop("member_thread_page", None)
    if response.direct_passthrough or response.mimetype != "text/html":
        return response
    html = response.get_data(as_text=True)
    if page is None:  # not rendered for members: only the menu and tokens to put in
        response.set_data(member_pages.fill(html))
        return response
    stored = SharedPage(
        *_split(html),
        page.tree.footers,
        page.tree.private_authors,
        thread_id,
        page.locked,
        page.reply_query,
        page.readable_replies,
    )
    if shareable(response):
        ttl = int(current_app.config["TREE_CACHE_SECONDS"])
        cache.put_shared(plan.key, plan.generation, pickle.dumps(stored), ttl)
    response.set_data(_fill(stored, page.footings, page.readable_replies, page.watching))
    response.headers["X-Member-Page"] = "shared"
    return response


SLOTS_RE = re.compile(
    f"{footers.MARKER_RE.pattern}|("
    + "|".join(
        re.escape(marker)
        for marker in (REPLIES_MARKER, WATCH_MARKER, NONCE_STAND_IN, member_pages.MENU_MARKER)
    )
    + ")"
)


def _split(html: str) -> tuple[tuple[str, ...], tuple[int | str, ...]]:
    texts, slots, at = [], [], 0
    for match in SLOTS_RE.finditer(html):
        texts.append(html[at : match.start()])
        slots.append(int(match.group(1)) if match.group(1) else match.group(2))
        at = match.end()
    texts.append(html[at:])
    return tuple(texts), tuple(slots)


def _fill(page: SharedPage, footings, readable: int | None, watching: bool) -> str:
    """The stored page with this member's parts in place: every footer, the reply count
    as the header writes it, and the first Watch button, nonce and menu."""
    reader = footers.Reader(current_user.id, True, page.locked, page.reply_query, footers.paths())
    footer = fragments.footer_maker(page.footers, footings, reader)
    everywhere = {REPLIES_MARKER: REPLIES_MARKER if readable is None else replies(readable)}
    first = {
        WATCH_MARKER: lambda: _watch(page.thread_id, watching),
        NONCE_STAND_IN: new_nonce,
        member_pages.MENU_MARKER: lambda: member_pages.menu(current_user),
    }
    pieces = [page.texts[0]]
    for slot, text in zip(page.slots, page.texts[1:], strict=True):
        if isinstance(slot, int):
            pieces.append(footer(slot))
        elif slot in everywhere:
            pieces.append(everywhere[slot])
        else:
            make = first.pop(slot, None)
            pieces.append(slot if make is None else make())
        pieces.append(text)
    return member_pages.fill_token("".join(pieces))


_watches: dict[tuple[str, bool], str] = {}


def _watch(thread_id: int, watching: bool) -> str:
    """The Watch button (or Stop watching) of a member who may write: the same for every
    thread but its id, so rendered once per process for each state."""
    key = (request.script_root, watching)
    if key not in _watches:
        _watches[key] = render_template(
            "threads/_watch.html", csrf=True, watching=watching, thread_id=SENTINEL_THREAD
        )
    return _watches[key].replace(f"/t/{SENTINEL_THREAD}/", f"/t/{int(thread_id)}/")
