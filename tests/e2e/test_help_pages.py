"""The help page and the legal pages in a real browser: no external requests, accessible."""

import pytest

from tests.e2e.conftest import check_accessibility


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/help", "Get help now"),
        ("/guidelines", "Community guidelines"),
        ("/privacy", "Privacy notice"),
    ],
)
def test_page_is_accessible(page, path, heading):
    page.goto(path)
    assert page.get_by_role("heading", level=1).inner_text() == heading
    check_accessibility(page)


def test_help_page_offers_tap_to_call_links(page):
    page.goto("/help")
    check_accessibility(page)
    assert page.get_by_role("link", name="Call 988 Suicide & Crisis Lifeline").count() == 1
    assert page.get_by_role("link", name="Find A Helpline").get_attribute("href") == (
        "https://findahelpline.com"
    )
