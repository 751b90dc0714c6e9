"""Who sees a photo (issue #15): the serving route asks the one rule on every request, and
no shared HTML (the signed-out page cache, the members' shared tree) carries a photo that
another reader may not see."""

import pytest

from forum import cache
from forum.extensions import db
from forum.models import Photo
from tests.conftest import login
from tests.factories import make_photo, make_post, make_thread, make_user, set_post_status


@pytest.fixture
def people(app):
    people = {name: make_user(name) for name in ("starter", "author", "reader")}
    db.session.commit()
    return people


@pytest.fixture
def reply(people):
    thread = make_thread(people["starter"], title="Photos of month three")
    reply = make_post(thread, people["author"], body="Here is how my skin looks now.")
    db.session.commit()
    return reply


def photo_on(reply, visibility: str) -> int:
    photo = make_photo(reply, visibility=visibility)
    db.session.commit()
    return photo.id


def status_for(app, user, path: str) -> int:
    client = app.test_client()
    if user is not None:
        login(client, user)
    return client.get(path).status_code


def page_for(app, user, thread_id: int) -> str:
    client = app.test_client()
    if user is not None:
        login(client, user)
    db.session.remove()
    return client.get(f"/t/{thread_id}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("visibility", "anon", "reader", "author"),
    [("private", 404, 404, 200), ("members", 404, 200, 200), ("everyone", 200, 200, 200)],
)
def test_each_visibility_serves_whom_it_says(app, people, reply, visibility, anon, reader, author):
    photo_id = photo_on(reply, visibility)
    for path in (f"/photos/{photo_id}", f"/photos/{photo_id}/thumb"):
        assert status_for(app, None, path) == anon
        assert status_for(app, people["reader"], path) == reader
        assert status_for(app, people["author"], path) == author


def test_only_a_photo_anyone_may_see_may_be_cached_by_others(app, people, reply):
    public, members = photo_on(reply, "everyone"), photo_on(reply, "members")
    anon = app.test_client().get(f"/photos/{public}")
    assert anon.headers["Cache-Control"].startswith("public")
    member = login(app.test_client(), people["reader"]).get(f"/photos/{members}")
    assert member.headers["Cache-Control"].startswith("private")


def test_hiding_the_post_hides_its_photos_at_once(app, people, reply):
    photo_id = photo_on(reply, "everyone")
    thread_id = reply.thread_id
    assert f"/photos/{photo_id}/thumb" in page_for(app, None, thread_id)
    set_post_status(reply, "hidden", reason="Personal details.")
    db.session.commit()
    assert status_for(app, None, f"/photos/{photo_id}") == 404
    assert status_for(app, people["reader"], f"/photos/{photo_id}") == 404
    assert f"/photos/{photo_id}" not in page_for(app, None, thread_id)
    assert f"/photos/{photo_id}" not in page_for(app, people["reader"], thread_id)


def test_deleting_the_post_hides_its_photos(app, people, reply):
    photo_id = photo_on(reply, "everyone")
    client = login(app.test_client(), people["author"])
    assert client.post(f"/p/{reply.id}/delete").status_code == 302
    for user in (None, people["reader"], people["author"]):
        assert status_for(app, user, f"/photos/{photo_id}") == 404
    # Its author deleted it: the photo and its files are gone, not only hidden.
    assert db.session.get(Photo, photo_id) is None
    assert _files(app) == []


def _files(app):
    from pathlib import Path

    return [p for p in Path(app.config["PHOTO_DIR"]).rglob("*") if p.is_file()]


def test_a_photo_in_a_members_only_thread_is_never_public(app, people):
    thread = make_thread(people["author"], title="Members only photos")
    thread.visibility = "members"
    db.session.commit()
    from forum.threads.services import opening_post

    photo_id = photo_on(opening_post(thread), "everyone")
    assert status_for(app, None, f"/photos/{photo_id}") == 404
    assert status_for(app, people["reader"], f"/photos/{photo_id}") == 200


def test_a_private_photo_never_reaches_another_readers_page(app, people, reply):
    """Whoever reads first, the members' shared tree never carries the private photo, and
    its author still sees it on their own page."""
    thread_id = reply.thread_id
    private = photo_on(reply, "private")
    link = f"/photos/{private}"
    assert app.config["TREE_CACHE_SECONDS"]  # the shared tree is in use
    assert link not in page_for(app, people["reader"], thread_id)  # stores the shared tree
    assert link in page_for(app, people["author"], thread_id)
    assert link not in page_for(app, people["reader"], thread_id)
    assert link not in page_for(app, people["starter"], thread_id)
    assert link not in page_for(app, None, thread_id)


def test_a_private_photo_stays_out_when_its_author_reads_first(app, people, reply):
    thread_id = reply.thread_id
    private = photo_on(reply, "private")
    assert f"/photos/{private}" in page_for(app, people["author"], thread_id)
    assert f"/photos/{private}" not in page_for(app, people["reader"], thread_id)
    assert f"/photos/{private}" not in page_for(app, None, thread_id)


def test_members_photos_stay_out_of_the_signed_out_page_cache(app, make_app, tmp_path, people):
    cached = make_app()
    cached.config.update(ANON_CACHE_SECONDS=60, REDIS_URL="", PHOTO_DIR=app.config["PHOTO_DIR"])
    cached.instance_path = str(tmp_path)
    cache.init_store(cached)
    thread = make_thread(people["starter"], title="Month four progress")
    reply = make_post(thread, people["author"], body="Clearer every week.")
    db.session.commit()
    members, public = photo_on(reply, "members"), photo_on(reply, "everyone")
    thread_id = thread.id
    db.session.remove()
    reader = login(cached.test_client(), people["reader"])
    assert f"/photos/{members}" in reader.get(f"/t/{thread_id}").get_data(as_text=True)
    outsider = cached.test_client()
    first = outsider.get(f"/t/{thread_id}")
    again = outsider.get(f"/t/{thread_id}")
    assert again.headers["X-Cache"] == "hit"
    for response in (first, again):
        page = response.get_data(as_text=True)
        assert f"/photos/{members}" not in page and f"/photos/{public}/thumb" in page


def test_removing_a_photo_purges_the_signed_out_page(app, make_app, tmp_path, people, moderator):
    cached = make_app()
    cached.config.update(ANON_CACHE_SECONDS=60, REDIS_URL="", PHOTO_DIR=app.config["PHOTO_DIR"])
    cached.instance_path = str(tmp_path)
    cache.init_store(cached)
    thread = make_thread(people["starter"], title="Month five progress")
    reply = make_post(thread, people["author"], body="Almost clear.")
    db.session.commit()
    public = photo_on(reply, "everyone")
    from forum.moderation import services as moderation
    from forum.moderation.services.items import pending_item

    moderation.report_post(reply, people["reader"], "personal_info", "Shows a face.")
    db.session.commit()
    thread_id, item_id = thread.id, pending_item(reply).id
    db.session.remove()
    outsider = cached.test_client()
    assert f"/photos/{public}" in outsider.get(f"/t/{thread_id}").get_data(as_text=True)
    assert outsider.get(f"/t/{thread_id}").headers["X-Cache"] == "hit"
    staff = login(cached.test_client(), moderator)
    db.session.remove()
    removed = staff.post(f"/mod/items/{item_id}/photos/{public}/remove", data={"reason": "A face."})
    assert removed.status_code == 302
    db.session.remove()
    assert f"/photos/{public}" not in outsider.get(f"/t/{thread_id}").get_data(as_text=True)
