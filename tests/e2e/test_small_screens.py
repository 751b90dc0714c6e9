"""Every main page on a 360 px phone, with long words and URLs in what members wrote: no
page is wider than the screen, and each passes axe-core at "moderate" (issue #11)."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from forum.auth.services import reset_token
from forum.extensions import db
from forum.guide.services import load_shipped_guide
from forum.models import ReviewItem, Role, User, utcnow
from forum.moderation import services as moderation
from forum.search import backend
from forum.tags.services import load_shipped_tags
from forum.threads import services as threads
from tests.e2e.conftest import accessibility_violations, check_accessibility, sign_in
from tests.factories import make_post, make_thread, make_user

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
LONG_WORD = "dry" * 100  # 300 characters, no break opportunity
LONG_URL = "https://example.org/isotretinoin/" + "lips-" * 33 + "x"  # 200 characters
LONG_TEXT = f"Month two. {LONG_WORD} and the source: {LONG_URL} Isotretinoin dries everything."
# Members pick heading levels freely; the pages' outlines must still have no gaps.
HEADINGS = "#### Week two\n\nLips.\n\n## Week three\n\n#### Eyes\n\nDrops help."
TITLE_WORD = "Moisturiser" * 11  # 121 characters: a title may hold a very long word too


@dataclass
class Forum:
    writer: str
    reader: str
    moderator: str
    thread_path: str
    opening_id: int
    reply_id: int
    pending_item_id: int
    reset_path: str


@pytest.fixture
def forum(app) -> Forum:
    load_shipped_tags()
    load_shipped_guide()
    long_ago = utcnow() - timedelta(days=60)
    writer = make_user("writer_with_a_long_name_x", created_at=long_ago)
    reader = make_user("reader", created_at=long_ago)
    moderator = make_user("moderator", role=Role.MODERATOR, created_at=long_ago)
    thread = make_thread(
        writer,
        title=f"Lips {TITLE_WORD}",
        body=f"{HEADINGS}\n\n{LONG_TEXT}",
        tags=("dryness", "side-effects", "results-after-finishing"),
        treatment_month=2,
        daily_dose_mg=40,
    )
    reply = make_post(thread, reader, body=f"{LONG_TEXT}\n\n{HEADINGS}")
    nested = make_post(thread, writer, parent=reply, body=f"Nested: {LONG_TEXT}")
    threads.edit_post(reply, reader, body=f"{LONG_TEXT} (edited)\n\n{HEADINGS}")
    backend.index_post(threads.opening_post(thread))
    # One report decided (the log), one still waiting (the queue and its item).
    moderation.report_post(nested, reader, "other", f"See {LONG_URL} {LONG_WORD}")
    moderation.report_post(reply, writer, "spam", LONG_TEXT)
    db.session.flush()
    items = {i.post_id: i for i in db.session.scalars(select(ReviewItem))}
    decided, pending = items[reply.id], items[nested.id]
    moderation.claim_item(decided, moderator)
    moderation.act_on_item(decided, moderator, "dismiss", f"Fine: {LONG_URL} {LONG_WORD}")
    db.session.commit()
    seeded = Forum(
        writer=writer.username,
        reader=reader.username,
        moderator=moderator.username,
        thread_path=f"/t/{thread.id}/{thread.slug}",
        opening_id=threads.opening_post(thread).id,
        reply_id=reply.id,
        pending_item_id=pending.id,
        reset_path=f"/reset/{reset_token(writer)}",
    )
    db.session.remove()  # hold no SQLite transaction while the browser talks to the server
    return seeded


def sign_in_as(page, live_app, live_server, username: str) -> None:
    page.context.clear_cookies()
    user = db.session.scalar(select(User).where(User.username == username))
    sign_in(page, live_app, live_server, user)


def page_width(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def page_problems(page, path: str, *, expect_ok: bool = True) -> list:
    """What is wrong with ``path`` on the current screen: its status, its width and what
    axe-core finds."""
    response = page.goto(path)
    problems = []
    if response.ok != expect_ok:
        problems.append(f"answered {response.status}")
    scroll_width, inner_width = page_width(page)
    if scroll_width > inner_width:
        too_wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
                .filter(e => e.getBoundingClientRect().width > e.parentElement.clientWidth + 0.5)
                .slice(0, 4).map(e => e.tagName.toLowerCase() + '.' + e.className)"""
        )
        problems.append(f"{scroll_width} px wide on a {inner_width} px screen: {too_wide}")
    problems.extend(accessibility_violations(page))
    return [(path, problem) for problem in problems]


def test_every_main_page_fits_a_360px_screen(page, live_app, live_server, forum):
    page.set_viewport_size(PHONE)
    problems = []
    for path in (
        "/",
        "/tags",
        "/tags/dryness",
        forum.thread_path,
        f"{forum.thread_path}?root={forum.reply_id}",
        f"/p/{forum.reply_id}/history",
        "/guide",
        "/guide/managing-dryness",
        "/search?q=isotretinoin",
        f"/u/{forum.writer}",
        "/login",
        "/register",
        "/reset",
        forum.reset_path,
        "/help",
        "/guidelines",
        "/privacy",
        "/mod/log",
    ):
        problems += page_problems(page, path)

    sign_in_as(page, live_app, live_server, forum.reader)
    for path in (
        f"/p/{forum.reply_id}/edit",
        f"/p/{forum.reply_id}/delete",
        f"/p/{forum.opening_id}/report",
        "/t/new",
        "/settings",
        f"/u/{forum.reader}",
    ):
        problems += page_problems(page, path)

    sign_in_as(page, live_app, live_server, forum.writer)
    problems += page_problems(page, "/notifications")

    sign_in_as(page, live_app, live_server, forum.moderator)
    for path in ("/mod/queue", f"/mod/items/{forum.pending_item_id}", "/mod/log"):
        problems += page_problems(page, path)

    with page.expect_console_message(lambda m: "status of 404" in m.text):
        problems += page_problems(page, "/no-such-page", expect_ok=False)
    errors = page.problems.console_errors
    errors[:] = [e for e in errors if "status of 404" not in e]

    assert problems == [], "\n".join(f"{path}: {problem}" for path, problem in problems)


@pytest.mark.parametrize(
    ("path", "full_list"),
    [("/guide/managing-dryness", "#patients-heading"), ("/guide", "#latest-heading")],
)
def test_phones_see_what_patients_say_near_the_top_of_the_guide(page, forum, path, full_list):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(path)
    preview = page.locator(".patients-preview")
    assert preview.get_by_role("link", name=f"Lips {TITLE_WORD}").is_visible()
    top = page.evaluate(
        "() => document.querySelector('.patients-preview').getBoundingClientRect().top"
    )
    assert top <= 1200
    full = page.locator(full_list)
    assert full.bounding_box()["y"] > 2 * top  # the full list is further down, after the article
    preview.locator(f'a[href="{full_list}"]').click()
    page.wait_for_url(f"**{path}{full_list}")
    assert full.is_visible()
    check_accessibility(page)

    page.set_viewport_size({"width": 1280, "height": 800})
    expect(preview).to_be_hidden()  # wide screens show the full list beside the article
    assert full.is_visible()
    check_accessibility(page)
