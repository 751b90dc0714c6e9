"""Notification mail (issue #12): each event, the digest, one-click unsubscribe, never twice,
never about what readers can no longer see; and ``flask jobs run``."""

import re
from contextlib import contextmanager

from sqlalchemy import select

from forum.extensions import db
from forum.models import FanoutJob, JobLease, Notification, NotificationPrefs, utcnow
from forum.moderation import services as moderation
from forum.moderation.services.items import pending_item
from forum.notifications import audience, email, fanout
from tests.conftest import login, outbox
from tests.factories import make_thread, make_user


@contextmanager
def settings(app, **values):
    saved = {name: app.config[name] for name in values}
    app.config.update(values)
    try:
        yield
    finally:
        app.config.update(saved)


def members(app, **prefs):
    ana, ben = make_user("ana"), make_user("ben")
    db.session.add(NotificationPrefs(user_id=ana.id, **prefs))
    thread = make_thread(ana, title="Did it ease after month 4?")
    db.session.commit()
    return ana, ben, thread, login(app.test_client(), ben)


def reply(client, thread, body="It eased for me in month five."):
    response = client.post(f"/t/{thread.id}/reply", data={"body": body})
    assert response.status_code == 302
    return int(response.location.rsplit("#p", 1)[1])


def mails_to(app, address):
    return [m for m in outbox(app) if m["To"] == address]


def test_each_event_mail_names_the_thread_but_no_topic_and_unsubscribes_in_one_click(app):
    with settings(app, BASE_URL="https://forum.example.org"):
        ana, _, thread, ben_client = members(app, email_reply="each")
        reply_id = reply(ben_client, thread)
        [mail] = mails_to(app, ana.email)
    assert mail["Subject"] == "New replies on the forum"
    text = mail.get_body(("plain",)).get_content()
    assert "“Did it ease after month 4?”" in text
    assert f"https://forum.example.org/p/{reply_id}" in text
    assert "It eased for me" not in text  # no excerpts unless asked
    url = re.fullmatch(
        r"<(https://forum\.example\.org/unsubscribe/[^>]+)>", mail["List-Unsubscribe"]
    )
    assert url and url.group(1) in text
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = url.group(1).removeprefix("https://forum.example.org")
    signed_out = app.test_client()
    page = signed_out.get(path)
    assert page.status_code == 200 and "Unsubscribe</button>" in page.text
    assert db.session.get(NotificationPrefs, ana.id).email_reply == "each"
    # RFC 8058: the mail client posts with no cookie and no CSRF token.
    response = signed_out.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(NotificationPrefs, ana.id).email_reply == "off"
    reply(ben_client, thread, "Another one.")
    assert len(mails_to(app, ana.email)) == 1


def test_the_one_click_post_works_with_csrf_protection_on(app):
    ana, _, _, _ = members(app, email_reply="each")
    token = email.unsubscribe_token(ana.id, "reply")
    with settings(app, WTF_CSRF_ENABLED=True):
        assert app.test_client().post("/notifications/read").status_code in (302, 400)
        response = app.test_client().post(f"/unsubscribe/{token}")
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(NotificationPrefs, ana.id).email_reply == "off"


def test_forged_or_altered_unsubscribe_tokens_are_refused(app):
    ana, ben, _, _ = members(app, email_reply="each")
    token = email.unsubscribe_token(ana.id, "reply")
    client = app.test_client()
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    other_member = (
        email.unsubscribe_token(ben.id, "reply").split(".")[0] + "." + token.split(".")[1]
    )
    from itsdangerous import URLSafeSerializer

    forged = URLSafeSerializer("not-our-key", salt=email.UNSUBSCRIBE_SALT).dumps(
        {"u": ana.id, "k": "reply"}
    )
    other_salt = URLSafeSerializer(app.config["SECRET_KEY"], salt="other").dumps(
        {"u": ana.id, "k": "reply"}
    )
    for bad in (altered, other_member, forged, other_salt, "x"):
        assert client.get(f"/unsubscribe/{bad}").status_code == 400
        assert client.post(f"/unsubscribe/{bad}").status_code == 400
    db.session.expire_all()
    assert db.session.get(NotificationPrefs, ana.id).email_reply == "each"


def test_excerpts_only_when_asked(app):
    ana, _, thread, ben_client = members(app, email_reply="each", include_excerpts=True)
    reply(ben_client, thread)
    [mail] = mails_to(app, ana.email)
    assert "It eased for me in month five." in mail.get_body(("plain",)).get_content()


def test_digest_collects_the_day_and_is_sent_once(app):
    ana, _, thread, ben_client = members(app, email_reply="digest", email_mention="digest")
    reply(ben_client, thread, "First.")
    reply(ben_client, thread, "Second.")
    reply(ben_client, thread, "Third, @ana.")
    assert mails_to(app, ana.email) == []
    runner = app.test_cli_runner()
    result = runner.invoke(args=["notifications", "digest"])
    assert result.exit_code == 0 and "Queued 1 digest mails." in result.output
    [mail] = mails_to(app, ana.email)
    assert mail["Subject"] == "Your daily summary from the forum"
    text = mail.get_body(("plain",)).get_content()
    assert "2 new replies to your posts in “Did it ease after month 4?”." in text
    assert "ben mentioned you in" in text
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert runner.invoke(args=["notifications", "digest"]).output.startswith("Queued 0")
    assert len(mails_to(app, ana.email)) == 1
    path = re.search(r"<https?://[^/]+(/unsubscribe/[^>]+)>", mail["List-Unsubscribe"]).group(1)
    app.test_client().post(path)
    db.session.expire_all()
    prefs = db.session.get(NotificationPrefs, ana.id)
    assert (prefs.email_reply, prefs.email_mention) == ("off", "off")


def test_a_reply_hidden_before_sending_sends_nothing(app):
    with settings(app, NOTIFY_DELIVERY="command"):
        ana, _, thread, ben_client = members(app, email_reply="each")
        reply_id = reply(ben_client, thread)
    assert db.session.scalar(select(Notification.id)) is None
    post = db.session.get(fanout.Post, reply_id)
    moderation.report_post(post, make_user("reporter"), "spam")
    moderation.act_on_item(pending_item(post), make_user("moddy", role="moderator"), "hide", "Ad.")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["notifications", "send"])
    assert result.exit_code == 0, result.output
    assert (
        db.session.scalar(
            select(Notification.id).where(
                Notification.user_id == ana.id, Notification.kind == "reply"
            )
        )
        is None
    )
    assert mails_to(app, ana.email) == []
    outcome = select(FanoutJob.outcome).where(FanoutJob.post_id == reply_id)
    assert db.session.scalar(outcome) == "skipped"


def test_the_senders_run_twice_deliver_once(app):
    with settings(app, NOTIFY_DELIVERY="command", MAIL_DELIVERY="command"):
        ana, _, thread, ben_client = members(app, email_reply="each")
        reply(ben_client, thread)
        runner = app.test_cli_runner()
        for _ in range(2):
            assert runner.invoke(args=["notifications", "send"]).exit_code == 0
            assert runner.invoke(args=["mail", "send"]).exit_code == 0
    assert db.session.scalar(select(db.func.count(Notification.id))) == 1
    assert len(mails_to(app, ana.email)) == 1


def test_a_fanout_that_died_mid_run_resumes_without_telling_anyone_twice(app):
    with settings(app, NOTIFY_DELIVERY="command", NOTIFY_BATCH_SIZE=2):
        ana, ben, thread, ben_client = members(app)
        watchers = [make_user(f"watcher{i}") for i in range(5)]
        for user in watchers:
            db.session.add(fanout.ThreadWatch(user_id=user.id, thread_id=thread.id))
        db.session.commit()
        fanout.run_pending()  # the opening post's
        reply_id = reply(ben_client, thread)
        job = db.session.get(FanoutJob, fanout.job_for(reply_id))
        # A run that committed one batch, then died holding the claim.
        calls = {"n": 0}
        real = audience.notify_grouped

        def dies_on_second_batch(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("the process died")
            return real(*args, **kwargs)

        audience.notify_grouped = dies_on_second_batch
        try:
            try:
                fanout.run_job(job.id)
            except RuntimeError:
                db.session.rollback()
        finally:
            audience.notify_grouped = real
        assert db.session.scalar(select(db.func.count(Notification.id))) == 2
        # Its claim is still fresh: another run leaves the job alone...
        assert fanout.run_pending().jobs == 0
        # ...until it goes stale.
        db.session.execute(
            FanoutJob.__table__.update().values(claimed_at=utcnow().replace(year=2000))
        )
        db.session.commit()
        fanout.run_pending()
    told = db.session.scalars(select(Notification.user_id)).all()
    assert sorted(told) == sorted([ana.id] + [user.id for user in watchers])


def test_jobs_run_runs_each_due_task_under_its_lease(app):
    ana, _, thread, ben_client = members(app, email_reply="digest")
    with settings(app, NOTIFY_DELIVERY="command"):
        reply(ben_client, thread)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["jobs", "run"])
    assert result.exit_code == 0, result.output
    # The opening post's fan-out (nobody follows its topic) and the reply's.
    assert "notifications: 2 posts, 1 notified." in result.output
    assert "digests: 1 digests queued." in result.output
    assert len(mails_to(app, ana.email)) == 1
    again = runner.invoke(args=["jobs", "run"])
    assert "digests" not in again.output  # once a day
    # A task another host holds is left alone, even when forced.
    lease = db.session.get(JobLease, "digests")
    lease.holder, lease.locked_until = "elsewhere", utcnow().replace(year=2999)
    db.session.commit()
    forced = runner.invoke(args=["jobs", "run", "--task", "digests", "--force"])
    assert forced.exit_code == 0 and "digests" not in forced.output
    assert runner.invoke(args=["jobs", "run", "--task", "nope"]).exit_code == 2
