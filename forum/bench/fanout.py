"""The fan-out rate in ``make bench`` (issue #12): how fast one reply's notifications reach
every watcher of a thread, measured in the benchmark's own database."""

import time

from sqlalchemy import delete, insert, select

from forum.bench.runner import Result
from forum.extensions import db
from forum.models import Notification, Thread, ThreadWatch, User
from forum.notifications import fanout
from forum.threads import services as threads


def measure_fanout(thread_id: int, *, watchers: int = 10_000) -> Result:
    """Let up to ``watchers`` seeded members watch ``thread_id``, post one reply and time
    its fan-out; the watches and notifications are taken away afterwards."""
    thread = db.session.get(Thread, thread_id)
    ids = list(
        db.session.scalars(
            select(User.id).where(User.id != thread.author_id).order_by(User.id).limit(watchers)
        )
    )
    known = set(
        db.session.scalars(select(ThreadWatch.user_id).where(ThreadWatch.thread_id == thread_id))
    )
    added = [user_id for user_id in ids if user_id not in known]
    if added:
        db.session.execute(
            insert(ThreadWatch), [{"user_id": uid, "thread_id": thread_id} for uid in added]
        )
    author = db.session.get(User, thread.author_id)
    post, _ = threads.reply(thread, author, body="A reply to measure the fan-out with.")
    db.session.commit()
    job = fanout.job_for(post.id)
    started = time.perf_counter()
    result = fanout.run_job(job)
    seconds = time.perf_counter() - started
    db.session.execute(delete(Notification).where(Notification.post_id == post.id))
    if added:
        db.session.execute(
            delete(ThreadWatch).where(
                ThreadWatch.thread_id == thread_id, ThreadWatch.user_id.in_(added)
            )
        )
    db.session.execute(delete(fanout.FanoutJob).where(fanout.FanoutJob.id == job))
    db.session.commit()
    rate = result.notified / seconds if seconds else 0.0
    return Result(
        page=f"fan-out of one reply to {result.notified:,} watchers (notified/s)",
        url=f"/p/{post.id}",
        requests_per_second=round(rate, 1),
        p50_ms=round(seconds * 1000, 1),
        p99_ms=round(seconds * 1000, 1),
        queries=None,
        worker_rss_mb=0.0,
        errors=0 if result.jobs == 1 else 1,
    )
