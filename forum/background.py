"""Work a process does after a response, on one thread of its own (issue #17).

A sync gunicorn worker that ran a reply's fan-out once the response was sent could take no
request until it was done, and on PostgreSQL that was about half of what a reply cost the
worker. ``later(work)`` hands the work to this process's one background thread and returns
at once; the thread runs each piece in order, and the next request is served beside it
(both wait on the database most of the time).

Nothing handed over is the only record of what is owed: a fan-out's post stays flagged
until the transaction that does it commits, so work a process never got to (it was killed,
or its thread died) is done by ``flask jobs run``. A process that exits normally (gunicorn
recycling a worker, a restart) first waits up to ``DRAIN_SECONDS`` for what it was handed.
The thread is started on first use in each process, so a fork (gunicorn's preloaded app)
never inherits one that is not running there.
"""

import atexit
import logging
import os
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

DRAIN_SECONDS = 10.0
_STOP = object()


class Background:
    """One thread, started when first needed in a process, running work in order."""

    def __init__(self) -> None:
        self._queue: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    def later(self, work: Callable[[], None]) -> None:
        """Run ``work`` on the background thread, after what was handed over before."""
        self._ensure_thread()
        self._queue.put(work)

    def wait_idle(self, timeout: float = DRAIN_SECONDS) -> bool:
        """Wait until everything handed over so far has run; whether it has."""
        done = threading.Event()
        self.later(done.set)
        return done.wait(timeout)

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
                return
            if self._pid != os.getpid():
                self._queue = queue.Queue()  # a forked copy: what it held is the parent's
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="forum-background", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while (work := self._queue.get()) is not _STOP:
            try:
                work()
            except Exception:
                log.exception("background work failed")

    def drain(self, timeout: float = DRAIN_SECONDS) -> None:
        """At exit: let the thread finish what it holds, for at most ``timeout`` seconds."""
        thread = self._thread
        if thread is None or self._pid != os.getpid() or not thread.is_alive():
            return
        self._queue.put(_STOP)
        thread.join(timeout)


runner = Background()
atexit.register(runner.drain)
