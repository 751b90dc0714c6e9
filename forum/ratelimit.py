"""Rate limits checked inside views and services, so a refused form keeps what was typed.

Flask-Limiter owns the storage (memory:// by default, Redis when REDIS_URL is set); the
limits themselves are configuration strings such as ``POST_LIMIT = "10 per minute"``.
Limits that protect accounts fail closed: if the storage cannot be reached the attempt is
refused with a 503 rather than let through uncounted.
"""

import logging
import time

from flask import current_app
from limits import RateLimitItem, parse_many

from forum.errors import ForumError, RateLimited, humanize_seconds
from forum.extensions import limiter

log = logging.getLogger(__name__)


def _items(name: str) -> list[RateLimitItem]:
    return parse_many(current_app.config[name])


def _refuse(item: RateLimitItem, name: str, key: str) -> None:
    reset_at, _remaining = limiter.limiter.get_window_stats(item, name, key)
    retry_after = max(1, int(reset_at - time.time()))
    raise RateLimited(
        f"You've done that too many times in a short while. "
        f"Try again in {humanize_seconds(retry_after)}.",
        retry_after=retry_after,
    )


def _guard(action):
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    try:
        return action()
    except RateLimited:
        raise
    except Exception as exc:
        log.warning("rate-limit storage unavailable: %s", type(exc).__name__)
        raise ForumError(
            "This can't be done right now; please try again in a minute.", status=503
        ) from exc


def hit(name: str, *keys: str) -> None:
    """Count one attempt of ``name`` for each key; raise RateLimited once a key is over."""

    def action():
        for key in keys:
            for item in _items(name):
                if not limiter.limiter.hit(item, name, key):
                    _refuse(item, name, key)

    _guard(action)


def check(name: str, *keys: str) -> None:
    """Raise RateLimited if any key is already over the limit, without counting an attempt."""

    def action():
        for key in keys:
            for item in _items(name):
                if not limiter.limiter.test(item, name, key):
                    _refuse(item, name, key)

    _guard(action)
