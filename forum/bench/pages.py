"""What ``make bench`` loads, row by row: the pages, who asks for them, and the long tail
of threads that mostly miss the page cache (issue #17)."""

import tempfile
from pathlib import Path

from sqlalchemy import select

from forum.extensions import db
from forum.models import Audience, PostStatus, Thread

HERE = Path(__file__).resolve().parent
LONG_TAIL_SCRIPT = HERE / "longtail.lua"
LONG_TAIL = "thread, long tail, signed out (random threads)"


def public_thread_ids() -> list[int]:
    """Every thread a signed-out reader may open: the long tail's addresses."""
    return list(
        db.session.scalars(
            select(Thread.id)
            .where(Thread.status == PostStatus.VISIBLE, Thread.visibility == Audience.EVERYONE)
            .order_by(Thread.id)
        )
    )


def write_id_list(ids: list[int]) -> str:
    """The thread ids, one a line, in a file the wrk script reads; returns its path."""
    with tempfile.NamedTemporaryFile("w", suffix=".ids", delete=False) as listing:
        listing.write("\n".join(str(i) for i in ids) + "\n")
    return listing.name


def page_rows(targets: dict, cookie: str, deep: str) -> list[tuple[str, str, str | None]]:
    """(row name, path, cookie or None) for every page row of the table."""
    small, big, tag = targets["small_thread"], targets["big_thread"], targets["tag"]
    return [
        ("home", "/", None),
        ("home, signed in", "/", cookie),
        (f"tag page /tags/{tag}, first page", f"/tags/{tag}", None),
        (f"tag page /tags/{tag}, signed in", f"/tags/{tag}", cookie),
        ("tag page, deep cursor", deep, None),
        ("thread, 25 replies, signed out", f"/t/{small}", None),
        ("thread, 25 replies, signed in", f"/t/{small}", cookie),
        ("thread, 500+ replies, signed out", f"/t/{big}", None),
        ("thread, 500+ replies, signed in", f"/t/{big}", cookie),
        # Signed-in pages of issues #12 and #14: never from the page cache.
        ("notifications inbox, signed in", "/notifications", cookie),
        ("bookmarks, signed in", "/bookmarks", cookie),
        ("journal, signed in", "/journal", cookie),
        ("insights, signed in", "/insights", cookie),
        # The JSON API (issue #18): never from the page cache, so every request renders.
        ("API /api/v1/threads", "/api/v1/threads", None),
        ("API /api/v1/threads/<id>, 500+ replies", f"/api/v1/threads/{big}", None),
        (f"search, rare ({targets['rare']})", f"/search?q={targets['rare']}", None),
        (f"search, medium ({targets['medium']})", f"/search?q={targets['medium']}", None),
        (f"search, common ({targets['common']})", f"/search?q={targets['common']}", None),
    ]
