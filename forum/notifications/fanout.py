"""Telling people about a new post, after the response (issue #12).

Posting sets a flag in the new post's own row (``Post.fanout_due``): that is all the
request pays, however many members watch the thread, not even a statement. Once the
transaction commits, the post's job is made (a ``FanoutJob`` row, in the same transaction
that clears the flag) and run as ``NOTIFY_DELIVERY`` says, like mail
(``forum.mail.outbox``):

- ``after_response`` (the default): the process that served the request runs it after the
  response has gone out, on its background thread (``forum.background``), so a small
  deployment needs nothing else running and the process's next request does not wait;
- ``end_of_request``: right after the view, before the response goes out (tests);
- ``command``: only ``flask notifications send`` (or ``flask jobs run``) runs it.

``flask notifications send`` runs whatever is left in any mode, flagged posts first. A job
is claimed by one
UPDATE; its recipients are told in batches ordered by user id, each batch one transaction
that also moves the job's ``cursor`` past them, so a crash loses at most an uncommitted
batch, which the next run does again: nobody is told, or mailed, twice.

Visibility is checked when the job runs, with the one rule (``forum.visibility``): a post
held, hidden, removed or deleted by then tells nobody; approving it later sets the job
going again (``post_published``).
"""

import functools
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app, has_request_context, request, request_finished
from sqlalchemy import and_, bindparam, case, event, insert, inspect, or_, select, update
from sqlalchemy.orm import Session, aliased, joinedload

from forum import background
from forum.extensions import db
from forum.models import (
    FanoutJob,
    NotificationPrefs,
    Post,
    ThreadWatch,
    utcnow,
)
from forum.notifications import watching
from forum.notifications.audience import Audience
from forum.visibility import is_public_post

QUEUE_KEY = "forum_fanout_queue"  # session.info: posts owed a fan-out in the transaction
PENDING_KEY = "forum.fanout.pending"  # request environ: ids of the posts to run
MODES = ("after_response", "end_of_request", "command")
SENT, SKIPPED = "sent", "skipped"

jobs = FanoutJob.__table__
posts = Post.__table__


def _remember(post: Post) -> None:
    db.session.info.setdefault(QUEUE_KEY, []).append(post)


def queue_post(post: Post) -> None:
    """Owe ``post``'s fan-out. On a post about to be written, the flag goes into its INSERT;
    on one already written, an UPDATE."""
    post.fanout_due = True
    _remember(post)


def post_published(post: Post) -> None:
    """A held or hidden post became public (a moderator approved it): tell people now,
    unless they were told before it was taken down."""
    job = db.session.scalar(select(FanoutJob).where(FanoutJob.post_id == post.id))
    if job is None:
        queue_post(post)
    elif job.outcome == SKIPPED:
        job.done_at = job.outcome = job.claim_token = job.claimed_at = None
        job.cursor = 0
        _remember(post)


# --- When jobs run -------------------------------------------------------------------------


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.in_nested_transaction():
        return
    queued = session.info.pop(QUEUE_KEY, None)
    # A post whose savepoint was rolled back (a repeated form) has no identity any more.
    ids = [key[0] for key in (inspect(post).identity for post in queued or ()) if key]
    if ids and has_request_context():
        request.environ.setdefault(PENDING_KEY, []).extend(ids)
    # Outside a request (a command, the demo loader) the jobs wait for `jobs run`.


@event.listens_for(Session, "after_transaction_end")
def _drop_unrun(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(QUEUE_KEY, None)  # rolled back (a commit has taken them already)


@request_finished.connect
def _run_after_response(app: Flask, response, **_extra) -> None:
    ids = request.environ.pop(PENDING_KEY, None)
    if not ids:
        return
    mode = app.config["NOTIFY_DELIVERY"]
    if mode == "end_of_request":
        run_posts(ids)
    elif mode == "after_response":
        work = functools.partial(_run_outside_request, app, ids)
        response.call_on_close(lambda: background.runner.later(work))


def _run_outside_request(app: Flask, ids: list[int]) -> None:
    try:
        with app.app_context():
            run_posts(ids)
    except Exception:
        # The jobs stay pending; `flask notifications send` runs them. ``app.logger``: the
        # app context has ended here, so ``current_app`` would raise in its place.
        app.logger.exception("notification fan-out after the response failed")


# --- Running a job -------------------------------------------------------------------------


@dataclass
class FanoutResult:
    jobs: int = 0
    notified: int = 0


def _claimable(now):
    stale = now - timedelta(seconds=int(current_app.config["NOTIFY_CLAIM_SECONDS"]))
    return and_(
        jobs.c.done_at.is_(None),
        or_(jobs.c.claim_token.is_(None), jobs.c.claimed_at < stale),
    )


def _claim(job_id: int) -> tuple[str, int, int] | None:
    """Claim the job for this run: (token, its post's id, how far it got), or None when
    another run holds it or it is done."""
    now, token = utcnow(), secrets.token_hex(16)
    won = db.session.execute(
        update(jobs)
        .where(jobs.c.id == job_id, _claimable(now))
        .values(claim_token=token, claimed_at=now)
        .returning(jobs.c.post_id, jobs.c.cursor)
    ).first()
    db.session.commit()
    return (token, won.post_id, won.cursor) if won else None


def _advance(job_id: int, token: str, **values) -> bool:
    """Move the job on, only while this run still holds it."""
    return bool(
        db.session.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.claim_token == token)
            .values(claimed_at=utcnow(), **values)
        ).rowcount
    )


def _deliverable(post: Post | None) -> bool:
    return post is not None and post.deleted_at is None and is_public_post(post)


@functools.cache
def _post_statement():
    """What a run needs before telling anyone, in one query: the post with its thread and
    author, the author of the post it answers (unless deleted), and whether its author
    wants to watch the thread and does already."""
    parent = aliased(Post)
    watch = aliased(ThreadWatch)
    return (
        select(
            Post,
            case((parent.deleted_at.is_(None), parent.author_id), else_=None),
            NotificationPrefs.auto_watch,
            watch.user_id.is_not(None),
        )
        .outerjoin(parent, parent.id == Post.parent_id)
        .outerjoin(NotificationPrefs, NotificationPrefs.user_id == Post.author_id)
        .outerjoin(watch, and_(watch.user_id == Post.author_id, watch.thread_id == Post.thread_id))
        .where(Post.id == bindparam("post_id"))
        .options(joinedload(Post.thread), joinedload(Post.author))
    )


def _audience(post_id: int) -> Audience | None:
    """Who ``post_id`` concerns, its author made a watcher first as they chose; None when
    it may tell nobody (held, hidden, removed or deleted by now)."""
    post, parent_author_id, auto_watch, watching_already = db.session.execute(
        _post_statement(), {"post_id": post_id}
    ).one_or_none() or (None, None, None, None)
    if post is not None and auto_watch is not False and not watching_already:
        watching.auto_watch(post.author_id, post.thread_id)
    return Audience.of(post, parent_author_id) if _deliverable(post) else None


def _batch_size() -> int:
    return int(current_app.config["NOTIFY_BATCH_SIZE"])


def run_job(job_id: int, result: FanoutResult | None = None) -> FanoutResult:
    """Run one fan-out job, if no other process holds it. Works in its own transactions
    (it commits), like ``forum.mail.deliver``; the last batch's commit also marks the job
    done."""
    result = result or FanoutResult()
    claimed = _claim(job_id)
    if claimed is None:
        return result
    token, post_id, cursor = claimed
    result.jobs += 1
    audience = _audience(post_id)
    if audience is None:
        _advance(job_id, token, done_at=utcnow(), outcome=SKIPPED, claim_token=None)
        db.session.commit()
        return result
    _run_batches(job_id, token, audience, cursor, result)
    return result


def _run_batches(job_id: int, token: str, audience: Audience, cursor: int, result) -> None:
    """Tell the rest of the audience past ``cursor``, a batch a transaction, while this run
    holds the job (``token``)."""
    size = _batch_size()
    while True:
        told, cursor, last = audience.tell(cursor, size)
        done = {"done_at": utcnow(), "outcome": SENT, "claim_token": None} if last else {}
        if not _advance(job_id, token, cursor=cursor, notified=jobs.c.notified + told, **done):
            db.session.rollback()  # another process took the job over: it does this batch
            return
        db.session.commit()
        result.notified += told
        if last:
            return


def _clear_flag(post_id: int) -> bool:
    """Take ``post_id``'s owed fan-out for this run: whether it was still owed (whichever
    process clears the flag first runs it; the flag is back if this run dies before its
    first commit)."""
    return bool(
        db.session.execute(
            update(posts).where(posts.c.id == post_id, posts.c.fanout_due).values(fanout_due=False)
        ).rowcount
    )


def _job_id(post_id: int) -> int | None:
    return db.session.scalar(select(jobs.c.id).where(jobs.c.post_id == post_id))


def job_for(post_id: int) -> int | None:
    """The id of ``post_id``'s fan-out job, made now (unclaimed) if the post is flagged;
    None for a post that owes nothing."""
    if _clear_flag(post_id):
        job_id = db.session.execute(insert(jobs).values(post_id=post_id)).inserted_primary_key[0]
    else:
        job_id = _job_id(post_id)
    db.session.commit()
    return job_id


def _run_flagged(post_id: int, result: FanoutResult) -> None:
    """Run the fan-out of a post whose flag this run just cleared. Its job row is written
    with the first batch, in one transaction with the cleared flag and those notifications:
    done already when one batch told everyone (a reply's usual case), else claimed by this
    run with its cursor, and the rest goes on batch by batch."""
    result.jobs += 1
    audience, now = _audience(post_id), utcnow()
    if audience is None:
        db.session.execute(insert(jobs).values(post_id=post_id, done_at=now, outcome=SKIPPED))
        db.session.commit()
        return
    told, cursor, last = audience.tell(0, _batch_size())
    state = {"post_id": post_id, "cursor": cursor, "notified": told}
    if last:
        db.session.execute(insert(jobs).values(**state, done_at=now, outcome=SENT))
        db.session.commit()
        result.notified += told
        return
    token = secrets.token_hex(16)
    job_id = db.session.execute(
        insert(jobs).values(**state, claim_token=token, claimed_at=now)
    ).inserted_primary_key[0]
    db.session.commit()
    result.notified += told
    _run_batches(job_id, token, audience, cursor, result)


def run_posts(post_ids: list[int]) -> FanoutResult:
    """Run the fan-out of each post: at once if it is still flagged, else its job, if it
    has one another run does not hold."""
    result = FanoutResult()
    for post_id in post_ids:
        if _clear_flag(post_id):
            _run_flagged(post_id, result)
        elif (job_id := _job_id(post_id)) is not None:
            db.session.commit()
            run_job(job_id, result)
    return result


def _flagged_ids(limit: int) -> list[int]:
    ids = list(
        db.session.scalars(
            select(posts.c.id).where(posts.c.fanout_due).order_by(posts.c.id).limit(limit)
        )
    )
    db.session.commit()
    return ids


def _pending_ids(after: int, limit: int) -> list[int]:
    ids = list(
        db.session.scalars(
            select(jobs.c.id)
            .where(jobs.c.done_at.is_(None), jobs.c.id > after)
            .order_by(jobs.c.id)
            .limit(limit)
        )
    )
    db.session.commit()
    return ids


def run_pending(*, batch_size: int = 100) -> FanoutResult:
    """Run every fan-out not done yet (left by a crash, or by ``command`` mode), oldest
    first: ``flask notifications send``. Flagged posts get their jobs first; a job another
    process holds is left to it."""
    while ids := _flagged_ids(batch_size):
        for post_id in ids:
            job_for(post_id)
    result, after = FanoutResult(), 0
    while ids := _pending_ids(after, batch_size):
        for job_id in ids:
            run_job(job_id, result)
        after = ids[-1]
    return result


def pending_count() -> int:
    """Fan-outs not done yet: jobs unfinished, and flagged posts with no job yet."""
    unfinished = select(db.func.count()).where(jobs.c.done_at.is_(None)).scalar_subquery()
    flagged = select(db.func.count()).where(posts.c.fanout_due).scalar_subquery()
    return db.session.scalar(select(unfinished + flagged))
