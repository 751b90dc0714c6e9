"""Telling people about a new post, after the response (issue #12).

Posting sets a flag in the new post's own row (``Post.fanout_due``): that is all the
request pays, however many members watch the thread, not even a statement. Once the
transaction commits, the post's job is made (a ``FanoutJob`` row, in the same transaction
that clears the flag) and run as ``NOTIFY_DELIVERY`` says, like mail
(``forum.mail.outbox``):

- ``after_response`` (the default): the process that served the request runs it after the
  response has gone out, so a small deployment needs nothing else running;
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
from sqlalchemy import and_, bindparam, case, event, inspect, or_, select, union, update
from sqlalchemy.orm import Session, aliased, joinedload

from forum.extensions import db
from forum.models import (
    FanoutJob,
    NotificationPrefs,
    Post,
    TagFollow,
    ThreadWatch,
    User,
    UserStatus,
    thread_tags,
    utcnow,
)
from forum.notifications import email, mentions, watching
from forum.notifications.kinds import Kind
from forum.notifications.services import notify_grouped
from forum.visibility import Viewer, can_see_post, is_public_post

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
        response.call_on_close(lambda: _run_outside_request(app, ids))


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


def _claim(job_id: int) -> str | None:
    now, token = utcnow(), secrets.token_hex(16)
    won = db.session.execute(
        update(jobs)
        .where(jobs.c.id == job_id, _claimable(now))
        .values(claim_token=token, claimed_at=now)
    ).rowcount
    db.session.commit()
    return token if won else None


def _advance(job_id: int, token: str, **values) -> bool:
    """Move the job on, only while this run still holds it."""
    return bool(
        db.session.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.claim_token == token)
            .values(claimed_at=utcnow(), **values)
        ).rowcount
    )


@dataclass
class Audience:
    """Who a post concerns, besides its watchers and its topics' followers."""

    post: Post
    parent_author_id: int | None
    mentioned: list[int]

    @classmethod
    def of(cls, post: Post, parent_author_id: int | None) -> "Audience":
        """``parent_author_id``: the author of the post it answers, unless that was deleted."""
        return cls(post, parent_author_id, mentions.mentioned_ids(post))

    def kind_for(self, user_id: int) -> str:
        if user_id in self.mentioned:
            return Kind.MENTION
        if user_id == self.parent_author_id:
            return Kind.REPLY
        return Kind.WATCHED if self.post.parent_id is not None else Kind.NEW_THREAD

    def batch(self, after: int, limit: int) -> list[tuple[User, NotificationPrefs | None]]:
        post = self.post
        if post.parent_id is not None:  # a reply: the thread's watchers
            sources = [
                select(ThreadWatch.user_id.label("uid")).where(
                    ThreadWatch.thread_id == post.thread_id
                )
            ]
        else:  # a new thread: its topics' followers
            tags = select(thread_tags.c.tag_id).where(thread_tags.c.thread_id == post.thread_id)
            sources = [select(TagFollow.user_id.label("uid")).where(TagFollow.tag_id.in_(tags))]
        direct = set(self.mentioned) | ({self.parent_author_id} if self.parent_author_id else set())
        if direct:
            sources.append(select(User.id).where(User.id.in_(direct)))
        everyone = union(*sources).subquery()
        rows = db.session.execute(
            select(User, NotificationPrefs)
            .join(everyone, everyone.c.uid == User.id)
            .outerjoin(NotificationPrefs, NotificationPrefs.user_id == User.id)
            .where(User.id > after, User.id != post.author_id, User.status != UserStatus.BANNED)
            .order_by(User.id)
            .limit(limit)
        ).all()
        return [(row[0], row[1]) for row in rows]


def _message(kind: str, post: Post):
    title, name = post.thread.title, post.author.username

    def words(count: int) -> str:
        if kind == Kind.MENTION:
            if count == 1:
                return f"{name} mentioned you in “{title}”."
            return f"{count} mentions of you in “{title}”."
        if kind == Kind.REPLY:
            if count == 1:
                return f"{name} replied to your post in “{title}”."
            return f"{count} new replies to your posts in “{title}”."
        if kind == Kind.NEW_THREAD:
            return f"A new thread in a topic you follow: “{title}”."
        if count == 1:
            return f"A new reply in “{title}”, a thread you watch."
        return f"{count} new replies in “{title}”, a thread you watch."

    return words


def _deliverable(post: Post | None) -> bool:
    return post is not None and post.deleted_at is None and is_public_post(post)


@functools.cache
def _job_statement():
    """What a run needs before telling anyone, in one query: the job's post with its thread
    and author, how far the job got, the author of the post it answers (unless deleted),
    and whether its author wants to watch the thread and does already."""
    parent = aliased(Post)
    watch = aliased(ThreadWatch)
    return (
        select(
            Post,
            jobs.c.cursor,
            case((parent.deleted_at.is_(None), parent.author_id), else_=None),
            NotificationPrefs.auto_watch,
            watch.user_id.is_not(None),
        )
        .select_from(jobs)
        .outerjoin(Post, Post.id == jobs.c.post_id)
        .outerjoin(parent, parent.id == Post.parent_id)
        .outerjoin(NotificationPrefs, NotificationPrefs.user_id == Post.author_id)
        .outerjoin(watch, and_(watch.user_id == Post.author_id, watch.thread_id == Post.thread_id))
        .where(jobs.c.id == bindparam("job_id"))
        .options(joinedload(Post.thread), joinedload(Post.author))
    )


def run_job(
    job_id: int, result: FanoutResult | None = None, *, token: str | None = None
) -> FanoutResult:
    """Run one fan-out job, if no other process holds it (``token``: this run made it
    claimed already, in the open transaction). Works in its own transactions (it commits),
    like ``forum.mail.deliver``; the last batch's commit also marks the job done."""
    result = result or FanoutResult()
    token = token or _claim(job_id)
    if token is None:
        return result
    result.jobs += 1
    post, cursor, parent_author_id, auto_watch, watching_already = db.session.execute(
        _job_statement(), {"job_id": job_id}
    ).one()
    if post is not None and auto_watch is not False and not watching_already:
        watching.auto_watch(post.author_id, post.thread_id)
    if not _deliverable(post):
        _advance(job_id, token, done_at=utcnow(), outcome=SKIPPED, claim_token=None)
        db.session.commit()
        return result
    audience = Audience.of(post, parent_author_id)
    size = int(current_app.config["NOTIFY_BATCH_SIZE"])
    while batch := audience.batch(cursor, size):
        told = 0
        for user, prefs in batch:
            if not can_see_post(post, Viewer.of(user)):
                continue
            kind = audience.kind_for(user.id)
            prefs = prefs or email.default_prefs(user.id)  # no row: the defaults, unasked
            notify_grouped(user, kind, post=post, message=_message(kind, post), prefs=prefs)
            told += 1
        cursor = batch[-1][0].id
        last = len(batch) < size
        done = {"done_at": utcnow(), "outcome": SENT, "claim_token": None} if last else {}
        if not _advance(job_id, token, cursor=cursor, notified=jobs.c.notified + told, **done):
            db.session.rollback()  # another process took the job over: it does this batch
            return result
        db.session.commit()
        result.notified += told
        if last:
            return result
    _advance(job_id, token, done_at=utcnow(), outcome=SENT, claim_token=None)
    db.session.commit()
    return result


def _open_job(post_id: int, *, claim: bool) -> tuple[int | None, str | None]:
    """(job id, claim token) for ``post_id``: its job is made now if the post is flagged
    (the flag cleared and the row inserted in one transaction, by whichever process gets
    there first). With ``claim`` it is made claimed by this run and left uncommitted: the
    run's first commit (its first batch, or the job's end) writes it, so a reply's fan-out
    costs one commit, and a run that dies before leaves the post flagged for the next.
    The token is None when the job was there before; the id is None for a post that owes
    nothing."""
    cleared = db.session.execute(
        update(posts).where(posts.c.id == post_id, posts.c.fanout_due).values(fanout_due=False)
    ).rowcount
    token = None
    if cleared:
        token = secrets.token_hex(16) if claim else None
        job = FanoutJob(post_id=post_id, claim_token=token, claimed_at=utcnow() if claim else None)
        db.session.add(job)
        db.session.flush()
        job_id = job.id
    else:
        job_id = db.session.scalar(select(jobs.c.id).where(jobs.c.post_id == post_id))
    if not claim:
        db.session.commit()
    return job_id, token


def job_for(post_id: int) -> int | None:
    """The id of ``post_id``'s fan-out job, made now (unclaimed) if the post is flagged;
    None for a post that owes nothing."""
    return _open_job(post_id, claim=False)[0]


def run_posts(post_ids: list[int]) -> FanoutResult:
    """Run the fan-out of each post (its job made first, if it is still flagged)."""
    result = FanoutResult()
    for post_id in post_ids:
        job_id, token = _open_job(post_id, claim=True)
        if job_id is not None:
            run_job(job_id, result, token=token)
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
