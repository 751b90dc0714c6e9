"""What every API response shares: rate limits, ETags, caching headers and CORS (issue #18).

- ``API_LIMIT`` counts requests per client address (and per token when one is sent). The
  reads it protects are the same for everyone, so a limit store that cannot be reached lets
  the request through rather than refuse every reader; bad tokens count against
  ``LOGIN_LIMIT`` as failed logins do (``tokens.py``), and that one fails closed.
- Every successful GET gets a strong ETag from its body; a matching ``If-None-Match``
  answers 304 with no body.
- Public answers may be kept by caches only after revalidating (``no-cache``); an answer
  to a request with a token is ``private, no-store`` and never enters the page cache.
- A request that sends ``Authorization`` must carry a working token, whatever endpoint it
  asks (401 otherwise, as for ``me``: a script must learn that its token stopped working
  rather than quietly get less). With a working token the public endpoints answer as the
  pages answer that member (``reader``): members-only threads in full, and their own held
  or hidden posts with the notice the pages show them. A token never carries a moderator's
  or admin's extra sight: the held, hidden and removed text of others is read on the
  moderation pages, behind a signed-in session, and a token pasted into a script or leaked
  from one must not open it.
- CORS headers only for origins listed in ``API_CORS_ORIGINS`` (none by default).
"""

import logging

from flask import current_app, g, request

from forum import ratelimit
from forum.api import tokens
from forum.auth.services import rate_key
from forum.errors import ForumError
from forum.validation import BadValue, has_controls
from forum.visibility import ANONYMOUS, Viewer

log = logging.getLogger(__name__)

PUBLIC_CACHE_CONTROL = "no-cache"
PRIVATE_CACHE_CONTROL = "private, no-store"


def before_request():
    # PostgreSQL cannot compare text holding NUL; no filter of ours takes control characters.
    if any(has_controls(value) for value in request.args.values()):
        raise BadValue("The request holds control characters.")
    keys = [rate_key("api-ip", request.remote_addr or "")]
    try:
        ratelimit.hit("API_LIMIT", *keys)
    except ForumError as exc:
        if exc.status != 503:
            raise
        log.warning("API rate-limit storage unavailable; request let through")
    header = request.headers.get("Authorization")
    g.api_token = _authenticate(header, request.remote_addr or "") if header is not None else None


def _authenticate(header: str, address: str):
    """The token the request carries; a bad one counts as a failed login from the address."""
    key = rate_key("api-token", address)
    ratelimit.check("LOGIN_LIMIT", key)
    try:
        return tokens.authenticate(header)
    except tokens.Unauthorized:
        ratelimit.hit("LOGIN_LIMIT", key)
        raise


def token_holder():
    """The token of this request. Raises Unauthorized (401) when none was sent."""
    token = g.get("api_token")
    if token is None:
        raise tokens.Unauthorized(
            "This needs a personal access token: Authorization: Bearer <token>."
        )
    return token


def reader() -> Viewer:
    """Whom the public endpoints answer: a signed-out reader, or the token's member with a
    member's rights (never staff's, see above)."""
    token = g.get("api_token")
    return ANONYMOUS if token is None else Viewer(id=token.user_id)


def after_request(response):
    if "Authorization" in request.headers:
        response.headers["Cache-Control"] = PRIVATE_CACHE_CONTROL
    else:
        response.headers.setdefault("Cache-Control", PUBLIC_CACHE_CONTROL)
    response.vary.add("Authorization")
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api", error="invalid_token"'
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        response.add_etag()
        response.make_conditional(request)
    _cors(response)
    return response


def _cors(response) -> None:
    allowed = current_app.config.get("API_CORS_ORIGINS") or []
    origin = request.headers.get("Origin")
    if not allowed or not origin:
        return
    response.vary.add("Origin")
    if "*" in allowed:
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif origin in allowed:
        response.headers["Access-Control-Allow-Origin"] = origin
    else:
        return
    response.headers["Access-Control-Allow-Headers"] = "Authorization, If-None-Match"
    response.headers["Access-Control-Allow-Methods"] = "GET"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Retry-After"
    response.headers["Access-Control-Max-Age"] = "600"
