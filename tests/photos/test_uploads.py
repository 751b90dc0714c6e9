"""Uploading progress photos over HTTP (issue #15): what is kept of a photo, what is refused."""

import io

import pytest
from PIL import Image, ImageFile
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Photo, Post
from tests.conftest import login
from tests.factories import make_post, make_thread, make_user
from tests.photos import images
from tests.photos.conftest import stored_files

REPLY_TEXT = "Week six: the redness on my cheeks is finally fading."


@pytest.fixture
def thread(app):
    thread = make_thread(make_user("starter"), title="Progress photos, month two")
    db.session.commit()
    return thread


@pytest.fixture
def writer(app, client):
    user = make_user("photographer")
    db.session.commit()
    return login(client, user)


def send_reply(client, thread, *files, text=REPLY_TEXT, visibility="private"):
    data = {
        "body": text,
        "photo_visibility": visibility,
        "photos": [(io.BytesIO(content), name) for name, content in files],
    }
    return client.post(f"/t/{thread.id}/reply", data=data, content_type="multipart/form-data")


def photo_count() -> int:
    db.session.remove()
    return db.session.scalar(select(func.count(Photo.id)))


def test_a_camera_photo_is_served_without_exif_gps_or_xmp_and_upright(
    app, thread, writer, photo_dir
):
    response = send_reply(writer, thread, ("IMG_0042.jpg", images.camera_jpeg()))
    assert response.status_code == 302
    photo = db.session.scalar(select(Photo))
    assert photo.visibility == "private" and photo.taken_on.isoformat() == "2026-03-14"
    # Two files, named by the random key only: nothing the member sent names them.
    names = [path.name for path in stored_files(photo_dir)]
    assert names == [f"{photo.key}.display", f"{photo.key}.thumb"]
    for path in ("", "/thumb"):
        served = writer.get(f"/photos/{photo.id}{path}")
        assert served.status_code == 200
        assert served.headers["Content-Type"] == "image/webp"
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert served.headers["Content-Disposition"] == 'inline; filename="photo.webp"'
        assert served.headers["Cache-Control"].startswith("private")
        body = served.data
        for secret in (
            b"Exif",
            b"GPS",
            b"PhoneMaker",
            b"Secret",
            b"SERIAL",
            b"xmpmeta",
            b"bedroom",
            b"ICCP",
            b"XMP ",
        ):
            assert secret not in body, secret
        image = Image.open(io.BytesIO(body))
        assert image.format == "WEBP"
        assert not image.getexif() and "exif" not in image.info and "xmp" not in image.info
        assert "icc_profile" not in image.info
        # 80 × 40 landscape, orientation 6: shown turned clockwise, red (left) on top.
        assert image.height > image.width
        rgb = image.convert("RGB")
        top, bottom = (
            rgb.getpixel((rgb.width // 2, 2)),
            rgb.getpixel((rgb.width // 2, rgb.height - 3)),
        )
        assert top[0] > 150 and top[2] < 100, top
        assert bottom[2] > 150 and bottom[0] < 100, bottom
    assert writer.get(f"/photos/{photo.id}").data != images.camera_jpeg()


def test_the_display_size_is_bounded(app, thread, writer):
    app.config["PHOTO_DISPLAY_PX"], saved = 50, app.config["PHOTO_DISPLAY_PX"]
    try:
        assert send_reply(writer, thread, ("big.png", images.png(300, 200))).status_code == 302
    finally:
        app.config["PHOTO_DISPLAY_PX"] = saved
    photo = db.session.scalar(select(Photo))
    assert (photo.width, photo.height) == (50, 33)


def test_png_and_heic_photos_are_taken(thread, writer):
    assert (
        send_reply(writer, thread, ("a.png", images.png()), ("b.heic", images.heic())).status_code
        == 302
    )
    photos = db.session.scalars(select(Photo).order_by(Photo.position)).all()
    assert [p.format for p in photos] == ["webp", "webp"]
    assert Image.open(io.BytesIO(writer.get(f"/photos/{photos[1].id}").data)).format == "WEBP"


def test_jpeg_output_when_configured(app, thread, writer, monkeypatch):
    monkeypatch.setitem(app.config, "PHOTO_FORMAT", "jpeg")
    assert send_reply(writer, thread, ("a.jpg", images.camera_jpeg())).status_code == 302
    photo = db.session.scalar(select(Photo))
    served = writer.get(f"/photos/{photo.id}")
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["Content-Disposition"] == 'inline; filename="photo.jpg"'
    assert b"Exif" not in served.data and b"GPS" not in served.data


@pytest.mark.parametrize("kind", sorted(images.BAD_FILES))
def test_each_bad_file_is_refused_with_the_text_kept_and_nothing_written(
    thread, writer, photo_dir, kind, monkeypatch
):
    content, status = images.BAD_FILES[kind]
    if kind == "huge dimensions":
        # Refused from its header: decoding 1.6 billion pixels is never tried.
        def no_decoding(self):
            raise AssertionError("the image was decoded")

        monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    posts_before = db.session.scalar(select(func.count(Post.id)))
    response = send_reply(writer, thread, ("photo.jpg", content))
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert REPLY_TEXT in page  # what was typed is kept
    assert 'class="error" id="photos-error"' in page
    assert photo_count() == 0 and stored_files(photo_dir) == []
    assert db.session.scalar(select(func.count(Post.id))) == posts_before


def test_more_pixels_than_allowed_is_refused_before_decoding(app, thread, writer, monkeypatch):
    monkeypatch.setitem(app.config, "PHOTO_MAX_PIXELS", 1000)
    response = send_reply(writer, thread, ("a.png", images.png(60, 40)))
    assert response.status_code == 413 and "megapixels" in response.get_data(as_text=True)
    assert photo_count() == 0


def test_a_file_over_the_size_limit_is_refused(app, thread, writer, monkeypatch, photo_dir):
    monkeypatch.setitem(app.config, "PHOTO_MAX_BYTES", 500)
    response = send_reply(writer, thread, ("a.jpg", images.camera_jpeg()))
    assert response.status_code == 413
    assert "too big" in response.get_data(as_text=True) and REPLY_TEXT in response.get_data(
        as_text=True
    )
    assert photo_count() == 0 and stored_files(photo_dir) == []


def test_at_most_four_photos_a_post(thread, writer, photo_dir):
    files = [(f"{n}.png", images.png()) for n in range(5)]
    response = send_reply(writer, thread, *files)
    assert response.status_code == 422
    assert "at most 4 photos" in response.get_data(as_text=True)
    assert photo_count() == 0 and stored_files(photo_dir) == []
    assert send_reply(writer, thread, *files[:4]).status_code == 302
    assert photo_count() == 4


def test_the_daily_allowance_is_kept(app, thread, writer, photo_dir, monkeypatch):
    monkeypatch.setitem(app.config, "PHOTO_PER_DAY", 2)
    assert (
        send_reply(writer, thread, ("a.png", images.png()), ("b.png", images.png())).status_code
        == 302
    )
    before = stored_files(photo_dir)
    response = send_reply(writer, thread, ("c.png", images.png()), text="Another day, more.")
    assert response.status_code == 429
    assert "2 photos a day" in response.get_data(as_text=True)
    assert photo_count() == 2 and stored_files(photo_dir) == before
    # The reply itself was not posted either: one transaction.
    assert (
        db.session.scalar(select(func.count(Post.id)).where(Post.body == "Another day, more.")) == 0
    )


def test_a_reply_without_photos_is_unchanged(thread, writer, photo_dir):
    response = writer.post(f"/t/{thread.id}/reply", data={"body": REPLY_TEXT})
    assert response.status_code == 302
    assert photo_count() == 0 and stored_files(photo_dir) == []
    assert db.session.scalar(select(Post.photo_count).where(Post.body == REPLY_TEXT)) == 0


def test_a_new_thread_takes_photos(app, writer, shipped_tags):
    response = writer.post(
        "/t/new",
        data={
            "title": "Before and after five months",
            "body": "Month one and month five.",
            "tags": ["results-after-finishing"],
            "photo_visibility": "everyone",
            "photos": [
                (io.BytesIO(images.camera_jpeg(taken="2026:01:05 10:00:00")), "a.jpg"),
                (io.BytesIO(images.camera_jpeg(taken="2026:06:01 10:00:00")), "b.jpg"),
            ],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    photos = db.session.scalars(select(Photo)).all()
    assert len(photos) == 2 and {p.visibility for p in photos} == {"everyone"}
    page = app.test_client().get(response.headers["Location"]).get_data(as_text=True)
    # A before/after pair, side by side, each with its date; revealed without JavaScript.
    assert 'class="photos photo-pair"' in page
    assert "Before</strong>" in page and "After</strong>" in page
    assert "5 Jan 2026" in page and "1 Jun 2026" in page
    assert page.count('<details class="photo-reveal">') == 2 and "Show photo" in page


def test_a_refused_photo_on_a_new_thread_keeps_the_title_and_text(writer, shipped_tags):
    response = writer.post(
        "/t/new",
        data={
            "title": "A title worth keeping",
            "body": "A body worth keeping.",
            "tags": ["dryness"],
            "photos": [(io.BytesIO(b"not an image at all"), "a.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 415
    page = response.get_data(as_text=True)
    assert "A title worth keeping" in page and "A body worth keeping." in page
    assert "not a photo we can take" in page
    assert photo_count() == 0


def test_only_upload_routes_accept_a_large_request(app, thread, writer, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 20_000)
    photo = images.noisy_png(200, 200)
    assert len(photo) > 20_000
    # A reply may carry photos beyond the ordinary request limit...
    assert send_reply(writer, thread, ("noisy.png", photo)).status_code == 302
    assert photo_count() == 1
    # ...while every other form keeps it.
    other = writer.post(
        "/contact",
        data={"body": "x", "file": (io.BytesIO(photo), "a.png")},
        content_type="multipart/form-data",
    )
    assert other.status_code == 413


def test_photo_visibility_must_be_one_of_the_choices(thread, writer):
    response = send_reply(writer, thread, ("a.png", images.png()), visibility="world")
    assert response.status_code == 422
    assert photo_count() == 0


def test_the_reply_form_is_multipart_with_the_photo_fields(thread, writer):
    page = writer.get(f"/t/{thread.id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert 'name="photos"' in page and "multiple" in page
    assert 'name="photo_visibility" type="radio" value="private" checked' in page or (
        'value="private"' in page and "checked" in page
    )


def test_a_later_reply_keeps_earlier_photos_in_place(thread, writer):
    send_reply(writer, thread, ("a.png", images.png()))
    make_post(thread, make_user("another"), body="Looking better!")
    db.session.commit()
    assert photo_count() == 1
