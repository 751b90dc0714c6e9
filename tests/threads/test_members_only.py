"""Members-only threads (issue #13): outsiders get a teaser; members read it all."""

from forum import cache
from forum.extensions import db
from forum.models import Audience, Thread
from forum.threads.audience import set_audience
from tests.conftest import login
from tests.factories import make_post, make_tag, make_thread, make_user

OPENING = "Week six and my lips crack every morning. " * 10  # well over 200 characters


def members_thread():
    author = make_user("quietauthor")
    thread = make_thread(author, title="Lips cracking on week six", body=OPENING)
    set_audience(thread, Audience.MEMBERS)
    reply = make_post(thread, make_user("kindreplier"), body="Try a lanolin balm at night.")
    db.session.commit()
    return thread, reply


def text(response) -> str:
    return response.get_data(as_text=True)


def results(response) -> str:
    """The results of a search page (the query box repeats what was typed)."""
    return text(response).partition('class="plain-list search-results"')[2]


def test_signed_out_readers_get_only_the_teaser(client):
    thread, reply = members_thread()
    response = client.get(f"/t/{thread.id}")
    html = text(response)
    assert response.status_code == 200
    assert "Lips cracking on week six" in html and "Dryness" in html
    assert OPENING[:150] in html and OPENING.strip() not in html
    assert "quietauthor" not in html and "kindreplier" not in html
    assert "lanolin" not in html
    assert '<meta name="robots" content="noindex">' in html
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert "no-store" in response.headers["Cache-Control"]


def test_a_reply_permalink_leads_signed_out_readers_to_the_teaser(client):
    thread, reply = members_thread()
    response = client.get(f"/p/{reply.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/t/{thread.id}/{thread.slug}")
    assert "lanolin" not in text(client.get(response.headers["Location"]))
    assert client.get(f"/p/{reply.id}/history").status_code == 404


def test_members_read_the_whole_thread(app, client):
    thread, reply = members_thread()
    reader = login(app.test_client(), make_user("reader"))
    html = text(reader.get(f"/t/{thread.id}"))
    assert "lanolin" in html and "quietauthor" in html and OPENING.strip() in html
    assert 'content="noindex"' in html


def test_members_only_threads_stay_out_of_lists_feeds_and_search(client):
    members_thread()
    for path in ("/", "/tags/dryness", "/feeds/latest.atom", "/feeds/tags/dryness.atom"):
        assert "Lips cracking" not in text(client.get(path)), path
    assert "lanolin" not in results(client.get("/search?q=lanolin"))
    assert "Lips cracking" not in results(client.get("/search?q=cracking"))
    assert "Lips cracking" not in text(client.get("/u/quietauthor"))


def test_signed_in_members_find_members_only_threads_in_the_lists(app, make_app, tmp_path):
    cached = make_app()
    cached.config.update(ANON_CACHE_SECONDS=60, REDIS_URL="")
    cached.instance_path = str(tmp_path)
    cache.init_store(cached)
    members_thread()
    member = make_user("reader")
    db.session.commit()
    reader = login(cached.test_client(), member)
    db.session.remove()
    outsider = cached.test_client()
    for path in ("/", "/tags/dryness"):
        assert "Lips cracking" not in text(outsider.get(path)), path
        assert "Lips cracking" in text(reader.get(path)), path
        again = outsider.get(path)  # what the member saw reached no signed-out reader
        assert again.headers["X-Cache"] == "hit" and "Lips cracking" not in text(again), path
    for path in ("/feeds/latest.atom", "/feeds/tags/dryness.atom"):
        assert "Lips cracking" not in text(reader.get(path)), path


def test_the_page_cache_never_keeps_or_serves_a_members_only_thread(app, make_app, tmp_path):
    cached = make_app()
    cached.config.update(ANON_CACHE_SECONDS=60, REDIS_URL="")
    cached.instance_path = str(tmp_path)
    cache.init_store(cached)
    author = make_user("quietauthor")
    thread = make_thread(author, title="Lips cracking on week six", body=OPENING)
    make_post(thread, make_user("kindreplier"), body="Try a lanolin balm at night.")
    db.session.commit()
    thread_id, title, post_id = thread.id, thread.title, opening_post_id(thread)
    db.session.remove()
    outsider = cached.test_client()
    first = outsider.get(f"/t/{thread_id}")
    assert "lanolin" in text(first) and first.headers["X-Cache"] == "miss"
    assert outsider.get(f"/t/{thread_id}").headers["X-Cache"] == "hit"

    writer = login(cached.test_client(), author)
    db.session.remove()
    response = writer.post(
        f"/p/{post_id}/edit", data={"title": title, "body": OPENING, "visibility": "members"}
    )
    assert response.status_code == 302
    for _ in range(2):
        teaser = outsider.get(f"/t/{thread_id}")
        assert "lanolin" not in text(teaser) and teaser.headers.get("X-Cache") != "hit"


def opening_post_id(thread) -> int:
    from sqlalchemy import select

    from forum.models import Post

    return db.session.scalar(
        select(Post.id).where(Post.thread_id == thread.id, Post.parent_id.is_(None))
    )


def test_the_author_chooses_members_only_when_posting(app, client):
    author = make_user("quietauthor")
    make_tag("dryness")
    db.session.commit()
    writer = login(app.test_client(), author)
    form = text(writer.get("/t/new"))
    assert 'name="visibility"' in form and 'value="members"' in form
    response = writer.post(
        "/t/new",
        data={
            "title": "Only for members",
            "body": "Private-ish.",
            "tags": ["dryness"],
            "visibility": "members",
        },
    )
    assert response.status_code == 302
    thread = db.session.query(Thread).filter_by(title="Only for members").one()
    assert thread.visibility == Audience.MEMBERS
    assert "quietauthor" not in text(client.get(f"/t/{thread.id}"))
    bad = writer.post(
        "/t/new",
        data={"title": "Another one", "body": "Text.", "tags": ["dryness"], "visibility": "x"},
    )
    assert bad.status_code == 422 and "Choose everyone or members only." in text(bad)


def test_going_public_again_asks_the_author_to_confirm(app, client):
    thread, reply = members_thread()
    writer = login(app.test_client(), thread.author)
    post_id = opening_post_id(thread)
    data = {"title": thread.title, "body": OPENING, "visibility": "everyone"}
    refused = writer.post(f"/p/{post_id}/edit", data=data)
    assert refused.status_code == 409
    assert "1 reply written while this thread was for members only" in text(refused)
    assert 'name="confirm_public"' in text(refused)
    assert db.session.get(Thread, thread.id).visibility == Audience.MEMBERS
    assert "lanolin" not in text(client.get(f"/t/{thread.id}"))

    done = writer.post(f"/p/{post_id}/edit", data={**data, "confirm_public": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).visibility == Audience.EVERYONE
    assert "lanolin" in text(client.get(f"/t/{thread.id}"))
    assert "lanolin" in results(client.get("/search?q=lanolin"))
