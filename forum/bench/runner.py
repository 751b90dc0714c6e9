"""Drive the forum under gunicorn with wrk and print one table of figures (``make bench``).

The app runs in production configuration but for rate limits, held posts and worker
recycling (``server_env``). Each page is warmed up, then loaded with ``wrk -t2 -c8 -d10s
--latency`` from a second process. The same gunicorn settings then serve a bare Flask route
returning the captured 25-reply thread page: the physical limit of the stack on this
machine, which every page's throughput is divided by.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from html import unescape
from pathlib import Path

from forum.bench import pages as bench_pages

ROOT = Path(__file__).resolve().parent.parent.parent
HERE = Path(__file__).resolve().parent
BENCH_SECRET = "benchmark-secret-key-not-for-production"  # noqa: S105 - a throwaway server
USERNAME = "member000005"


@dataclass
class Result:
    page: str
    url: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    queries: int | None
    worker_rss_mb: float
    errors: int
    share_of_limit: float | None = None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn running the forum (or the bare page) on a port of its own."""

    def __init__(self, env: dict, workers: int, wsgi_app: str | None = None):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        # Production settings need BASE_URL: a server of its own links to itself.
        env = {"BASE_URL": self.base, **env}
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
        ]
        if wsgi_app:
            command.append(wsgi_app)
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self.log
        )
        self._wait_ready("/healthz" if wsgi_app is None else "/")

    def _wait_ready(self, path: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + self.errors()[-3000:])
            try:
                with urllib.request.urlopen(self.base + path, timeout=2):  # noqa: S310
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start within a minute")

    def worker_rss_mb(self) -> float:
        """The largest resident memory among the workers, in MB."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = children.read_text().split() if children.exists() else []
        sizes = []
        for pid in pids:
            status = Path(f"/proc/{pid}/status")
            if status.exists():
                match = re.search(r"VmRSS:\s+(\d+) kB", status.read_text())
                if match:
                    sizes.append(int(match.group(1)) / 1024)
        return round(max(sizes), 1) if sizes else 0.0

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def errors(self) -> str:
        """What gunicorn and the app wrote to stderr so far."""
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")


def _request(url: str, *, cookie: str | None = None, data: dict | None = None):
    headers = {"Cookie": cookie} if cookie else {}
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        response = opener.open(request, timeout=30)
    except urllib.error.HTTPError as exc:
        response = exc
    with response:
        return response.status, response.headers, response.read().decode("utf-8", "replace")


def _session_cookie(headers) -> str | None:
    for value in headers.get_all("Set-Cookie") or []:
        if value.startswith("session="):
            return value.split(";", 1)[0]
    return None


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    match = match or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return unescape(match.group(1))


def sign_in(base: str) -> str:
    """Log in through the real form; returns the session cookie."""
    _, headers, page = _request(base + "/login")
    cookie = _session_cookie(headers)
    status, headers, _ = _request(
        base + "/login",
        cookie=cookie,
        data={
            "login": USERNAME,
            "password": "benchmark-password-not-secret",
            "csrf_token": _csrf(page),
        },
    )
    if status != 302:
        raise RuntimeError(f"benchmark login failed with {status}")
    cookie = _session_cookie(headers) or cookie
    # Take the welcome message as a browser would: wrk repeats one cookie, and a message
    # left in it would be shown on every page measured (issue #17).
    _, headers, _ = _request(base + "/settings", cookie=cookie)
    return _session_cookie(headers) or cookie


def _next_link(page: str) -> str | None:
    match = re.search(r'<link rel="next" href="([^"]+)"', page)
    return unescape(match.group(1)) if match else None


def deep_cursor_url(base: str, path: str, pages: int) -> str:
    """Follow rel=next from a list's first page ``pages`` times."""
    url = path
    for _ in range(pages):
        _, _, page = _request(base + url)
        following = _next_link(page)
        if not following:
            break
        url = following
    return url


def wrk(url: str, *, seconds: int, connections: int, threads: int, env=None, script=None):
    script = script or HERE / "report.lua"
    command = [
        shutil.which("wrk") or "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(script),
    ]
    cookie = (env or {}).get("BENCH_COOKIE")
    if cookie and script.name == "report.lua":
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(  # noqa: S603 - wrk with our own arguments
        [*command, url],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {}), "BENCH_REPORT_LUA": str(HERE / "report.lua")},
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    return json.loads(line.removeprefix("BENCH "))


def _figures(name, url, stats, queries, rss) -> Result:
    seconds = stats["duration_us"] / 1e6
    return Result(
        page=name,
        url=url,
        requests_per_second=round(stats["requests"] / seconds, 1),
        p50_ms=round(stats["p50_us"] / 1000, 2),
        p99_ms=round(stats["p99_us"] / 1000, 2),
        queries=queries,
        worker_rss_mb=rss,
        errors=stats["socket_errors"] + stats["http_errors"],
    )


def server_env(database_url: str, redis_url: str | None) -> dict:
    env = {
        **os.environ,
        "FORUM_CONFIG": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": os.environ.get("SECRET_KEY", BENCH_SECRET),
        # Not as in production: rate limits and held posts would refuse or hold the traffic;
        # a worker recycled mid-run (every 200,000 requests) drops a connection, starts cold.
        "RATELIMIT_ENABLED": "0",
        "NEW_MEMBER_HELD_POSTS": "0",
        "NEW_MEMBER_DAYS": "0",
        "GUNICORN_MAX_REQUESTS": "0",
        "SESSION_COOKIE_SECURE": "0",  # plain HTTP on loopback: no cookie may need HTTPS
        "REMEMBER_COOKIE_SECURE": "0",
        "MAIL_BACKEND": "file",
        "QUERY_COUNT_HEADER": "1",
        "REDIS_URL": redis_url or "",
    }
    env.pop("TEST_DATABASE_URL", None)
    return env


def run(
    *,
    database_url: str,
    targets: dict,
    redis_url: str | None,
    workers: int,
    seconds: int,
    connections: int,
    threads: int,
    out: Path | None,
    echo=print,
) -> list[Result]:
    env = server_env(database_url, redis_url)
    server = Server(env, workers)
    results: list[Result] = []
    try:
        base = server.base
        cookie = sign_in(base)
        small = targets["small_thread"]
        deep = deep_cursor_url(base, f"/tags/{targets['tag']}", targets.get("deep_pages", 40))
        pages = bench_pages.page_rows(targets, cookie, deep)
        for name, path, page_cookie in pages:
            for _ in range(20):  # warm up caches, connections and the page cache
                _request(base + path, cookie=page_cookie)
            # Queries to render the page: a query string nobody else asks for misses the
            # page cache (a hit costs none).
            probe = f"{path}{'&' if '?' in path else '?'}probe={time.monotonic_ns()}"
            status, headers, _ = _request(base + probe, cookie=page_cookie)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
            queries = int(headers.get("X-Query-Count", "0"))
            wrk_env = {"BENCH_COOKIE": page_cookie} if page_cookie else {}
            stats = wrk(
                base + path,
                seconds=seconds,
                connections=connections,
                threads=threads,
                env=wrk_env,
            )
            results.append(_figures(name, path, stats, queries, server.worker_rss_mb()))
            echo(f"  measured {name}")
        results.append(_long_tail(server, targets["long_tail_ids"], seconds, connections, threads))
        echo(f"  measured {bench_pages.LONG_TAIL}")
        results.append(_post_replies(server, cookie, targets, seconds, connections, threads))
        echo("  measured posting a reply")
        _, _, captured = _request(base + f"/t/{small}")
    finally:
        server.stop()

    limit = _measure_limit(captured, env, workers, seconds, connections, threads)
    results.append(limit)
    for result in results:
        result.share_of_limit = round(result.requests_per_second / limit.requests_per_second, 3)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps([asdict(r) for r in results], indent=1))
    return results


def _long_tail(server, ids: list[int], seconds, connections, threads) -> Result:
    """Signed-out readers on threads picked at random from the whole forum."""
    status, headers, _ = _request(f"{server.base}/t/{ids[len(ids) // 2]}?probe=long-tail")
    if status != 200:
        raise RuntimeError(f"a long-tail thread answered {status}")
    listing = bench_pages.write_id_list(ids)
    try:
        stats = wrk(
            server.base + "/",
            seconds=seconds,
            connections=connections,
            threads=threads,
            env={"BENCH_IDS": listing},
            script=bench_pages.LONG_TAIL_SCRIPT,
        )
    finally:
        os.unlink(listing)
    queries = int(headers.get("X-Query-Count", "0"))
    return _figures(bench_pages.LONG_TAIL, "/t/<random>", stats, queries, server.worker_rss_mb())


def _post_replies(server, cookie, targets, seconds, connections, threads) -> Result:
    base, thread = server.base, targets["post_thread"]
    status, headers, page = _request(base + f"/t/{thread}", cookie=cookie)
    cookie = _session_cookie(headers) or cookie
    token = _csrf(page)
    path, run = f"/t/{thread}/reply", str(int(time.time()))
    # Warmed up like the pages (20 replies), then one more counts the queries; nonces of
    # this run's, as an earlier run's would make a repeated form, a lookup more than a reply.
    for n in range(21):
        probe = {"csrf_token": token, "body": "Warming up.", "nonce": f"probe-{run}-{n}"}
        status, headers, _ = _request(base + path, cookie=cookie, data=probe)
    if status != 302:
        raise RuntimeError(f"posting a reply answered {status}")
    queries = int(headers.get("X-Query-Count", "0"))
    env = {
        "BENCH_COOKIE": cookie,
        "BENCH_CSRF": urllib.parse.quote(token),
        "BENCH_PATH": path,
        "BENCH_RUN": run,
    }
    stats = wrk(
        base + path,
        seconds=seconds,
        connections=connections,
        threads=threads,
        env=env,
        script=HERE / "post.lua",
    )
    return _figures("posting a reply", path, stats, queries, server.worker_rss_mb())


def _measure_limit(html: str, env: dict, workers, seconds, connections, threads) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".html", delete=False) as page:
        page.write(html)
    bare = Server({**env, "BENCH_BARE_HTML": page.name}, workers, "forum.bench.bare:app")
    try:
        for _ in range(20):
            _request(bare.base + "/")
        stats = wrk(bare.base + "/", seconds=seconds, connections=connections, threads=threads)
        return _figures(
            "physical limit (bare route, same HTML)", "/", stats, 0, bare.worker_rss_mb()
        )
    finally:
        bare.stop()
        os.unlink(page.name)


def table(results: list[Result]) -> str:
    header = ("page", "req/s", "p50 ms", "p99 ms", "queries", "worker MB", "of limit", "errors")
    rows = [
        (
            r.page,
            f"{r.requests_per_second:,.0f}",
            f"{r.p50_ms:.1f}",
            f"{r.p99_ms:.1f}",
            "" if r.queries is None else str(r.queries),
            f"{r.worker_rss_mb:.0f}",
            "" if r.share_of_limit is None else f"{r.share_of_limit:.0%}",
            str(r.errors),
        )
        for r in results
    ]
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)
