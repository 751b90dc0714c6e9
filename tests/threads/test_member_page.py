"""The whole thread page shared by members (issue #17): each member's page is exactly what a
fresh render for them gives, in two queries; a new reply, a mark or a moderator's action
shows at once; and whoever sees more than other members gets their own page."""

import re

import pytest

from forum.extensions import db
from forum.models import Post
from forum.moderation import services as moderation
from forum.threads.views.support import CRISIS_PANEL_KEY
from tests.conftest import login
from tests.factories import make_post
from tests.threads.shared_tree import make_people, make_shared_thread

pytestmark = pytest.mark.usefixtures("shipped_tags")


@pytest.fixture(autouse=True)
def shared_pages(app, monkeypatch):
    monkeypatch.setitem(app.config, "MEMBER_PAGE_SECONDS", 10)
    monkeypatch.setitem(app.config, "TREE_CACHE_SECONDS", 60)


@pytest.fixture
def people(app):
    return make_people()


@pytest.fixture
def thread(people):
    return make_shared_thread(people, "Whole page thread")


def without_tokens(html: str) -> str:
    return re.sub(r'name="(csrf_token|nonce)"( type="hidden")? value="[^"]+"', "", html)


def signed_in(app, person):
    client = login(app.test_client(), person)
    client.get("/settings")  # takes the login's welcome message
    return client


def read(client, thread, query=""):
    response = client.get(f"/t/{thread.id}/{thread.slug}{query}")
    assert response.status_code == 200
    return response, response.get_data(as_text=True)


def post_id(thread, body: str) -> int:
    return db.session.scalar(
        db.select(Post.id).where(Post.thread_id == thread.id, Post.body == body)
    )


@pytest.mark.parametrize("reader", ["starter", "alice", "bea", "cal"])
def test_each_member_gets_exactly_the_page_a_fresh_render_gives(app, people, thread, reader):
    read(signed_in(app, people["cal" if reader != "cal" else "bea"]), thread)  # stored
    member = signed_in(app, people[reader])
    response, shared = read(member, thread)
    assert response.headers["X-Member-Page"] == "shared"
    app.config["MEMBER_PAGE_SECONDS"] = 0
    _, fresh = read(member, thread)
    assert "X-Member-Page" not in _.headers
    assert without_tokens(shared) == without_tokens(fresh)


def test_a_members_own_posts_marks_watch_and_tokens_are_theirs(app, people, thread, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    alice, bea = signed_in(app, people["alice"]), signed_in(app, people["bea"])
    _, alice_page = read(alice, thread)
    response, bea_page = read(bea, thread)
    assert response.headers["X-Member-Page"] == "shared"
    first = post_id(thread, "Alice writes first.")
    assert f'href="/p/{first}/edit"' in alice_page and f'href="/p/{first}/edit"' not in bea_page
    assert 'aria-pressed="true">Marked helpful (1)' in bea_page
    assert "Marked helpful" not in alice_page
    assert '<span class="account-name">bea</span>' in bea_page and "alice</span>" not in bea_page
    assert "Stop watching" not in bea_page
    # Bea's forms carry Bea's token and a fresh nonce: her reply is taken.
    token = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', bea_page)
    nonce = re.search(r'id="nonce" name="nonce" type="hidden" value="([^"]+)"', bea_page)
    assert "stand-in" not in bea_page
    sent = bea.post(
        f"/t/{thread.id}/reply",
        data={"body": "Bea again.", "nonce": nonce.group(1), "csrf_token": token.group(1)},
    )
    assert sent.status_code == 302
    # The new reply changed the thread's state: everyone's next page has it. Bea now
    # watches the thread (she replied); Alice does not.
    response, page = read(alice, thread)
    assert "Bea again." in page and "Stop watching" not in page
    response, page = read(bea, thread)
    assert "X-Member-Page" not in response.headers  # she just wrote: her own for a while
    assert "Bea again." in page and "Stop watching" in page


def test_a_new_reply_and_a_mark_show_at_once(app, people, thread):
    alice, cal = signed_in(app, people["alice"]), signed_in(app, people["cal"])
    read(alice, thread)
    read(cal, thread)
    make_post(thread, people["bea"], body="A late reply from Bea.")
    db.session.commit()
    response, page = read(cal, thread)
    assert "A late reply from Bea." in page and "4 replies" in page
    first = post_id(thread, "Alice writes first.")
    assert cal.post(f"/p/{first}/helpful").status_code == 302
    cal.get("/settings")  # takes the message the mark left
    response, page = read(cal, thread)
    assert response.headers["X-Member-Page"] == "shared"
    assert 'aria-pressed="true">Marked helpful (2)' in page
    assert "Stop watching" not in page
    assert cal.post(f"/t/{thread.id}/watch").status_code == 302
    cal.get("/settings")
    response, page = read(cal, thread)
    assert response.headers["X-Member-Page"] == "shared" and "Stop watching" in page
    assert "Stop watching" not in read(alice, thread)[1]


def test_a_reply_a_moderator_hides_leaves_every_members_page_at_once(app, people, thread):
    bea = signed_in(app, people["bea"])
    assert "Cal replies here." in read(bea, thread)[1]
    reply = db.session.get(Post, post_id(thread, "Cal replies here."))
    moderation.report_post(reply, people["mod"], "spam")
    db.session.commit()
    response, page = read(bea, thread)
    assert "Cal replies here." not in page
    assert "[hidden after reports, waiting for a moderator]" in page


def test_the_author_of_a_held_reply_gets_their_own_page(app, people, thread):
    held = make_post(thread, people["cal"], body="Cal waits for review.")
    moderation.hold_post(held)
    db.session.commit()
    assert "Cal waits for review." not in read(signed_in(app, people["bea"]), thread)[1]
    response, page = read(signed_in(app, people["cal"]), thread)
    assert "X-Member-Page" not in response.headers
    assert "Cal waits for review." in page


@pytest.mark.parametrize("query", ["?reply_to={first}", "?sort=helpful", "?page=1", "?x=1"])
def test_only_a_plain_read_is_shared(app, people, thread, query):
    read(signed_in(app, people["bea"]), thread)
    response, _ = read(
        signed_in(app, people["cal"]),
        thread,
        query.format(first=post_id(thread, "Alice writes first.")),
    )
    assert "X-Member-Page" not in response.headers


def test_a_waiting_crisis_panel_is_shown_not_shared(app, people, thread):
    read(signed_in(app, people["bea"]), thread)
    cal = signed_in(app, people["cal"])
    with cal.session_transaction() as session:
        session[CRISIS_PANEL_KEY] = thread.id
    response, page = read(cal, thread)
    assert "X-Member-Page" not in response.headers
    assert 'class="crisis-panel' in page or "crisis" in page


@pytest.mark.parametrize("who", ["mod"])
def test_staff_get_their_own_page(app, people, thread, who):
    read(signed_in(app, people["bea"]), thread)
    response, _ = read(signed_in(app, people[who]), thread)
    assert "X-Member-Page" not in response.headers


def test_a_shared_thread_page_costs_two_queries(app, people, thread, count_queries):
    read(signed_in(app, people["bea"]), thread)
    cal = signed_in(app, people["cal"])
    path = f"/t/{thread.id}/{thread.slug}"
    with count_queries() as log:
        response = cal.get(path)
    assert response.headers["X-Member-Page"] == "shared"
    assert log.count == 2, str(log)  # the session, then the thread's state with the footings


def test_the_first_read_costs_one_query_more_than_before(app, people, thread, count_queries):
    """Nothing stored yet: the thread's state and the footings (read first, to look the page
    up), then the thread and its tree, as a page rendered for one member alone costs."""
    bea = signed_in(app, people["bea"])
    path = f"/t/{thread.id}/{thread.slug}"
    with count_queries() as log:
        response = bea.get(path)
    assert response.headers["X-Member-Page"] == "shared"  # rendered for members, then filled
    assert log.count == 4, str(log)
