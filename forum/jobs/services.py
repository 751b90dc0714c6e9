"""The periodic tasks behind ``flask jobs run`` (issue #12), each under its own lease.

A task is a name, how often it is due and a function. ``run_due`` takes each due task's
lease with one UPDATE on its ``job_leases`` row (only while nobody holds it, or the holder's
lease ran out after ``JOBS_LEASE_SECONDS``), runs it, and records when it ran. So the
command is safe to run every minute from cron on several hosts at once: each task runs on
one of them at a time, and no more often than it is due. The lease is a plain row, so it
works the same on SQLite and PostgreSQL. Later issues add their tasks with ``register``.
"""

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, or_, update
from sqlalchemy.exc import IntegrityError

from forum.extensions import db
from forum.models import JobLease, utcnow

log = logging.getLogger("forum.jobs")
leases = JobLease.__table__


@dataclass(frozen=True)
class Task:
    name: str
    every: Callable[[], timedelta]  # read from the config when the task is considered
    run: Callable[[], str]  # does the work (committing as it goes); returns a summary


TASKS: dict[str, Task] = {}


def register(name: str, every: Callable[[], timedelta], run: Callable[[], str]) -> None:
    TASKS[name] = Task(name, every, run)


def _ensure_row(name: str) -> None:
    if db.session.get(JobLease, name) is not None:
        return
    try:
        with db.session.begin_nested():
            db.session.add(JobLease(name=name))
            db.session.flush()
    except IntegrityError:
        pass  # another host added it a moment ago
    db.session.commit()


def acquire(task: Task, *, force: bool = False) -> str | None:
    """Take ``task``'s lease if it is due (or ``force``) and free; returns the lease token."""
    _ensure_row(task.name)
    now, token = utcnow(), secrets.token_hex(16)
    free = or_(leases.c.locked_until.is_(None), leases.c.locked_until < now)
    due = or_(leases.c.last_run_at.is_(None), leases.c.last_run_at <= now - task.every())
    seconds = int(current_app.config["JOBS_LEASE_SECONDS"])
    won = db.session.execute(
        update(leases)
        .where(leases.c.name == task.name, and_(free, due) if not force else free)
        .values(holder=token, locked_until=now + timedelta(seconds=seconds))
    ).rowcount
    db.session.commit()
    return token if won else None


def release(task: Task, token: str, *, error: str | None = None) -> None:
    """Give the lease back; a task that failed keeps its last run time, so it is due again."""
    values = {"holder": None, "locked_until": None, "last_error": error and error[:500]}
    if error is None:
        values["last_run_at"] = utcnow()
    db.session.execute(
        update(leases).where(leases.c.name == task.name, leases.c.holder == token).values(**values)
    )
    db.session.commit()


@dataclass
class Report:
    ran: dict[str, str] = field(default_factory=dict)  # task -> its summary
    skipped: list[str] = field(default_factory=list)  # not due, or held by another host
    failed: dict[str, str] = field(default_factory=dict)


def run_due(*, only: list[str] | None = None, force: bool = False) -> Report:
    """Run every due task (or those named in ``only``), each under its lease."""
    report = Report()
    for task in TASKS.values():
        if only and task.name not in only:
            continue
        token = acquire(task, force=force)
        if token is None:
            report.skipped.append(task.name)
            continue
        try:
            summary = task.run()
        except Exception as exc:  # one task failing must not stop the others
            db.session.rollback()
            log.exception("periodic task %s failed", task.name)
            report.failed[task.name] = f"{type(exc).__name__}: {exc}"
            release(task, token, error=report.failed[task.name])
            continue
        release(task, token)
        report.ran[task.name] = summary
    return report


# --- The tasks of this release ---------------------------------------------------------------


def _mail() -> str:
    from forum.mail import deliver_pending, purge_outbox

    result = deliver_pending()
    purged = purge_outbox()
    db.session.commit()
    return f"{result.sent} sent, {result.failed} failed, {purged} old deleted"


def _notifications() -> str:
    from forum.notifications.fanout import run_pending

    result = run_pending()
    return f"{result.jobs} posts, {result.notified} notified"


def _digests() -> str:
    from forum.notifications.email import send_digests

    return f"{send_digests()} digests queued"


def _exports() -> str:
    from forum.data.export import build_pending_exports

    built = build_pending_exports()
    db.session.commit()
    return f"{built} exports built"


def _deletions() -> str:
    from forum.data.deletion import purge_due_deletions

    purged = purge_due_deletions()
    db.session.commit()
    return f"{purged} accounts deleted"


def _journal_reminders() -> str:
    from forum.journals.reminders import remind_due

    made = remind_due()
    db.session.commit()
    return f"{made} check-in reminders"


def _journal_stats() -> str:
    from forum.journals.aggregate import aggregate

    cells = aggregate()
    db.session.commit()
    return f"{cells} statistics cells"


def _photo_sweep() -> str:
    from forum.photos.services import sweep

    return f"{sweep()} unused photos' files removed"


def _minutes(n: int) -> Callable[[], timedelta]:
    return lambda: timedelta(minutes=n)


register("mail", _minutes(1), _mail)
register("notifications", _minutes(1), _notifications)
register(
    "digests",
    lambda: timedelta(hours=int(current_app.config["DIGEST_INTERVAL_HOURS"])),
    _digests,
)
# Issue #13: members' data exports and the deletions whose grace period is over.
register("exports", _minutes(60), _exports)
register("deletions", _minutes(60), _deletions)
# Treatment journals (issue #14): check-in reminders daily, the community statistics hourly.
register("journal-reminders", lambda: timedelta(days=1), _journal_reminders)
register("journal-stats", lambda: timedelta(hours=1), _journal_stats)
# Progress photos (issue #15): files left by uploads that never committed, or whose rows went.
register("photo-sweep", lambda: timedelta(hours=1), _photo_sweep)
