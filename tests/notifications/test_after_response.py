"""The fan-out after the response runs outside any app context (issue #12)."""

import logging
import threading

from forum.notifications import fanout


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
