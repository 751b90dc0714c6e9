"""The fan-out after the response runs outside any app context (issue #12), on the
process's background thread (issue #17)."""

import logging
import threading

from sqlalchemy import select

from forum import background
from forum.extensions import db
from forum.models import Notification
from forum.notifications import fanout
from tests.conftest import login
from tests.factories import make_thread, make_user


def test_a_failed_fan_out_after_the_response_is_logged_not_raised(app, monkeypatch, caplog):
    def broken(ids):
        raise RuntimeError("database went away")

    monkeypatch.setattr(fanout, "run_posts", broken)
    raised = []

    def close_callback():  # what the WSGI server calls once the response is sent
        try:
            fanout._run_outside_request(app, [1])
        except Exception as exc:
            raised.append(exc)

    with caplog.at_level(logging.ERROR):
        worker = threading.Thread(target=close_callback)  # no app context there
        worker.start()
        worker.join()
    assert raised == []
    assert "notification fan-out after the response failed" in caplog.text


def test_the_fan_out_runs_on_the_background_thread_beside_the_next_request(make_app, monkeypatch):
    """A sync worker that told the watchers itself took no request until it was done; now
    the response's close hands the fan-out over and the next request is served at once."""
    extra = make_app(NOTIFY_DELIVERY="after_response")
    ana, ben = make_user("bg_ana"), make_user("bg_ben")
    thread = make_thread(ana, title="Does the redness fade after month two?")
    ana_id, thread_id = ana.id, thread.id
    db.session.commit()  # and nothing read after it: on SQLite the suite's session would lock
    client = login(extra.test_client(), ben)
    release, started = threading.Event(), threading.Event()
    real = fanout.run_posts

    def slow(ids):
        started.set()
        assert release.wait(10)
        return real(ids)

    monkeypatch.setattr(fanout, "run_posts", slow)
    response = client.post(f"/t/{thread_id}/reply", data={"body": "It faded for me by month 3."})
    assert response.status_code == 302
    db.session.commit()  # let go of SQLite's lock, as a request's session does
    response.close()  # what the server does once the response is sent: returns at once
    assert started.wait(10)  # the fan-out is running, on the other thread...
    assert client.get(f"/t/{thread_id}").status_code == 200  # ...and the next request is served
    told = select(Notification.user_id).where(Notification.thread_id == thread_id)
    assert list(db.session.scalars(told)) == []
    db.session.commit()
    release.set()
    assert background.runner.wait_idle()
    assert list(db.session.scalars(told)) == [ana_id]
