"""The home page and topic lists rendered once for every member (issue #17): each member's
page is exactly what a fresh render for them gives, their menu and tokens are their own,
their own writes show at once, and staff, unconfirmed members and pending messages never
get the shared page."""

import re

import pytest

from forum.extensions import db
from forum.models import Notification, Thread
from tests.conftest import login
from tests.factories import make_thread, make_user

pytestmark = pytest.mark.usefixtures("shipped_tags")
PAGES = ["/", "/tags/dryness"]


@pytest.fixture(autouse=True)
def shared_pages(app, monkeypatch):
    monkeypatch.setitem(app.config, "MEMBER_PAGE_SECONDS", 10)


@pytest.fixture
def people(app):
    people = {name: make_user(name) for name in ("ann", "ben")}
    people["unconfirmed"] = make_user("unconfirmed", verified=False)
    people["mod"] = make_user("mod", role="moderator")
    db.session.commit()
    make_thread(people["ann"], title="Week six: the lips crack less", tags=("dryness",))
    db.session.commit()
    return people


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token"( type="hidden")? value="[^"]+"', "", html)


def page(client, path="/"):
    response = client.get(path)
    assert response.status_code == 200
    return response, response.get_data(as_text=True)


def settled(client) -> None:
    """Take the login's welcome message, which keeps a page from being shared."""
    client.get("/settings")


def signed_in(app, person):
    client = login(app.test_client(), person)
    settled(client)
    return client


@pytest.mark.parametrize("path", PAGES)
def test_each_member_gets_exactly_the_page_a_fresh_render_gives(app, people, path):
    ann, ben = signed_in(app, people["ann"]), signed_in(app, people["ben"])
    first, _ = page(ann, path)
    assert first.headers["X-Member-Page"] == "shared"  # rendered for a member, then filled
    response, shared = page(ben, path)
    assert response.headers["X-Member-Page"] == "shared"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "Week six: the lips crack less" in shared
    assert '<span class="account-name">ben</span>' in shared
    assert "ann</span>" not in shared and '/u/ann"' not in shared.split("</header>")[0]
    app.config["MEMBER_PAGE_SECONDS"] = 0
    _, fresh = page(ben, path)
    assert without_tokens(shared) == without_tokens(fresh)


def test_the_menu_counts_and_tokens_are_the_members_own(app, people, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    db.session.add(Notification(user_id=people["ben"].id, kind="warning", message="For Ben"))
    db.session.commit()
    ann, ben = signed_in(app, people["ann"]), signed_in(app, people["ben"])
    _, ann_page = page(ann)
    response, ben_page = page(ben)
    assert response.headers["X-Member-Page"] == "shared"
    assert 'aria-label="1 unread"' in ben_page and "unread" not in ann_page
    # Ben's logout form carries Ben's token: it works, and only for Ben.
    token = re.search(r'action="/logout".*?name="csrf_token" value="([^"]+)"', ben_page, re.S)
    assert ben.post("/logout", data={"csrf_token": token.group(1)}).status_code == 302
    assert ann.post("/logout", data={"csrf_token": token.group(1)}).status_code == 400
    _, after = page(ben)
    assert "Log in" in after and "account-name" not in after
    assert "account-name" in page(ann)[1]


def test_a_member_sees_their_own_new_thread_at_once(app, people):
    ann, ben = signed_in(app, people["ann"]), signed_in(app, people["ben"])
    page(ann)
    page(ben)  # both have been served the stored page
    response = ben.post(
        "/t/new",
        data={
            "title": "Ben's second month",
            "body": "Lips again.",
            "tags": ["dryness"],
            "stage": "on_treatment",
            "treatment_month": "2",
            "daily_dose_mg": "30",
            "nonce": "member-pages-nonce",
        },
    )
    assert response.status_code == 302
    settled(ben)
    response, html = page(ben)
    assert "X-Member-Page" not in response.headers  # rendered for Ben alone, for a while
    assert "Ben&#39;s second month" in html


def test_an_edit_reaches_every_members_list_at_once(app, people):
    ann, ben = signed_in(app, people["ann"]), signed_in(app, people["ben"])
    page(ann)
    thread = db.session.scalar(db.select(Thread).where(Thread.title.like("Week six%")))
    thread.title = "Week six, renamed"
    db.session.commit()  # the page cache's generation moves on: the stored page is gone
    response, html = page(ben)
    assert response.headers["X-Member-Page"] == "shared"
    assert "Week six, renamed" in html and "the lips crack less" not in html


@pytest.mark.parametrize("who", ["mod", "unconfirmed"])
def test_staff_and_unconfirmed_members_get_their_own_page(app, people, who):
    page(signed_in(app, people["ann"]))  # the shared page is stored
    response, html = page(signed_in(app, people[who]))
    assert "X-Member-Page" not in response.headers
    if who == "mod":
        assert 'href="/mod/queue"' in html
    else:
        assert "Please confirm your email address" in html
        assert 'href="/t/new"' not in html


def test_a_pending_message_is_shown_not_shared(app, people):
    page(signed_in(app, people["ann"]))
    ben = login(app.test_client(), people["ben"])
    with ben.session_transaction() as session:
        session["_flashes"] = [("success", "Saved for Ben.")]
    response, html = page(ben)
    assert "X-Member-Page" not in response.headers and "Saved for Ben." in html
    response, html = page(ben)
    assert response.headers["X-Member-Page"] == "shared" and "Saved for Ben." not in html


def test_a_shared_page_costs_one_query(app, people, count_queries):
    ann, ben = signed_in(app, people["ann"]), signed_in(app, people["ben"])
    for path in PAGES:
        page(ann, path)
        with count_queries() as log:
            response, _ = page(ben, path)
        assert response.headers["X-Member-Page"] == "shared"
        assert log.count == 1, str(log)  # the session, its member and their counts
