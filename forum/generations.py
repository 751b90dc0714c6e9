"""A number every worker can read cheaply and any worker can move on: how a per-process copy
of rarely changing data (the guide's articles, the members' statistics) knows it is stale.

It lives beside the page cache: in Redis when the page cache is (a counter), else in a stamp
file under the instance folder (its modification time). Reading fails open (None: keep the
copy); bumping logs and carries on, since the copies also expire with the data they hold.
"""

import logging
import os
import time
from pathlib import Path

from flask import current_app

from forum.cache import RedisStore

log = logging.getLogger(__name__)


class SharedGeneration:
    def __init__(self, what: str, redis_key: str, stamp_file: str):
        self.what = what  # for the logs
        self.redis_key = redis_key
        self.stamp_file = stamp_file

    def _stamp_path(self) -> Path:
        return Path(current_app.instance_path) / self.stamp_file

    def read(self) -> int | None:
        """The current generation; None when it can't be read."""
        store = current_app.extensions["page_cache"]
        try:
            if isinstance(store, RedisStore):
                return int(store.redis.get(self.redis_key) or 0)
            try:
                return self._stamp_path().stat().st_mtime_ns
            except FileNotFoundError:
                return 0
        except Exception as exc:
            log.warning("%s generation unavailable: %s", self.what, type(exc).__name__)
            return None

    def bump(self) -> None:
        """Move the generation on, so every worker's copy is stale."""
        store = current_app.extensions["page_cache"]
        try:
            if isinstance(store, RedisStore):
                store.redis.incr(self.redis_key)
                return
            path = self._stamp_path()
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a") as stamp:
                stamp.write(".")
            os.utime(path, ns=(time.time_ns(), time.time_ns()))
        except Exception as exc:
            log.error("%s generation bump failed: %s", self.what, type(exc).__name__)
