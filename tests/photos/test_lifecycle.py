"""A photo's life beyond its upload (issue #15): moderators, the sweep, deletion, export,
journal entries, and what a thread page costs."""

import io
import json
import os
import time
import zipfile

import pytest
from sqlalchemy import func, select

from forum.data.deletion import purge_account
from forum.extensions import db
from forum.jobs.services import TASKS
from forum.models import ModerationAction, Photo, Post
from forum.moderation import services as moderation
from forum.moderation.services.items import pending_item
from forum.photos.storage import storage
from tests.conftest import login
from tests.factories import make_photo, make_post, make_thread, make_user
from tests.photos import images
from tests.photos.conftest import stored_files


@pytest.fixture
def reported(app):
    author, reporter = make_user("author"), make_user("reporter")
    thread = make_thread(make_user("starter"), title="Week eight photos")
    reply = make_post(thread, author, body="Healing slowly, see the photos.")
    private = make_photo(reply, visibility="private")
    public = make_photo(reply, visibility="everyone")
    moderation.report_post(reply, reporter, "personal_info", "A face is visible.")
    db.session.commit()
    return {
        "reply": reply.id,
        "thread": thread.id,
        "private": private.id,
        "public": public.id,
        "item": pending_item(reply).id,
        "reporter": reporter,
        "author": author,
    }


def test_the_queue_item_shows_every_photo_unblurred_with_a_warning(app, reported, moderator):
    staff = login(app.test_client(), moderator)
    page = staff.get(f"/mod/items/{reported['item']}").get_data(as_text=True)
    assert "shown unblurred" in page
    for photo in ("private", "public"):
        assert f'src="/photos/{reported[photo]}/thumb"' in page
        assert f"/mod/items/{reported['item']}/photos/{reported[photo]}/remove" in page
    assert "photo-blurred" not in page
    # The reported post's private photo is the moderators' to see, not other members'.
    assert staff.get(f"/photos/{reported['private']}").status_code == 200
    other = login(app.test_client(), reported["reporter"])
    assert other.get(f"/photos/{reported['private']}").status_code == 404


def test_a_moderator_removes_one_photo_and_the_post_stays(app, reported, moderator, photo_dir):
    staff = login(app.test_client(), moderator)
    key = db.session.get(Photo, reported["private"]).key
    path = f"/mod/items/{reported['item']}/photos/{reported['private']}/remove"
    refused = staff.post(path, data={"reason": ""})
    assert refused.status_code == 422
    assert db.session.get(Photo, reported["private"]) is not None
    response = staff.post(path, data={"reason": "Shows the member's face."})
    assert response.status_code == 302
    db.session.remove()
    assert db.session.get(Photo, reported["private"]) is None
    assert db.session.get(Photo, reported["public"]) is not None
    post = db.session.get(Post, reported["reply"])
    assert post.status == "visible" and post.photo_count == 1
    assert not any(key in p.name for p in stored_files(photo_dir))
    entry = db.session.scalar(
        select(ModerationAction).where(ModerationAction.action == "photo:remove")
    )
    assert entry.reason == "Shows the member's face." and entry.target_post_id == post.id
    assert "Removed a photo from" in app.test_client().get("/mod/log").get_data(as_text=True)
    assert staff.get(f"/photos/{reported['private']}").status_code == 404


def test_members_cannot_remove_photos(app, reported):
    member = login(app.test_client(), reported["author"])
    path = f"/mod/items/{reported['item']}/photos/{reported['public']}/remove"
    assert member.post(path, data={"reason": "Mine."}).status_code == 403
    assert db.session.get(Photo, reported["public"]) is not None


def test_the_report_page_says_the_photos_go_with_the_report(app, reported):
    reader = login(app.test_client(), make_user("someone"))
    page = reader.get(f"/p/{reported['reply']}/report").get_data(as_text=True)
    assert "photos go with your report" in page


def test_sweep_removes_files_no_row_names(app, photo_dir):
    thread = make_thread(make_user("sweeper"), title="Sweep test thread")
    kept = make_photo(_opening(thread))
    db.session.commit()
    store = storage()
    store.put("ab" * 16, "display", b"left behind")
    store.put("ab" * 16, "thumb", b"left behind")
    store.put("cd" * 16, "display", b"just written")
    old = time.time() - 2 * 3600
    for path in photo_dir.rglob("abab*"):
        os.utime(path, (old, old))
    for path in photo_dir.rglob(f"{kept.key}*"):
        os.utime(path, (old, old))
    result = app.test_cli_runner().invoke(args=["photos", "sweep"])
    assert result.exit_code == 0 and "Removed the files of 1 unused photo." in result.output
    names = {p.name for p in stored_files(photo_dir)}
    assert names == {f"{kept.key}.display", f"{kept.key}.thumb", f"{'cd' * 16}.display"}
    assert "photo-sweep" in TASKS
    assert TASKS["photo-sweep"].run().startswith("0 ")


def _opening(thread):
    from forum.threads.services import opening_post

    return opening_post(thread)


@pytest.mark.parametrize("mode", ["keep", "erase"])
def test_deleting_an_account_deletes_its_photos_and_files(app, photo_dir, mode):
    author = make_user("leaving")
    thread = make_thread(author, title="My whole course in photos")
    make_photo(_opening(thread), visibility="everyone")
    reply = make_post(thread, make_user("friend"), body="Great progress!")
    make_photo(reply, visibility="members")  # another member's photo stays
    db.session.commit()
    assert len(stored_files(photo_dir)) == 4
    purge_account(author, mode=mode)
    db.session.commit()
    assert db.session.scalar(select(func.count(Photo.id))) == 1
    assert len(stored_files(photo_dir)) == 2
    assert db.session.get(Post, _opening(thread).id).photo_count == 0


def test_the_export_lists_the_members_photos_with_their_files(app):
    author = make_user("exporter")
    thread = make_thread(author, title="Exporting my photos")
    photo = make_photo(_opening(thread), visibility="members")
    db.session.commit()
    response = login(app.test_client(), author).post("/settings/data")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    listed = json.loads(archive.read("photos.json"))
    assert [p["id"] for p in listed] == [photo.id]
    assert listed[0]["visibility"] == "members" and "key" not in json.dumps(listed)
    data = archive.read(listed[0]["file"])
    assert data.startswith(b"RIFF") and b"GPS" not in data


def _post_entry(client, photo: tuple[bytes, str], **fields):
    """Today's journal entry with one photo attached, as the entry form sends it."""
    data, name = photo
    form = {"date": time.strftime("%Y-%m-%d", time.gmtime()), "skin": "3", "mood": "4"}
    form |= {**fields, "photos": [(io.BytesIO(data), name)]}
    return client.post("/journal/entries", data=form, content_type="multipart/form-data")


def test_a_journal_entry_takes_photos_seen_as_the_entry_is(app, photo_dir):
    author, reader = make_user("diarist"), make_user("curious")
    db.session.commit()
    writer = login(app.test_client(), author)
    assert writer.post("/journal/settings", data={"visibility": "members"}).status_code == 302
    response = _post_entry(writer, (images.camera_jpeg(), "today.jpg"), photo_visibility="members")
    assert response.status_code == 302
    photo = db.session.scalar(select(Photo))
    assert photo.journal_entry_id is not None and photo.post_id is None
    assert f"/photos/{photo.id}/thumb" in writer.get("/journal").get_data(as_text=True)
    other = login(app.test_client(), reader)
    assert f"/photos/{photo.id}/thumb" in other.get("/u/diarist/journal").get_data(as_text=True)
    assert other.get(f"/photos/{photo.id}").status_code == 200
    assert app.test_client().get(f"/photos/{photo.id}").status_code == 404


def test_a_refused_journal_photo_keeps_the_note(app, photo_dir):
    author = make_user("noter")
    db.session.commit()
    writer = login(app.test_client(), author)
    response = _post_entry(writer, (images.huge_png(), "huge.png"), note="A note worth keeping.")
    assert response.status_code == 413
    assert "A note worth keeping." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Photo.id))) == 0 and stored_files(photo_dir) == []


def _thread_with(replies: int, photos_each: int):
    thread = make_thread(make_user(), title=f"Thread with {replies} replies")
    for n in range(replies):
        reply = make_post(thread, make_user(), body=f"Reply {n}")
        for _ in range(photos_each):
            make_photo(reply, visibility="everyone")
    db.session.commit()
    return thread.id


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_thread_page_costs_the_same_whatever_its_photos(app, count_queries, signed_in):
    small, large = _thread_with(1, 1), _thread_with(6, 2)
    client = app.test_client()
    if signed_in:
        login(client, make_user("counter"))
        db.session.commit()
    client.get(f"/t/{small}"), client.get(f"/t/{large}")  # the same state of every cache
    counts = []
    for thread_id in (small, large):
        with count_queries() as log:
            assert client.get(f"/t/{thread_id}").status_code == 200
        counts.append(log.count)
    assert counts[0] == counts[1], counts
