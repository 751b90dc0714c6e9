"""A map of at most ``size`` entries, the least recently used dropped first, safe to share
between a worker's threads: what each per-process store of made or checked things (menus,
footers, cookies, sessions) keeps its entries in."""

import threading
from collections import OrderedDict


class BoundedMap:
    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        """The entry under ``key`` (now the most recently used), or None."""
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key, value) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def pop(self, key) -> None:
        with self.lock:
            self.entries.pop(key, None)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
