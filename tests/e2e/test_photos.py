"""A member on a phone attaches a photo to a reply, sees it blurred behind a content note,
and reveals it without any script (issue #15)."""

import pytest
from playwright.sync_api import expect

from forum.extensions import db
from forum.tags.services import load_shipped_tags
from tests.e2e.conftest import check_accessibility, sign_in
from tests.factories import make_thread, make_user
from tests.photos.images import camera_jpeg

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def test_a_photo_on_a_reply_is_blurred_until_revealed(page, live_app, live_server, tmp_path):
    load_shipped_tags()
    thread = make_thread(make_user("e2e_starter"), title="Post your month three photos")
    writer = make_user("e2e_photographer")
    path = f"/t/{thread.id}/{thread.slug}"
    db.session.commit()
    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(camera_jpeg())
    sign_in(page, live_app, live_server, writer)
    page.set_viewport_size(PHONE)

    page.goto(path)
    check_accessibility(page)
    page.get_by_label("Your reply").fill("Month three: the redness is going.")
    page.get_by_label("Choose photos").set_input_files(str(photo))
    page.get_by_label("Signed-in members").check()
    page.get_by_role("button", name="Post reply").click()

    figure = page.locator("ol.tree .photo").first
    figure.wait_for()
    blurred = figure.locator("img.photo-blurred")
    assert blurred.is_visible()
    assert "blur" in blurred.evaluate("img => getComputedStyle(img).filter")
    assert blurred.evaluate("img => img.complete && img.naturalWidth > 0")
    revealed = figure.locator("img.photo-thumb")
    expect(revealed).to_be_hidden()
    assert "hard to look at" in figure.inner_text()
    check_accessibility(page)
    # No page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    figure.get_by_text("Show photo").click()
    assert revealed.is_visible()
    expect(blurred).to_be_hidden()
    assert revealed.evaluate("img => img.complete && img.naturalWidth > 0")
    assert revealed.evaluate("img => getComputedStyle(img).filter") == "none"
    link = figure.locator("a").first.get_attribute("href")
    assert link.startswith("/photos/")
    check_accessibility(page)
