"""A member fills a journal entry on a 390 px phone and finds it on the timeline; every
page on the way fits the screen and passes axe-core at "moderate" (issue #14)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.journals import services
from forum.models import JournalEntry, utcnow
from tests.e2e.conftest import check_accessibility, sign_in
from tests.factories import make_user

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def assert_fits(page) -> None:
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    too_wide = page.evaluate(  # named in the message: what sticks out of its parent
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
            .filter(e => e.getBoundingClientRect().width > e.parentElement.clientWidth + 0.5)
            .slice(0, 4).map(e => e.tagName.toLowerCase() + '.' + e.className)"""
    )
    assert scroll_width <= inner_width, f"{scroll_width} px wide: {too_wide}"


def assert_readable(page) -> None:
    """The timeline keeps its drawn size (it scrolls sideways rather than shrinking to
    unreadable labels), and no word in a table is split across lines."""
    scale = page.evaluate(
        """() => { const svg = document.querySelector('.journal-timeline svg');
                   return svg.getBoundingClientRect().width / svg.viewBox.baseVal.width; }"""
    )
    assert scale >= 0.99, f"the timeline is drawn at {scale:.0%} of its size"
    split = page.evaluate(
        """() => {
          const ctx = document.createElement('canvas').getContext('2d');
          return [...document.querySelectorAll('.data-table th, .data-table td')]
            .filter(cell => {
              const style = getComputedStyle(cell);
              ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
              const room = cell.clientWidth - parseFloat(style.paddingLeft)
                - parseFloat(style.paddingRight);
              return cell.innerText.split(/\\s+/)
                .some(word => ctx.measureText(word).width > room + 1);
            })
            .slice(0, 5).map(cell => cell.innerText);
        }"""
    )
    assert split == [], f"words split inside table cells: {split}"


def test_a_member_fills_an_entry_on_a_phone_and_sees_it_on_the_timeline(
    page, live_app, live_server
):
    today = utcnow().date()
    member = make_user("journal_keeper_on_a_phone")
    member.course_start = today - timedelta(days=200)
    services.add_dose_period(member, starts_on=member.course_start, dose_mg=40)
    for days_ago in range(200, 0, -5):  # six months and more: a timeline wider than a phone
        services.save_entry(member, day=today - timedelta(days=days_ago), skin=2, mood=3, levels={})
    db.session.commit()
    sign_in(page, live_app, live_server, member)
    page.set_viewport_size(PHONE)

    page.goto("/journal")
    check_accessibility(page)
    assert_fits(page)
    assert_readable(page)

    form = page.locator("form.journal-entry-form")
    form.locator("input[name=date]").fill(today.isoformat())
    form.locator("input[name=skin][value='4']").check()
    form.locator("input[name=mood][value='2']").check()
    form.get_by_label("Dry lips").select_option(label="Moderate")
    form.get_by_label("Dry eyes").select_option(label="Mild")
    form.locator("textarea[name=note]").fill("Lips *cracked* after the walk.")
    with page.expect_navigation():
        form.get_by_role("button", name="Save entry").click()

    assert "/journal#entry-" in page.url
    check_accessibility(page)
    assert_fits(page)
    assert_readable(page)
    timeline = page.locator("section.journal-timeline")
    assert timeline.locator("svg").is_visible()
    this_week = timeline.locator("tbody tr").last
    assert "Dry lips (moderate)" in this_week.inner_text()
    assert "Dry eyes (mild)" in this_week.inner_text()
    entry = page.locator("ol.journal-entries li").first
    assert "Skin 4/5" in entry.inner_text() and "cracked" in entry.inner_text()

    saved = db.session.scalar(select(JournalEntry).where(JournalEntry.day == today))
    assert (saved.skin, saved.mood, saved.se_dry_lips, saved.se_dry_eyes) == (4, 2, 2, 1)
    db.session.remove()


def test_the_export_prints_on_paper_without_scrolling(page, live_app, live_server):
    today = utcnow().date()
    member = make_user("printing_member")
    member.course_start = today - timedelta(days=200)
    services.add_dose_period(member, starts_on=member.course_start, dose_mg=40)
    for days_ago in range(200, 0, -4):
        services.save_entry(
            member,
            day=today - timedelta(days=days_ago),
            skin=3,
            mood=4,
            levels={"dry_lips": 2},
            note="Lips cracked; balm every hour." if days_ago % 20 == 0 else "",
        )
    db.session.commit()
    sign_in(page, live_app, live_server, member)
    page.set_viewport_size({"width": 718, "height": 1000})  # A4 less 1.5 cm margins
    page.emulate_media(media="print")
    page.goto("/journal/export")
    check_accessibility(page)
    assert page.locator(".site-header").is_hidden()
    assert page.locator("p.no-print").is_hidden()
    assert_fits(page)
    hidden = page.evaluate(
        """() => [...document.querySelectorAll('.chart-scroll, .table-scroll')]
            .filter(e => e.scrollWidth > e.clientWidth + 1).length"""
    )
    assert hidden == 0, "part of the export would be cut off on paper"
    assert "Lips cracked" in page.locator(".journal-export-entries").inner_text()
    db.session.remove()
