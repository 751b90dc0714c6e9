"""The signed-in pages timed inside one process, without gunicorn or wrk, and profiled on
request (issue #17): where a member's request spends its time, with nothing else on the
machine taking turns with it. ``flask --app forum bench inprocess [--profile home]``."""

import cProfile
import io
import pstats
import re
import time

from flask import Flask

from forum.bench import runner

PASSWORD = "benchmark-password-not-secret"  # noqa: S105 - the seeded members' password
TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def signed_in_client(app: Flask):
    """A test client of ``app`` logged in through the form as the benchmark's member, the
    welcome message taken, as ``runner.sign_in`` does over HTTP."""
    client = app.test_client()
    token = TOKEN.search(client.get("/login").text).group(1)
    sent = client.post(
        "/login", data={"login": runner.USERNAME, "password": PASSWORD, "csrf_token": token}
    )
    if sent.status_code != 302:
        raise RuntimeError(f"benchmark login failed with {sent.status_code}")
    client.get("/settings")
    return client


def page_paths(targets: dict) -> dict[str, str]:
    return {
        "home": "/",
        "tag": f"/tags/{targets['tag']}",
        "thread-25": f"/t/{targets['small_thread']}",
        "thread-500": f"/t/{targets['big_thread']}",
    }


def time_pages(client, paths: dict[str, str], requests: int) -> list[tuple[str, float, str]]:
    """(page, mean ms per request, how it was answered) after a warm-up of 50 requests."""
    timed = []
    for name, path in paths.items():
        for _ in range(50):
            response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        started = time.perf_counter()
        for _ in range(requests):
            client.get(path)
        mean_ms = (time.perf_counter() - started) / requests * 1000
        timed.append((name, mean_ms, response.headers.get("X-Member-Page", "rendered")))
    return timed


def profile_page(client, path: str, requests: int, top: int) -> str:
    """The ``top`` entries by cumulative time of ``requests`` requests to ``path``."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(path)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()
