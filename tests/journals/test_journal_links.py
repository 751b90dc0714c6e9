"""Where a shared treatment journal is linked (issue #14): the member's profile and their
posts, for exactly the readers the journal rule lets in, and never from a stale cached page."""

import pytest

from forum import cache
from forum.extensions import db
from forum.journals import services
from tests.conftest import login
from tests.factories import make_post, make_thread, make_user

pytestmark = pytest.mark.usefixtures("shipped_tags")


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def cached_site(make_app, tmp_path):
    """An app with the page cache on, its entries in this process."""
    site = make_app(ANON_CACHE_SECONDS=10)
    site.config["REDIS_URL"] = ""
    site.instance_path = str(tmp_path)
    cache.init_store(site)
    return site


def test_the_profile_links_a_shared_journal_to_those_who_may_read_it(app, cached_site):
    owner, someone = make_user("sharer"), make_user("reader")
    services.update_settings(owner, visibility="members", contribute=False)
    db.session.commit()
    link = 'href="/u/sharer/journal"'
    anon = cached_site.test_client()
    assert link not in text(anon.get("/u/sharer"))
    reader = login(cached_site.test_client(), someone)
    assert link in text(reader.get("/u/sharer"))
    mine = login(cached_site.test_client(), owner)
    assert mine.post("/journal/settings", data={"visibility": "everyone"}).status_code == 302
    assert link in text(anon.get("/u/sharer"))  # the cached profile followed the change
    assert mine.post("/journal/settings", data={"visibility": "private"}).status_code == 302
    assert link not in text(anon.get("/u/sharer"))
    assert link not in text(reader.get("/u/sharer"))
    assert link in text(mine.get("/u/sharer"))


def test_posts_link_their_authors_shared_journal(app, cached_site):
    owner, someone = make_user("sharer"), make_user("reader")
    thread = make_thread(someone, title="Week three", body="How is everyone?", tags=("dryness",))
    make_post(thread, owner, body="Lips are the worst part.")
    services.update_settings(owner, visibility="members", contribute=False)
    db.session.flush()
    path = f"/t/{thread.id}"
    db.session.commit()  # nothing of this test's holds the write lock from here on
    link = 'href="/u/sharer/journal"'
    anon = cached_site.test_client()
    assert link not in text(anon.get(path))
    reader = login(cached_site.test_client(), someone)
    assert text(reader.get(path)).count(link) == 1  # on the reply, not on reader's opening post
    mine = login(cached_site.test_client(), owner)
    assert text(mine.get(path)).count(link) == 1
    assert mine.post("/journal/settings", data={"visibility": "everyone"}).status_code == 302
    assert link in text(anon.get(path))
    assert mine.post("/journal/settings", data={"visibility": "private"}).status_code == 302
    assert link not in text(anon.get(path))
    assert link not in text(reader.get(path))
    assert link not in text(mine.get(path))  # a private journal is reached from /journal
