from tests.e2e.conftest import check_accessibility


def test_home_page_loads_with_no_external_requests_and_is_accessible(page):
    page.goto("/")
    assert page.title().endswith("Isotretinoin Experiences")
    assert page.locator(".site-header").get_by_role("link", name="Get help now").is_visible()
    assert page.locator(".site-footer").get_by_role("link", name="Get help now").is_visible()
    check_accessibility(page)
