"""The benchmark's fan-out measurement (issue #12) runs on a tiny forum and cleans up."""

from sqlalchemy import func, select

from forum.bench.fanout import measure_fanout
from forum.extensions import db
from forum.models import Notification, ThreadWatch
from tests.factories import make_thread, make_user


def test_fanout_measurement_tells_every_watcher_and_takes_them_away(app):
    starter = make_user("starter")
    thread = make_thread(starter)
    for i in range(30):
        make_user(f"reader{i:02d}")
    db.session.commit()
    result = measure_fanout(thread.id, watchers=30)
    assert result.page == "fan-out of one reply to 30 watchers (notified/s)"
    assert result.requests_per_second > 0 and result.errors == 0
    # Only the measuring reply's author still watches (their own auto-watch).
    assert db.session.scalars(select(ThreadWatch.user_id)).all() == [starter.id]
    assert db.session.scalar(select(func.count(Notification.id))) == 0
