"""Every link on the main pages leads to a route (issue #10): each ``href``, ``action`` and
``formaction`` that points into the site matches a rule of ``app.url_map``, for the method
it is followed with (GET for links, POST for the forms that post)."""

from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from forum.extensions import db
from forum.guide.services import load_shipped_guide
from forum.models import GuideArticle, ReviewItem, Role, utcnow
from forum.moderation import services as moderation
from forum.tags.services import load_shipped_tags
from forum.threads import services
from tests.conftest import login
from tests.factories import make_post, make_thread, make_user

PAGE = "http://localhost/"


@dataclass(frozen=True)
class Link:
    attribute: str  # href, action or formaction
    value: str
    method: str  # GET or POST


class _Links(HTMLParser):
    """Every href, action and formaction, with the method each is followed with."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str | None, str | None]] = []
        self.form_methods: dict[str, str] = {}
        self.open_forms: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            method = (attrs.get("method") or "get").upper()
            self.open_forms.append(method)
            if attrs.get("id"):
                self.form_methods[attrs["id"]] = method
            if "action" in attrs:
                self.found.append(("action", attrs["action"], method, None))
        if "href" in attrs:
            self.found.append(("href", attrs["href"], "GET", None))
        if "formaction" in attrs:
            enclosing = self.open_forms[-1] if self.open_forms else None
            method = (attrs.get("formmethod") or "").upper() or enclosing
            self.found.append(("formaction", attrs["formaction"], method, attrs.get("form")))

    def handle_endtag(self, tag):
        if tag == "form" and self.open_forms:
            self.open_forms.pop()

    def links(self) -> list[Link]:
        return [
            Link(attribute, value, self.form_methods.get(form, method) if form else method)
            for attribute, value, method, form in self.found
        ]


def links_of(html: str) -> list[Link]:
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.links()


def into_site(app, page_url: str, link: Link) -> str | None:
    """The path ``link`` leads to when it points into this site, else None."""
    target = urlsplit(urljoin(page_url, link.value))
    if target.scheme not in ("http", "https"):
        return None  # mailto: and the like
    ours = {urlsplit(PAGE).netloc, urlsplit(app.config["BASE_URL"]).netloc}
    if target.netloc not in ours:
        return None
    return target.path


def broken_links(app, page_url: str, html: str) -> tuple[int, list[str]]:
    """(how many links point into the site, those that match no rule)."""
    adapter = app.url_map.bind("localhost")
    checked, broken = 0, []
    for link in links_of(html):
        path = into_site(app, page_url, link)
        if path is None:
            continue
        checked += 1
        try:
            adapter.match(path, method=link.method)
        except (NotFound, MethodNotAllowed, RequestRedirect) as exc:
            broken.append(f"{link.attribute}={link.value!r} ({link.method}): {type(exc).__name__}")
    return checked, broken


@pytest.fixture
def world(app, monkeypatch):
    """A thread with everything its page can show, and a moderation queue and log."""
    # Small pages and a shallow tree, so a few posts give a second page and a subtree.
    monkeypatch.setitem(app.config, "THREAD_PAGE_SIZE", 3)
    monkeypatch.setitem(app.config, "THREAD_VISIBLE_DEPTH", 2)
    load_shipped_tags()
    load_shipped_guide()
    old = utcnow() - timedelta(days=100)
    author = make_user("linkauthor", created_at=old)
    reader = make_user("linkreader", created_at=old)
    mod = make_user("linkmod", role=Role.MODERATOR, created_at=old)
    thread = make_thread(author, title="Links on a busy thread", tags=("dryness", "mood"))
    first = make_post(thread, reader, body="The reader replies.")
    answer = make_post(thread, author, parent=first, body="The author answers.")
    services.edit_post(answer, author, body="The author answers, edited.")
    make_post(thread, reader, parent=answer, body="Below the visible depth.")
    held = make_post(thread, author, body="Waiting for review.")
    moderation.hold_post(held)
    reported = make_post(thread, reader, body="Reported, still waiting.")
    moderation.report_post(reported, author, "spam")
    removed = make_post(thread, reader, body="Removed by a moderator.")
    moderation.report_post(removed, author, "spam")
    db.session.flush()
    decided = db.session.scalar(db.select(ReviewItem).where(ReviewItem.post_id == removed.id))
    moderation.act_on_item(decided, mod, "remove", "Spam.")
    item = db.session.scalar(db.select(ReviewItem).where(ReviewItem.post_id == reported.id))
    article = db.session.scalar(db.select(GuideArticle).order_by(GuideArticle.slug))
    db.session.commit()
    thread_path = f"/t/{thread.id}/{thread.slug}"
    return {
        "people": {"author": author, "reader": reader, "mod": mod},
        "thread": thread_path,
        "pages": {
            "anon": [
                "/",
                "/tags/dryness",
                thread_path,
                f"{thread_path}?page=2",
                "/guide",
                f"/guide/{article.slug}",
                "/search?q=reader",
            ],
            "reader": [
                thread_path,
                thread_path,  # again: now from the members' shared tree
                f"{thread_path}?reply_to={first.id}",
                f"{thread_path}?root={answer.id}",
                f"{thread_path}?page=2",
                "/search?q=reader",
                "/settings",
            ],
            "author": [thread_path, f"{thread_path}?root={answer.id}", "/settings"],
            "mod": [thread_path, "/mod/queue", f"/mod/items/{item.id}", "/mod/log"],
        },
    }


@pytest.mark.parametrize("viewer", ["anon", "reader", "author", "mod"])
def test_every_link_on_the_main_pages_matches_a_route(app, world, viewer):
    client = app.test_client()
    if viewer != "anon":
        login(client, world["people"][viewer])
    problems = {}
    for path in world["pages"][viewer]:
        response = client.get(path)
        assert response.status_code == 200, path
        checked, broken = broken_links(app, urljoin(PAGE, path), response.get_data(as_text=True))
        assert checked, f"{path} has no links into the site"
        if broken:
            problems[path] = broken
    assert problems == {}


def test_the_thread_pages_carry_the_links_they_are_checked_for(app, world):
    """The thread pages above hold every kind of footer link, so the check covers them."""
    client = login(app.test_client(), world["people"]["reader"])
    html = client.get(world["thread"]).get_data(as_text=True)
    kinds = {(link.attribute, link.method) for link in links_of(html)}
    assert ("formaction", "POST") in kinds  # the helpful buttons, through the shared form
    assert ("action", "POST") in kinds  # the reply form
    for part in ("/helpful", "/report", "/history", "?reply_to=", "?root="):
        assert part in html, part
    mod = login(app.test_client(), world["people"]["mod"])
    assert 'class="review-link" href="/mod/items/' in mod.get(world["thread"]).text


def test_a_link_to_no_route_is_caught(app):
    page = (
        '<a href="/t/1">ok</a><a href="/nowhere">no</a>'
        '<form id="f" method="post" action="/"></form><button form="f" formaction="/p/1/edit">'
        '<a href="https://elsewhere.example/x">theirs</a><a href="#top">anchor</a>'
    )
    with app.test_request_context():
        checked, broken = broken_links(app, PAGE, page)
    assert checked == 5  # the anchor is this page: "/"
    assert broken == [
        "href='/nowhere' (GET): NotFound",
        "action='/' (POST): MethodNotAllowed",
    ]
