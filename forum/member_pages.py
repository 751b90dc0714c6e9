"""Whole pages shared by signed-in members (issue #17).

Every member who is neither staff nor unconfirmed sees the home page and a topic's list as
every other such member does, except in the site menu (their name, unread count and the
token of the logout form) and the CSRF token of any other form on the page. So a view
marked ``@member_page`` renders once for "a member" with a marker where the menu goes and
a stand-in for the token, keeps that in the page cache's store under the page cache's
generation (every edit, delete and moderation action bumps it), and each member's request
puts their own menu and token in: no list query, no template but the menu.

A member's own writes must show at once: whoever wrote a post or a thread in the last
MEMBER_PAGE_SECONDS gets the page rendered afresh (the time is in their signed session,
so checking it costs no query). Others' new threads and replies may reach a member that
many seconds late, as they reach signed-out readers; what readers would notice changing
in place (an edit, a removal, a lock) purges at once. The session is still loaded on every
request, so a logout or a ban takes effect on the next one.

Nothing is stored from a request that changed the session or flashed a message, or that
answered anything but 200. A thread page holds more of a member's own (their footers, the
Watch button): ``forum.threads.member_page`` builds on this for it.
"""

import contextlib
import functools
import time

from flask import current_app, g, has_request_context, render_template, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from forum import cache
from forum.bounded import BoundedMap
from forum.cookie_sessions import csrf_token
from forum.models import Post, Thread
from forum.security import script_root

MENU_TEMPLATE = "_partials/site_menu.html"
MENU_MARKER = "<!--member-page:site-menu-->"
# Flask-WTF keeps the request's token in g under the field's name: set to this while the
# shared page renders, every csrf_token() in it gives this, and each member's token
# replaces it (tokens are URL-safe base64 and dots: nothing to escape).
CSRF_STAND_IN = "member-page-csrf-stand-in"
WROTE_AT = "wrote_at"  # the session key: when this member last wrote a post or a thread
KEY_PREFIX = "member:"
MAX_MENUS = 4096  # menus kept per process, the least recently made dropped first
_menus = BoundedMap(MAX_MENUS)


def member_page(view):
    """Mark ``view`` as rendering the same page for every plain member (see above)."""

    @functools.wraps(view)
    def serve(*args, **kwargs):
        if not usable():
            return view(*args, **kwargs)
        key = KEY_PREFIX + cache.environ_key(request.environ)
        generation, payload = cache.get_shared(key)
        if payload is not None:
            return respond(fill(payload.decode()))
        shared = _render_shared(view, args, kwargs)
        if isinstance(shared, str):
            ttl = int(current_app.config["MEMBER_PAGE_SECONDS"])
            cache.put_shared(key, generation, shared.encode(), ttl)
            return respond(fill(shared))
        return shared  # a page of this request alone: as the view answered

    return serve


def usable() -> bool:
    """Whether this request may be answered with a page shared by members."""
    seconds = current_app.config.get("MEMBER_PAGE_SECONDS")
    if not seconds or request.method != "GET" or "Authorization" in request.headers:
        return False
    if "_flashes" in session or session.get(WROTE_AT, 0) > time.time() - seconds:
        return False
    if not cache.canonical(request.environ, script_root(current_app.config)):
        return False
    user = current_user
    return bool(user.is_authenticated and user.is_verified and not user.is_moderator)


@contextlib.contextmanager
def rendering():
    """Render for "a member": the site menu as a marker, CSRF tokens as the stand-in.
    Yields a function telling whether the page rendered may be shared: the request
    answered 200 with HTML and left the session as it found it."""
    modified = session.modified
    g.member_page = True
    g.csrf_token = CSRF_STAND_IN

    def shareable(response) -> bool:
        return (
            response.status_code == 200
            and not response.direct_passthrough
            and response.mimetype == "text/html"
            and session.modified == modified  # a message flashed modifies it too
        )

    try:
        yield shareable
    finally:
        g.pop("member_page", None)
        g.pop("csrf_token", None)


def _render_shared(view, args, kwargs):
    """The view's page for "a member" (markers in place of the member's parts), or, when
    this request's page cannot be shared, the view's own response filled in."""
    with rendering() as shareable:
        response = current_app.make_response(view(*args, **kwargs))
    if not shareable(response):
        if not response.direct_passthrough and response.mimetype == "text/html":
            response.set_data(fill(response.get_data(as_text=True)))
        return response
    return response.get_data(as_text=True)


def fill(html: str) -> str:
    """A page rendered for "a member" with this member's menu and CSRF token in place."""
    return fill_token(html.replace(MENU_MARKER, menu(current_user), 1))


def fill_token(html: str) -> str:
    """``html`` with this member's CSRF token in place of the stand-in."""
    return html.replace(CSRF_STAND_IN, csrf_token()) if CSRF_STAND_IN in html else html


def menu(viewer) -> str:
    """The site menu of a plain member, CSRF token left as the stand-in: rendered once per
    process for each state of it (the menu shows nothing else of theirs)."""
    key = (request.script_root, viewer.id, viewer.username, viewer.unread_count, viewer.is_verified)
    menu = _menus.get(key)
    if menu is None:
        token = g.pop("csrf_token", None)
        g.csrf_token = CSRF_STAND_IN
        try:
            menu = render_template(MENU_TEMPLATE, viewer=viewer)
        finally:
            g.pop("csrf_token", None)
            if token is not None:
                g.csrf_token = token
        _menus.put(key, menu)
    return menu


def respond(html: str):
    """The response of a page filled in from the members' stored one."""
    response = current_app.make_response(html)
    response.headers["X-Member-Page"] = "shared"
    return response


@event.listens_for(Session, "after_flush")
def _note_writes(db_session, _flush_context) -> None:
    """A member who just wrote a post or a thread gets fresh pages for a while."""
    if not has_request_context() or not any(isinstance(o, Post | Thread) for o in db_session.new):
        return
    if "_user_id" in session:  # signed in by cookie: the pages they get are shared ones
        session[WROTE_AT] = int(time.time()) + 1
