"""What a new post owes in notifications is a flag in its own row (issue #17): the request
writes no job, the job is made once, and a fan-out that never ran after the response (the
process died) is done by ``flask notifications send``."""

from sqlalchemy import func, select, update

from forum.extensions import db
from forum.models import FanoutJob, Notification, Post, ThreadWatch
from forum.notifications import audience, fanout
from tests.factories import make_user
from tests.notifications.test_mail import members, reply, settings


def test_a_reply_writes_no_job_and_the_sender_makes_and_runs_it(app):
    with settings(app, NOTIFY_DELIVERY="command"):
        ana, _, thread, ben_client = members(app)
        fanout.run_pending()  # the opening post's
        reply_id = reply(ben_client, thread)
        assert db.session.get(Post, reply_id).fanout_due
        assert db.session.scalar(select(FanoutJob).where(FanoutJob.post_id == reply_id)) is None
        assert fanout.pending_count() == 1
        result = app.test_cli_runner().invoke(args=["notifications", "send"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert not db.session.get(Post, reply_id).fanout_due
    job = db.session.scalar(select(FanoutJob).where(FanoutJob.post_id == reply_id))
    assert (job.outcome, job.notified) == ("sent", 1)
    told = db.session.scalars(select(Notification.user_id).where(Notification.post_id == reply_id))
    assert list(told) == [ana.id]
    assert fanout.pending_count() == 0


def test_a_post_gets_one_job_however_many_runs_ask(app):
    with settings(app, NOTIFY_DELIVERY="command"):
        _, _, thread, ben_client = members(app)
        reply_id = reply(ben_client, thread)
    first, second = fanout.job_for(reply_id), fanout.job_for(reply_id)
    assert first is not None and first == second
    jobs = select(func.count()).select_from(FanoutJob).where(FanoutJob.post_id == reply_id)
    assert db.session.scalar(jobs) == 1
    fanout.run_posts([reply_id, reply_id])
    assert db.session.scalar(select(func.count(Notification.id))) == 1


def test_a_reply_told_after_the_response_leaves_nothing_owed(app):
    with settings(app, NOTIFY_DELIVERY="end_of_request"):
        ana, _, thread, ben_client = members(app)
        fanout.run_pending()  # the opening post's, made outside a request
        reply_id = reply(ben_client, thread)
    db.session.expire_all()
    assert not db.session.get(Post, reply_id).fanout_due
    told = db.session.scalars(select(Notification.user_id).where(Notification.post_id == reply_id))
    assert list(told) == [ana.id]
    assert fanout.pending_count() == 0


def test_a_run_that_dies_before_its_first_commit_leaves_the_post_owed(app, monkeypatch):
    with settings(app, NOTIFY_DELIVERY="command"):
        ana, _, thread, ben_client = members(app)
        fanout.run_pending()  # the opening post's
        reply_id = reply(ben_client, thread)

    def dies(*_args, **_kwargs):
        raise RuntimeError("the process died")

    with monkeypatch.context() as patch:
        patch.setattr(audience, "notify_grouped", dies)
        try:
            fanout.run_posts([reply_id])
        except RuntimeError:
            db.session.rollback()
    db.session.expire_all()
    # The job was made in the run's first transaction, which never committed.
    assert db.session.get(Post, reply_id).fanout_due
    assert db.session.scalar(select(FanoutJob).where(FanoutJob.post_id == reply_id)) is None
    assert fanout.run_pending().notified == 1
    told = db.session.scalars(select(Notification.user_id).where(Notification.post_id == reply_id))
    assert list(told) == [ana.id]


def test_a_replys_fan_out_costs_a_fixed_few_statements(app, count_queries):
    """The flag cleared (1), the post with what it needs to know first (1), the batch (1),
    the unread line it replaces dropped and the new one written (2), the job written done
    (1). One commit."""
    with settings(app, NOTIFY_DELIVERY="command"):
        ana, ben, thread, ben_client = members(app)
        fanout.run_pending()  # the opening post's
        first = reply(ben_client, thread)
        fanout.run_posts([first])  # ben now watches the thread
        reply_id = reply(ben_client, thread, body="And a second thought on month five.")
    with count_queries() as log:
        fanout.run_posts([reply_id])
    assert log.count <= 6, str(log)
    told = db.session.scalars(select(Notification.count).where(Notification.user_id == ana.id))
    assert list(told) == [2]  # "2 new replies to your posts", one line


def test_a_batch_of_watchers_costs_what_one_does_and_each_line_is_grouped(app, count_queries):
    """Telling twelve watchers is the same six statements as telling one: their unread
    lines are replaced by one DELETE ... RETURNING and one INSERT of them all, and each
    member's own line counts on from what it said ("2 new replies"), whatever the others'."""
    with settings(app, NOTIFY_DELIVERY="command"):
        ana, ben, thread, ben_client = members(app)
        watchers = [make_user(f"watcher{i}") for i in range(12)]
        for user in watchers:
            db.session.add(ThreadWatch(user_id=user.id, thread_id=thread.id))
        db.session.commit()
        fanout.run_pending()  # the opening post's
        first = reply(ben_client, thread)
        fanout.run_posts([first])
        # One watcher read theirs: they start again at one.
        db.session.execute(
            update(Notification)
            .where(Notification.user_id == watchers[0].id)
            .values(read_at=func.now())
        )
        db.session.commit()
        second = reply(ben_client, thread, body="And one more thought on month five.")
    with count_queries() as log:
        result = fanout.run_posts([second])
    assert log.count <= 6, str(log)
    assert (result.jobs, result.notified) == (1, 13)
    unread = dict(
        db.session.execute(
            select(Notification.user_id, Notification.message).where(Notification.read_at.is_(None))
        ).all()
    )
    assert unread[ana.id] == "2 new replies to your posts in “Did it ease after month 4?”."
    assert (
        unread[watchers[1].id]
        == "2 new replies in “Did it ease after month 4?”, a thread you watch."
    )
    assert (
        unread[watchers[0].id] == "A new reply in “Did it ease after month 4?”, a thread you watch."
    )
    assert len(unread) == 13  # one line each, the old ones gone
    job = db.session.scalar(select(FanoutJob).where(FanoutJob.post_id == second))
    assert (job.outcome, job.notified, job.claim_token) == ("sent", 13, None)
