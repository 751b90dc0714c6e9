"""The process's background thread (issue #17): work after the response runs there, in
order, beside the next request; a failure is logged and the thread goes on; a forked
worker gets a thread of its own; a process that exits normally finishes what it held."""

import logging
import os
import subprocess
import sys
import threading

from forum.background import Background


def test_work_runs_in_order_on_another_thread():
    runner, seen = Background(), []
    for n in range(5):
        runner.later(lambda n=n: seen.append((n, threading.current_thread().name)))
    assert runner.wait_idle()
    assert [n for n, _ in seen] == [0, 1, 2, 3, 4]
    assert {name for _, name in seen} == {"forum-background"}
    runner.drain()


def test_a_failure_is_logged_and_the_work_after_it_still_runs(caplog):
    runner, seen = Background(), []

    def broken():
        raise RuntimeError("the mail server went away")

    with caplog.at_level(logging.ERROR):
        runner.later(broken)
        runner.later(lambda: seen.append("after"))
        assert runner.wait_idle()
    assert seen == ["after"]
    assert "background work failed" in caplog.text
    runner.drain()


def test_a_forked_process_runs_its_work_on_a_thread_of_its_own():
    runner = Background()
    assert runner.wait_idle()  # the parent's thread is running
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its copy of the runner holds a thread that does not run here
        try:
            runner.later(lambda: os.write(write, str(os.getpid()).encode()))
            os._exit(0 if runner.wait_idle(5) else 1)
        finally:
            os._exit(2)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert os.read(read, 100).decode() == str(pid)
    os.close(read)
    runner.drain()


def test_a_process_that_exits_finishes_what_it_was_handed(tmp_path):
    done = tmp_path / "done"
    program = (
        "import time\n"
        "from forum.background import runner\n"
        f"runner.later(lambda: (time.sleep(0.3), open({str(done)!r}, 'w').write('sent')))\n"
    )
    result = subprocess.run([sys.executable, "-c", program], timeout=30, check=False)  # noqa: S603
    assert result.returncode == 0
    assert done.read_text() == "sent"
