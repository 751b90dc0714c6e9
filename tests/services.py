"""Skip tests whose service is missing, unless CI demands it (REQUIRE_PG, REQUIRE_REDIS,
E2E_REQUIRED), in which case they fail with the same reason."""

import os
import shutil
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"


def skip_or_fail(flag: str, reason: str) -> None:
    if os.environ.get(flag) == "1":
        pytest.fail(f"{reason} ({flag}=1 requires it)", pytrace=False)
    pytest.skip(reason)


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def pg_url() -> str:
    """A PostgreSQL URL for tests that need one, whatever database the suite itself uses."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        url = os.environ.get("TEST_PG_URL", DEFAULT_PG_URL)
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if not _port_open(parsed.host or "127.0.0.1", parsed.port or 5432):
        skip_or_fail("REQUIRE_PG", f"PostgreSQL is not reachable at {parsed.host}:{parsed.port}")
    return url


def redis_url() -> str:
    url = os.environ.get("REDIS_URL") or os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS_URL)
    from redis import Redis

    try:
        Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        skip_or_fail("REQUIRE_REDIS", f"Redis is not reachable at {url}")
    return url


def chromium_path() -> str:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        skip_or_fail("E2E_REQUIRED", f"Chromium is not installed at {CHROMIUM}")
    if not AXE_JS.exists():
        skip_or_fail("E2E_REQUIRED", "axe-core is not installed (run `npm ci`)")
    try:
        import playwright  # noqa: F401 - only checking that it is installed
    except ImportError:
        skip_or_fail("E2E_REQUIRED", "the playwright package is not installed")
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
