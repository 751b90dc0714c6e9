"""A short-lived page cache for signed-out readers (issue #6).

Signed-out readers are most of the traffic and all see the same page, so a GET to a view
marked with ``@anon_cacheable`` is answered from the cache when the request carries no
login and no pending flash message. Entries live at most ANON_CACHE_SECONDS (0 turns the
cache off). Signed-in readers never get these entries; their own shared pages
(``forum.member_pages``) live in the same store under the same generation.

Invalidation is by generation: every entry records the generation it was stored under, and
``purge()`` bumps the generation, which empties the cache for every worker at once. Nobody
calls it by hand (issue #10): ``forum.sync`` watches every flush and marks the session with
what changed that readers would see (``mark_for_purge``), and the bump happens only once
that transaction commits, so no worker can re-cache the old page in between. A rollback
forgets the marks. With REDIS_URL the entries and the generation live in Redis; without
it, entries are kept in each process and the generation is a small file under instance/
that every worker on the host reads.

The cache fails open: if Redis cannot be reached the page is simply rendered.
"""

import logging
import os
import pickle  # noqa: S403 - entries are written and read only by this module
import re
import threading
import time
from collections import OrderedDict
from pathlib import Path
from urllib.parse import unquote_to_bytes

from flask import Flask, current_app, g, has_app_context, request, session
from sqlalchemy import event
from sqlalchemy.orm import Session

from forum import logs
from forum.security import FORWARDING_HEADERS, script_root

log = logging.getLogger(__name__)

# Headers that belong to one request or one reader, never stored with a shared page.
PRIVATE_HEADERS = frozenset(
    {"set-cookie", "x-request-id", "x-cache", "x-query-count", "content-length"}
)
MAX_LOCAL_ENTRIES = 2000
# And at most this many bytes of pages per worker: readers spread over the long tail grew a
# worker from 105 to 158 MB in make bench (issue #17: workers under 150 MB).
MAX_LOCAL_BYTES = 16 * 1024 * 1024
# Set on the WSGI environ by CachedPageMiddleware after a lookup that missed: the
# generation the page should be stored under, so Flask does not look it up again.
LOOKED_UP = "forum.page_cache_generation"


def anon_cacheable(view):
    """Mark a view whose page is the same for every signed-out reader."""
    view._anon_cacheable = True
    return view


class LocalStore:
    """Entries in this process; the generation in a file shared by the host's workers."""

    def __init__(self, stamp_path: Path):
        self.entries: OrderedDict[str, tuple[float, int, bytes]] = OrderedDict()
        self.size = 0  # bytes of payload held
        self.lock = threading.Lock()
        self.stamp_path = stamp_path

    def generation(self) -> int:
        try:
            return self.stamp_path.stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def get(self, key: str) -> tuple[int, bytes] | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            expires, generation, payload = entry
            if expires < time.monotonic():
                self._drop(key)
                return None
            self.entries.move_to_end(key)
        return generation, payload

    def set(self, key: str, generation: int, payload: bytes, ttl: int) -> None:
        with self.lock:
            self._drop(key)
            self.entries[key] = (time.monotonic() + ttl, generation, payload)
            self.size += len(payload)
            while len(self.entries) > MAX_LOCAL_ENTRIES or self.size > MAX_LOCAL_BYTES:
                self._drop(next(iter(self.entries)))  # the least recently used

    def _drop(self, key: str) -> None:
        entry = self.entries.pop(key, None)
        if entry is not None:
            self.size -= len(entry[2])

    def purge(self) -> None:
        self.stamp_path.parent.mkdir(parents=True, exist_ok=True)
        # A new mtime (nanoseconds) is the new generation; writing also bumps it on
        # filesystems with coarse timestamps.
        with open(self.stamp_path, "a") as stamp:
            stamp.write(".")
        os.utime(self.stamp_path, ns=(time.time_ns(), time.time_ns()))
        with self.lock:
            self.entries.clear()
            self.size = 0


class RedisStore:
    """Entries and generation in Redis, shared by every worker on every host."""

    GENERATION_KEY = "forum:pagecache:generation"

    def __init__(self, url: str):
        from redis import Redis

        self.redis = Redis.from_url(url, socket_timeout=0.25, socket_connect_timeout=0.25)

    def _key(self, key: str) -> str:
        return f"forum:pagecache:{key}"

    def generation(self) -> int:
        return int(self.redis.get(self.GENERATION_KEY) or 0)

    def lookup(self, key: str) -> tuple[int, tuple[int, bytes] | None]:
        raw_generation, raw_entry = self.redis.mget(self.GENERATION_KEY, self._key(key))
        generation = int(raw_generation or 0)
        if raw_entry is None:
            return generation, None
        stored_generation, _, payload = raw_entry.partition(b":")
        return generation, (int(stored_generation), payload)

    def set(self, key: str, generation: int, payload: bytes, ttl: int) -> None:
        self.redis.set(self._key(key), str(generation).encode() + b":" + payload, ex=ttl)

    def purge(self) -> None:
        self.redis.incr(self.GENERATION_KEY)


def _store():
    return current_app.extensions["page_cache"]


def environ_key(environ: dict) -> str:
    """The cache key of a request: everything that can change the page's bytes (issue #9).

    Scheme, host and script root are in it besides the path and query string, so a page
    rendered for an odd request could only ever be found by the same odd request; and
    ``canonical`` keeps such requests away from the cache altogether.
    """
    return (
        f"{environ.get('wsgi.url_scheme', '')}://{_host(environ)}"
        f"{environ.get('SCRIPT_NAME', '')}{environ.get('PATH_INFO', '')}"
        f"?{environ.get('QUERY_STRING', '')}"
    )


def _host(environ: dict) -> str:
    return (environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or "").lower()


# A host as a browser sends it: a name or IPv4 address, or an IPv6 literal, and a port.
_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?")
# A path as this site's own links write it: no empty, "." or ".." segment, no backslash,
# nothing below a space.
_ODD_PATH = re.compile(r"//|/\.\.?(?:/|$)|[\\\x00-\x20\x7f]")


def canonical(environ: dict, root: str) -> bool:
    """Whether a request has the form the site's own links give it, and so may be served
    from the cache and have its page stored there (issue #9).

    The script root must be the configured one, the path normalised and the same as the
    request line's, the host well formed, and no header that names another place for
    the site (``security.FORWARDING_HEADERS``) may have come through: a page rendered
    for anything else is never shared, whatever an outer layer let through.
    """
    if environ.get("SCRIPT_NAME", "") != root:
        return False
    path = environ.get("PATH_INFO", "")
    if not path.startswith("/") or _ODD_PATH.search(path):
        return False
    raw = environ.get("RAW_URI", environ.get("REQUEST_URI"))
    if raw is not None and unquote_to_bytes(raw.partition("?")[0]).decode("latin-1") != (
        root + path
    ):
        return False
    if environ.get("wsgi.url_scheme") not in ("http", "https"):
        return False
    if not _HOST.fullmatch(_host(environ)):
        return False
    return not any(key in environ for key in FORWARDING_HEADERS)


def _lookup(store, key: str) -> tuple[int, bytes | None]:
    """(current generation, the stored page if it is of that generation)."""
    if isinstance(store, RedisStore):
        generation, entry = store.lookup(key)
    else:
        generation, entry = store.generation(), store.get(key)
    if entry is None or entry[0] != generation:
        return generation, None
    return generation, entry[1]


def _eligible() -> bool:
    if request.method != "GET" or not current_app.config.get("ANON_CACHE_SECONDS"):
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, "_anon_cacheable", False):
        return False
    if current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies:
        return False
    if "Authorization" in request.headers:
        return False  # a token holder's answer is theirs alone (issue #18)
    # Reading the signed session cookie costs no query; a signed-in reader or one with a
    # message waiting always gets a fresh page.
    return "_user_id" not in session and "_flashes" not in session


def _serve_from_cache():
    if not _eligible() or not canonical(request.environ, script_root(current_app.config)):
        return None
    g.page_cache_key = environ_key(request.environ)
    if LOOKED_UP in request.environ:
        g.page_cache_generation = request.environ[LOOKED_UP]
        return None  # the middleware looked and missed
    try:
        generation, payload = _lookup(_store(), g.page_cache_key)
    except Exception as exc:  # fail open: render the page
        log.warning("page cache unavailable: %s", type(exc).__name__)
        g.page_cache_key = None
        return None
    g.page_cache_generation = generation
    if payload is None:
        return None
    status, headers, body = pickle.loads(payload)  # noqa: S301 - our own entries
    response = current_app.response_class(body, status=status, headers=headers)
    response.headers["X-Cache"] = "hit"
    g.page_cache_key = None
    return response


def _store_response(response):
    key = g.pop("page_cache_key", None)
    if key is None or response.status_code != 200 or response.direct_passthrough:
        return response
    if "Set-Cookie" in response.headers or session.modified or session.accessed and session:
        # Something about this reader changed while rendering; never share it.
        return response
    if response.cache_control.no_store or response.cache_control.private:
        return response  # a member's page or a form (forum/security.py)
    ttl = int(current_app.config["ANON_CACHE_SECONDS"])
    # The security headers are set by then (after_request functions run last-registered
    # first), so a page served from the cache carries them too.
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in PRIVATE_HEADERS]
    payload = pickle.dumps((response.status_code, headers, response.get_data()))
    try:
        _store().set(key, g.get("page_cache_generation", 0), payload, ttl)
    except Exception as exc:
        log.warning("page cache unavailable: %s", type(exc).__name__)
    response.headers["X-Cache"] = "miss"
    return response


def get_shared(key: str) -> tuple[int | None, bytes | None]:
    """(generation, payload) of another cached thing that purges must reach (a rendered
    fragment): store it again under the generation returned here, read before the data it
    is made of, so a purge in between is never undone. Fails open: (None, None)."""
    try:
        return _lookup(current_app.extensions["page_cache"], key)
    except Exception as exc:
        log.warning("page cache unavailable: %s", type(exc).__name__)
        return None, None


def put_shared(key: str, generation: int | None, payload: bytes, ttl: int) -> None:
    if generation is None:
        return
    try:
        current_app.extensions["page_cache"].set(key, generation, payload, ttl)
    except Exception as exc:
        log.warning("page cache unavailable: %s", type(exc).__name__)


PURGES = "purge_page_cache"


def mark_for_purge(db_session, *keys: str) -> None:
    """Empty the page cache once the current transaction commits; ``keys`` name what
    changed (``"post:12"``), for the log."""
    db_session.info.setdefault(PURGES, set()).update(keys or ("all",))


def purge_after_commit(db_session) -> None:
    """Empty the page cache once the current transaction commits, for a change to rows
    ``forum.sync`` does not watch (a member's role beside their name); it marks changes to
    posts, threads, tags and guide articles by itself."""
    mark_for_purge(db_session, "all")


def purge() -> None:
    try:
        _store().purge()
    except Exception as exc:
        # Entries expire within ANON_CACHE_SECONDS anyway; say so loudly.
        log.error("page cache purge failed: %s", type(exc).__name__)


def init_store(app: Flask) -> None:
    if app.config.get("REDIS_URL"):
        app.extensions["page_cache"] = RedisStore(app.config["REDIS_URL"])
    else:
        app.extensions["page_cache"] = LocalStore(Path(app.instance_path) / "page-cache.stamp")


class CachedPageMiddleware:
    """Answer a signed-out reader's GET from the page cache before Flask does any work.

    Most traffic is signed-out readers of cached pages, so their hits skip the request
    context, the session and every hook: the cookie header is enough to tell that nobody
    is signed in (any session or remember cookie sends the request on to Flask, which
    decides with the session itself). Only pages Flask stored are ever found here.
    """

    def __init__(self, wsgi_app, flask_app: Flask):
        self.wsgi_app = wsgi_app
        self.flask_app = flask_app
        config = flask_app.config
        self.root = script_root(config)
        self.cookie_names = (
            f"{config.get('SESSION_COOKIE_NAME', 'session')}=",
            f"{config.get('REMEMBER_COOKIE_NAME', 'remember_token')}=",
        )

    def __call__(self, environ, start_response):
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or not self.flask_app.config.get("ANON_CACHE_SECONDS")
            or any(name in environ.get("HTTP_COOKIE", "") for name in self.cookie_names)
            or "HTTP_AUTHORIZATION" in environ
            or not canonical(environ, self.root)
        ):
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        try:
            generation, payload = _lookup(
                self.flask_app.extensions["page_cache"], environ_key(environ)
            )
        except Exception:
            return self.wsgi_app(environ, start_response)  # Flask fails open and logs it
        if payload is None:
            environ[LOOKED_UP] = generation
            return self.wsgi_app(environ, start_response)
        status, headers, body = pickle.loads(payload)  # noqa: S301 - our own entries
        request_id = logs.incoming_request_id(environ.get("HTTP_X_REQUEST_ID", ""))
        start_response(
            f"{status} OK",
            [
                *headers,
                ("Content-Length", str(len(body))),
                ("X-Cache", "hit"),
                ("X-Request-Id", request_id),
            ],
        )
        if self.flask_app.config.get("ACCESS_LOG", True) and not self.flask_app.testing:
            logs.log_access(
                "GET", environ.get("PATH_INFO", ""), status, started, request_id=request_id
            )
        return [body]


def init_cache(app: Flask) -> None:
    init_store(app)
    app.before_request(_serve_from_cache)
    app.after_request(_store_response)
    app.wsgi_app = CachedPageMiddleware(app.wsgi_app, app)


@event.listens_for(Session, "after_commit")
def _purge_committed(db_session):
    # Releasing a savepoint is a commit too, but nothing is visible to others before the
    # outermost transaction commits.
    if db_session.in_nested_transaction():
        return
    keys = db_session.info.pop(PURGES, None)
    if keys and has_app_context():
        log.debug("page cache purged after %s", ", ".join(sorted(keys)[:5]))
        purge()


@event.listens_for(Session, "after_soft_rollback")
def _forget_purge(db_session, previous_transaction):
    # A savepoint rolled back keeps the marks of the transaction around it: purging once
    # too often costs a render, once too few shows readers what is gone.
    if previous_transaction.parent is None:
        db_session.info.pop(PURGES, None)
