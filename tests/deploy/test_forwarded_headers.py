"""The real gunicorn with the shipped gunicorn.conf.py (issue #9): a request that sends a
SCRIPT_NAME header (which gunicorn maps into the environ for peers it trusts, and the
proxy's address, 127.0.0.1, was trusted) plants no page in the page cache, and no response
names the server."""

import re
import socket

import pytest

from tests.deploy.support import Browser, Server, make_members, prepare_database, server_env
from tests.services import redis_url

pytestmark = pytest.mark.slow

EVIL = "evil.example"


@pytest.fixture(params=["memory", "redis"])
def site(request, tmp_path):
    database = f"sqlite:///{tmp_path / 'forwarded.db'}"
    redis = redis_url() if request.param == "redis" else ""
    prepare_database(database)
    make_members(database, ["alice"])
    server = Server(server_env(database, redis_url=redis), workers=2)
    try:
        author = Browser(server.base)
        author.log_in("alice")
        status, headers, _ = author.post_form(
            "/t/new", "/t/new", {"title": "Week two", "body": "Dry lips.", "tags": "dryness"}
        )
        assert status == 302, "the thread was not created"
        path = re.sub(r"^https?://[^/]+", "", headers["Location"]).split("#")[0]
        yield server, re.match(r"/t/\d+", path).group(0)
    finally:
        server.stop()


def _raw_get(server: Server, target: str, extra_headers: str = "") -> tuple[str, str]:
    """(head, body) of one HTTP/1.1 request sent byte for byte as written."""
    request = (
        f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n{extra_headers}"
        "Connection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as conn:
        conn.sendall(request.encode())
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return head.decode("latin-1"), body.decode("utf-8", "replace")


def test_a_script_name_header_plants_nothing_in_the_page_cache(site):
    server, path = site
    spoofed = (
        f"SCRIPT_NAME: //{EVIL}\r\nX-Script-Name: //{EVIL}\r\n"
        f"X-Forwarded-Prefix: //{EVIL}\r\nX-Forwarded-Host: {EVIL}\r\n"
        f"Forwarded: host={EVIL}\r\n"
    )
    for _ in range(6):  # reach both workers, each with its own store without Redis
        _raw_get(server, f"//{EVIL}{path}", spoofed)
        _raw_get(server, path, spoofed)
    hits = 0
    for _ in range(6):
        head, body = _raw_get(server, path)
        assert head.startswith("HTTP/1.1 200")
        assert EVIL not in body and EVIL not in head
        assert 'href="/static/style.css"' in body and f'href="/login?next={path}/' in body
        hits += "X-Cache: hit" in head
    assert hits  # the cache still serves readers


def test_no_response_names_the_server(site):
    server, path = site
    for target in (path, "/healthz", "/static/style.css", "/no-such-page", f"//{EVIL}{path}"):
        head, _ = _raw_get(server, target)
        assert "gunicorn" not in head.lower(), target
        assert not re.search(r"^Server:", head, re.IGNORECASE | re.MULTILINE), target
    head, _ = _raw_get(server, "/login")
    assert "Cache-Control: private, no-store" in head
