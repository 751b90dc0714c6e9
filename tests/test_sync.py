"""The page cache and search follow the rows themselves (issue #10): a change made through
the ORM, with no service and no purge call, shows to a signed-out reader at once and in
search; a rolled-back one changes neither."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from forum import cache
from forum.extensions import db
from forum.models import GuideArticle, Post, PostStatus, Tag, Thread, utcnow
from tests.factories import make_post, make_tag, make_thread, make_user

pytestmark = pytest.mark.usefixtures("shipped_tags")


@pytest.fixture
def site(make_app, tmp_path):
    """A second app with the page cache on, its entries in this process."""
    site = make_app(ANON_CACHE_SECONDS=10)
    site.config["REDIS_URL"] = ""
    site.instance_path = str(tmp_path)
    cache.init_store(site)
    return site


@pytest.fixture
def thread(app):
    author = make_user("storyteller", created_at=utcnow() - timedelta(days=100))
    thread = make_thread(author, title="Month two: dry eyes", body="Opening story.", tags=("mood",))
    make_post(thread, make_user("replier"), body="Eye drops every hour.")
    db.session.commit()
    return thread


def get(site, path):
    db.session.commit()  # the site reads through its own connection
    response = site.test_client().get(path)
    return response.status_code, response.headers.get("X-Cache"), response.get_data(as_text=True)


def primed(site, path) -> str:
    """Fetch ``path`` twice as a signed-out reader, so the page is in the cache."""
    assert get(site, path)[:2] == (200, "miss")
    status, source, html = get(site, path)
    assert (status, source) == (200, "hit")
    return html


def found(site, words: str) -> int:
    html = get(site, f"/search?q={words}")[2]
    return len(re.findall(r'<li class="card search-hit">', html))


def on_the_site(site, change, *args):
    """Run ``change`` on rows loaded in the site's own session, and commit there: the way
    any code of the site writes, with nothing asked of it but the change."""
    ids = [getattr(arg, "id", arg) for arg in args]
    db.session.commit()
    with site.app_context():
        change(*[db.session.get(type(arg), ident) for arg, ident in zip(args, ids, strict=True)])
        db.session.commit()


def reply_of(thread) -> Post:
    return db.session.scalar(
        select(Post).where(Post.thread_id == thread.id, Post.parent_id.is_not(None))
    )


def test_a_post_edited_through_the_orm_shows_at_once_and_in_search(site, thread):
    path = f"/t/{thread.id}"
    assert "Eye drops every hour." in primed(site, path)

    def edit(post):
        post.body = "Gel drops with zucchini oil."
        post.body_html = "<p>Gel drops with zucchini oil.</p>"

    on_the_site(site, edit, reply_of(thread))
    status, source, html = get(site, path)
    assert (status, source) == (200, "miss")
    assert "Gel drops with zucchini oil." in html and "Eye drops every hour." not in html
    assert found(site, "zucchini") == 1 and found(site, "hour") == 0


def test_a_post_hidden_through_the_orm_leaves_the_page_and_search(site, thread):
    path = f"/t/{thread.id}"
    primed(site, path)
    assert found(site, "hour") == 1

    def hide(post):
        post.status = PostStatus.HIDDEN

    on_the_site(site, hide, reply_of(thread))
    html = get(site, path)[2]
    assert "Eye drops every hour." not in html and "[hidden by a moderator]" in html
    assert found(site, "hour") == 0


def test_a_thread_retitled_through_the_orm_shows_at_once_and_in_search(site, thread):
    path = f"/t/{thread.id}"
    primed(site, path)
    assert "Month two: dry eyes" in primed(site, "/tags/mood")

    def retitle(row):
        row.title = "Month three: kumquat eyes"

    on_the_site(site, retitle, thread)
    assert "Month three: kumquat eyes" in get(site, path)[2]
    assert "Month three: kumquat eyes" in get(site, "/tags/mood")[2]
    assert found(site, "kumquat") == 1


def test_a_thread_hidden_through_the_orm_is_gone_from_pages_and_search(site, thread):
    path = f"/t/{thread.id}"
    primed(site, path)
    assert found(site, "hour") == 1 and found(site, "opening") == 1

    def hide(row):
        row.status = PostStatus.HIDDEN

    on_the_site(site, hide, thread)
    assert get(site, path)[0] == 404
    assert found(site, "hour") == 0 and found(site, "opening") == 0


def test_a_thread_locked_through_the_orm_shows_locked_at_once(site, thread):
    path = f"/t/{thread.id}"
    assert "This thread is locked" not in primed(site, path)

    def lock(row):
        row.locked = True

    on_the_site(site, lock, thread)
    assert "This thread is locked" in get(site, path)[2]


def test_a_tag_renamed_through_the_orm_shows_at_once(site, thread):
    assert "Mood and anxiety" not in primed(site, "/tags")
    tag = db.session.scalar(select(Tag).where(Tag.slug == "mood"))

    def rename(row):
        row.name = "Mood and anxiety"

    on_the_site(site, rename, tag)
    assert "Mood and anxiety" in get(site, "/tags")[2]


def test_a_guide_article_changed_through_the_orm_shows_at_once_and_in_search(site):
    article = GuideArticle(
        slug="lip-care",
        title="Lip care",
        summary="Balms and habits.",
        body="Use a balm.",
        body_html="<p>Use a balm.</p>",
        published=True,
        tags=[make_tag("dryness")],
    )
    db.session.add(article)
    db.session.commit()
    assert found(site, "balm") == 1
    assert "Use a balm." in primed(site, "/guide/lip-care")

    def rewrite(row):
        row.body = "Use a quince ointment."
        row.body_html = "<p>Use a quince ointment.</p>"

    on_the_site(site, rewrite, article)
    html = get(site, "/guide/lip-care")[2]
    assert "Use a quince ointment." in html and "Use a balm." not in html
    assert found(site, "quince") == 1


def test_a_rolled_back_change_purges_nothing_and_indexes_nothing(site, thread):
    path = f"/t/{thread.id}"
    primed(site, path)
    post_id, thread_id = reply_of(thread).id, thread.id
    db.session.commit()
    with site.app_context():
        post = db.session.get(Post, post_id)
        post.body_html = "<p>Walrus words never kept.</p>"
        db.session.get(Thread, thread_id).title = "A walrus title never kept"
        db.session.flush()  # the documents are written, in this transaction
        db.session.rollback()
        db.session.commit()
    status, source, html = get(site, path)
    assert (status, source) == (200, "hit") and "Eye drops every hour." in html
    assert found(site, "walrus") == 0 and found(site, "hour") == 1


def test_a_released_savepoint_purges_only_after_the_commit(site, thread):
    path = f"/t/{thread.id}"
    primed(site, path)
    post_id = reply_of(thread).id
    db.session.commit()
    with site.app_context():
        with db.session.begin_nested():
            db.session.get(Post, post_id).body_html = "<p>Changed inside a savepoint.</p>"
        # Released, not committed: other readers still get the page as it was.
        assert site.test_client().get(path).headers["X-Cache"] == "hit"
        db.session.commit()
    status, source, html = get(site, path)
    assert source == "miss" and "Changed inside a savepoint." in html


def test_a_rolled_back_savepoint_keeps_the_purge_of_the_transaction_around_it(site, thread):
    path = f"/t/{thread.id}"
    primed(site, path)
    post_id, thread_id = reply_of(thread).id, thread.id
    db.session.commit()
    with site.app_context():
        db.session.get(Post, post_id).body_html = "<p>Kept, outside the savepoint.</p>"
        db.session.flush()
        savepoint = db.session.begin_nested()
        db.session.get(Thread, thread_id).title = "Undone inside the savepoint"
        db.session.flush()
        savepoint.rollback()
        db.session.commit()
    html = get(site, path)[2]
    assert "Kept, outside the savepoint." in html and "Undone inside" not in html


def test_a_bulk_update_through_the_session_is_followed_too(site, thread):
    path = f"/t/{thread.id}"
    primed(site, path)
    post_id = reply_of(thread).id
    db.session.commit()
    with site.app_context():
        db.session.execute(
            update(Post).where(Post.id == post_id).values(body_html="<p>Bulk walrus text.</p>")
        )
        db.session.commit()
    status, source, html = get(site, path)
    assert source == "miss" and "Bulk walrus text." in html
    assert found(site, "walrus") == 1 and found(site, "hour") == 0


def test_counters_moved_in_sql_purge_nothing_as_before(site, thread):
    """A helpful mark only moves counters: readers may see it ANON_CACHE_SECONDS late."""
    path = f"/t/{thread.id}"
    primed(site, path)
    post_id = reply_of(thread).id
    db.session.commit()
    posts = Post.__table__
    with site.app_context():
        db.session.execute(
            update(posts)
            .where(posts.c.id == post_id)
            .values(helpful_count=posts.c.helpful_count + 1)
        )
        db.session.commit()
    assert get(site, path)[1] == "hit"
