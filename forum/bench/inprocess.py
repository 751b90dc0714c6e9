"""The signed-in pages timed inside one process, without gunicorn or wrk, and profiled on
request (issue #17): where a member's request spends its time, with nothing else on the
machine taking turns with it. ``flask --app forum bench inprocess [--profile home]``.

Besides the pages, two journeys that are not one address: ``reply`` (a member posting a
reply, each with its own nonce) and ``long-tail`` (a signed-out reader on threads picked
at random, so most miss the page cache)."""

import cProfile
import io
import itertools
import pstats
import random
import re
import secrets
import time
from collections.abc import Callable

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


def replier(client, thread_id: int) -> Callable:
    """A request that posts a new reply to ``thread_id`` each time it is called, sending
    the same session cookie every time as wrk's ``post.lua`` does (the redirect is not
    followed, so its flash message would otherwise pile up in the cookie)."""
    token = TOKEN.search(client.get(f"/t/{thread_id}").text).group(1)
    name = client.application.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    run = secrets.token_hex(4)
    counter = itertools.count()

    def post():
        number = next(counter)
        data = {
            "csrf_token": token,
            "body": f"Replying in one process, number {number}.",
            "nonce": f"inprocess-{run}-{number}",
        }
        response = client.post(f"/t/{thread_id}/reply", data=data)
        # Closed as a WSGI server closes it: the watchers are told then (issue #12).
        response.close()
        client.set_cookie(name, cookie.value, domain=cookie.domain, path=cookie.path)
        if response.status_code != 302:
            raise RuntimeError(f"a reply answered {response.status_code}")
        return response

    return post


def long_tail(app, ids: list[int]) -> Callable:
    """A signed-out request for a thread picked at random from ``ids``."""
    client = app.test_client()
    chosen = random.Random(17)  # noqa: S311 - picks threads, guards nothing
    return lambda: client.get(f"/t/{chosen.choice(ids)}")


def journeys(app, client, targets: dict) -> dict[str, Callable]:
    """Every timed request by name: the pages (as the signed-in ``client``), then replies
    and the signed-out long tail."""
    timed = {name: _getter(client, path) for name, path in page_paths(targets).items()}
    timed["reply"] = replier(client, targets["post_thread"])
    timed["long-tail"] = long_tail(app, targets["long_tail_ids"])
    return timed


def _getter(client, path: str) -> Callable:
    def get():
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        return response

    return get


def time_pages(timed: dict[str, Callable], requests: int) -> list[tuple[str, float, str]]:
    """(name, mean ms per request, how the last was answered) after a warm-up of 50."""
    results = []
    for name, send in timed.items():
        for _ in range(50):
            response = send()
        started = time.perf_counter()
        for _ in range(requests):
            send()
        mean_ms = (time.perf_counter() - started) / requests * 1000
        results.append((name, mean_ms, response.headers.get("X-Member-Page", "rendered")))
    return results


def profile_page(send: Callable, requests: int, top: int) -> str:
    """The ``top`` entries by cumulative time of ``requests`` calls of ``send``."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        send()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()
