"""Hostile values from the address, the query string and forms (issue #9).

Each one answers a clear 400, 404 or 422, never 500, on SQLite and on PostgreSQL (which
refuses NUL in text, so those cases only fail there): run it with ``TEST_DATABASE_URL`` too.
"""

import base64
import json
import re

import feedparser
import pytest
from click.testing import CliRunner
from flask_wtf import FlaskForm
from sqlalchemy import select, update
from werkzeug.routing import IntegerConverter

from forum.extensions import db
from forum.forms import Form
from forum.models import GuideArticle, ItemStatus, Post, ReviewItem, Role, Tag, Thread, User
from forum.moderation import services as moderation
from forum.threads import services as threads
from forum.urls import IdConverter
from forum.validation import ID_MAX
from tests.conftest import login
from tests.factories import make_post, make_thread, make_user

PAST_64_BITS = str(2**64)
PAST_SIGNED_64 = str(2**63)
PAST_INT32 = str(ID_MAX + 1)
HOSTILE_IDS = [PAST_64_BITS, PAST_SIGNED_64, PAST_INT32, "9" * 40, "0", "١", "²"]
# "²" passes str.isdigit() but int() refuses it.
SUPERSCRIPT_TWO = "²"
JSON = "application/json"


pytestmark = pytest.mark.usefixtures("shipped_tags")


@pytest.fixture
def world(app):
    """A thread with a reported reply, a guide article, and an admin to visit them."""
    author = make_user("storyteller")
    thread = make_thread(author, title="Month three: lips and balm", body="Opening story.")
    reply = make_post(thread, make_user("replier"), body="Lip balm every hour helps.")
    moderation.report_post(reply, make_user("witness"), "other", "Looks like an advert.")
    db.session.add(GuideArticle(slug="managing-dryness", title="Managing dryness", summary="Lips."))
    admin = make_user("admin1", role=Role.ADMIN)
    db.session.commit()
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.status == ItemStatus.PENDING))
    return {
        "thread": thread.id,
        "slug": thread.slug,
        "opening": threads.opening_post(thread).id,
        "post": reply.id,
        "item": item.id,
        "admin": admin,
        "author": author,
    }


def _build(rule, values: dict) -> str:
    """The rule's path with each argument replaced by ``values[name]``."""
    return re.sub(r"<(?:[^:<>]+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)


def _id_arguments(rule) -> list[str]:
    return [
        name
        for name, converter in rule._converters.items()
        if isinstance(converter, IntegerConverter | IdConverter)
    ]


def _methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def _cursor(*parts) -> str:
    raw = json.dumps(list(parts), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# --- Ids in the path ------------------------------------------------------------------------


def test_no_route_uses_the_plain_int_converter(app):
    plain = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if any(isinstance(c, IntegerConverter) for c in rule._converters.values())
    ]
    assert plain == []
    with_ids = [rule.rule for rule in app.url_map.iter_rules() if _id_arguments(rule)]
    assert "/t/<id:thread_id>" in with_ids and "/settings/sessions/<id:session_id>/end" in with_ids


def test_every_id_route_answers_404_for_an_id_out_of_range(app, world):
    client = login(app.test_client(), world["admin"])
    failures = []
    for rule in app.url_map.iter_rules():
        ids = _id_arguments(rule)
        if not ids:
            continue
        for value in HOSTILE_IDS:
            path = _build(rule, {**{name: value for name in ids}, "slug": world["slug"]})
            for method in _methods(rule):
                status = client.open(path, method=method).status_code
                if status != 404:
                    failures.append((method, path, status))
    assert failures == []


def test_the_largest_id_finds_nothing_without_an_error(app, world):
    client = login(app.test_client(), world["admin"])
    largest = ID_MAX
    for path in (f"/t/{largest}", f"/p/{largest}", f"/mod/items/{largest}"):
        assert client.get(path).status_code == 404
    assert client.post(f"/settings/sessions/{largest}/end").status_code == 302


# --- Numbers and cursors in the query string and forms ---------------------------------------

QUERY_CASES = [
    ("/t/{thread}?page=" + PAST_64_BITS, 400),
    ("/t/{thread}?page=" + SUPERSCRIPT_TWO, 400),
    ("/t/{thread}?page=0", 400),
    ("/t/{thread}?root=" + PAST_64_BITS, 400),
    ("/t/{thread}?root=" + SUPERSCRIPT_TWO, 400),
    ("/t/{thread}?reply_to=" + PAST_64_BITS, 400),
    ("/t/{thread}?root=" + PAST_INT32, 400),
    ("/?month_min=" + SUPERSCRIPT_TWO, 400),
    ("/?month_max=" + SUPERSCRIPT_TWO, 400),
    ("/tags/dryness?month_min=" + PAST_64_BITS, 400),
    ("/?after=" + _cursor("active", "2026-01-01T00:00:00", 2**64), 400),
    ("/?after=" + _cursor("active", "2026-01-01T00:00:00", -1), 400),
    ("/?sort=top&after=" + _cursor("top", 2**64, 1), 400),
    ("/tags/dryness?sort=new&after=" + _cursor("new", "2026-01-01T00:00:00", 2**63), 400),
    ("/?after=" + _cursor("active", "99999-01-01T00:00:00", 1), 400),
    ("/?after=%00", 400),
    ("/mod/log?before=20260101T000000000000_" + PAST_64_BITS, 400),
    ("/mod/log?before=20260101T000000000000_" + SUPERSCRIPT_TWO, 400),
    ("/mod/queue?page=" + PAST_64_BITS, 400),
    ("/search?q=balm&page=" + SUPERSCRIPT_TWO, 400),
    ("/search?q=balm&page=" + PAST_64_BITS, 400),
    ("/notifications?before=" + SUPERSCRIPT_TWO, 400),
    ("/notifications?before=" + PAST_64_BITS, 400),
    ("/notifications?before=" + PAST_INT32, 400),
    ("/mod/log?before=20260101T000000000000_" + PAST_INT32, 400),
    ("/?sort=top&after=" + _cursor("top", 2**31, 1), 400),
]


# Odd but well-formed: any page of a list, past or future, simply shows what is there.
QUERY_CASES += [
    ("/?after=" + _cursor("active", "2026-01-01T00:00:00+14:00", 1), 200),
    ("/?after=" + _cursor("active", "9999-12-31T23:59:59.999999", ID_MAX), 200),
    ("/?after=" + _cursor("active", "0001-01-01T00:00:00", 1), 200),
    ("/?sort=top&after=" + _cursor("top", ID_MAX, ID_MAX), 200),
]


@pytest.mark.parametrize(("path", "status"), QUERY_CASES)
def test_hostile_numbers_in_the_query_answer_400(app, world, path, status):
    client = login(app.test_client(), world["admin"])
    response = client.get(path.format(**world))
    assert response.status_code == status


# The pages members share (issue #17) read the address before the view does.
MEMBER_CASES = [case for case in QUERY_CASES if case[0].startswith(("/t/", "/?", "/tags/"))]


@pytest.mark.parametrize(("path", "status"), MEMBER_CASES)
def test_hostile_numbers_answer_the_same_on_pages_members_share(
    app, world, monkeypatch, path, status
):
    monkeypatch.setitem(app.config, "MEMBER_PAGE_SECONDS", 10)
    monkeypatch.setitem(app.config, "TREE_CACHE_SECONDS", 60)
    client = login(app.test_client(), world["author"])  # a plain member
    for _ in range(2):  # the page is stored, then served from the store
        assert client.get(path.format(**world)).status_code == status


@pytest.mark.parametrize("parent_id", [PAST_64_BITS, SUPERSCRIPT_TWO, "١", "-1"])
def test_a_hostile_parent_id_reshows_the_reply_form(app, world, parent_id):
    client = login(app.test_client(), world["author"])
    response = client.post(
        f"/t/{world['thread']}/reply", data={"body": "My own words.", "parent_id": parent_id}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "That reply link is broken" in html
    assert "My own words." in html


# --- JSON posted to form endpoints -----------------------------------------------------------


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "7", "null", '{"login": "x"}', "["])
def test_json_posted_to_any_form_endpoint_is_refused(app, world, body):
    values = {
        "thread_id": world["thread"],
        "post_id": world["post"],
        "item_id": world["item"],
        "slug": "managing-dryness",
        "token": "not-a-token",
        # Issue #14: a dose period of the journal and a check-in.
        "period_id": 424242,
        "months": 1,
        # Issue #16: appeals, their decisions and moderators' notes.
        "action_id": 424242,
        "appeal_id": 424242,
        "username": "storyteller",
        "token_id": 1,
        # Issue #15: a photo (none has this id).
        "photo_id": 424242,
    }
    failures = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        for signed_in in (False, True):
            client = app.test_client()
            if signed_in:
                login(client, world["admin"])
            path = _build(rule, {**values, "session_id": 1})
            response = client.post(path, data=body, content_type=JSON)
            if response.status_code >= 500:
                failures.append((path, signed_in, response.status_code))
    assert failures == []
    for path in ("/login", "/register", "/reset"):
        response = app.test_client().post(path, data=body, content_type=JSON)
        assert response.status_code == 400
        assert "not JSON" in response.get_data(as_text=True)


# --- Query arguments named like url_for's own ------------------------------------------------


def test_method_argument_on_a_wrong_slug_thread_url_redirects(client, world):
    response = client.get(f"/t/{world['thread']}/old-title?_method=POST&page=1&_external=1")
    assert response.status_code == 301
    location = response.headers["Location"]
    assert location.startswith(f"/t/{world['thread']}/{world['slug']}?")
    assert "_method=POST" in location and "_external=1" in location


@pytest.mark.parametrize("query", ["_method=POST", "_scheme=javascript", "_anchor=x"])
def test_url_for_keywords_in_the_queue_query_are_plain_arguments(app, world, query):
    client = login(app.test_client(), world["admin"])
    response = client.get(f"/mod/queue?{query}")
    assert response.status_code == 200
    assert "javascript:" not in response.get_data(as_text=True)


# --- NUL and other control characters --------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/u/story%00teller",
        "/u/%00",
        "/tags/dry%00ness",
        "/guide/managing%00dryness",
        "/guide/managing%00dryness/edit",
        "/guide/managing%00dryness/history",
        "/feeds/tags/dry%00ness.atom",
        "/t/{thread}/a%00b",
        "/verify/a%00b",
        "/reset/a%00b",
        "/u/story%0Ateller",
    ],
)
def test_control_characters_in_a_path_segment_answer_404(client, world, count_queries, path):
    with count_queries() as log:
        response = client.get(path.format(**world))
    assert response.status_code == 404
    # Refused by the router, before any query could carry the segment.
    assert log.count == 0, str(log)


def test_nul_in_the_login_name_is_a_failed_login_not_an_error(client, world):
    response = client.post("/login", data={"login": "story\x00teller", "password": "wrong"})
    assert response.status_code == 422


def test_nul_in_a_registration_name_is_stripped_before_any_query(client):
    response = client.post(
        "/register",
        data={
            "username": "new\x00comer",
            "email": "new\x00comer@example.org",
            "password": "a long and unusual passphrase 42",
            "password_confirm": "a long and unusual passphrase 42",
            "age_confirm": "y",
            "accept_terms": "y",
        },
    )
    assert response.status_code == 302
    assert db.session.scalar(select(User.username).where(User.username == "newcomer"))


def test_control_characters_are_stripped_from_a_new_thread(app, world):
    client = login(app.test_client(), world["author"])
    response = client.post(
        "/t/new",
        data={
            "title": "Month\x0c one:\x00 lips\n\tand balm",
            "body": "Dry\x00 lips\x0b today.\r\n\tBalm helps.\x1f",
            "tags": ["dryness"],
        },
    )
    assert response.status_code == 302
    thread = db.session.scalar(select(Thread).order_by(Thread.id.desc()))
    assert thread.title == "Month one: lips and balm"
    assert threads.opening_post(thread).body == "Dry lips today.\n\tBalm helps."


def test_nul_in_a_reply_and_an_edit_is_stripped(app, world):
    client = login(app.test_client(), world["author"])
    response = client.post(f"/t/{world['thread']}/reply", data={"body": "Same\x00 here."})
    assert response.status_code == 302
    reply = db.session.scalar(select(Post).order_by(Post.id.desc()))
    assert reply.body == "Same here."
    response = client.post(
        f"/p/{world['opening']}/edit", data={"title": "New\x00 title", "body": "Edited\x00."}
    )
    assert response.status_code == 302
    db.session.expire_all()
    opening = db.session.get(Post, world["opening"])
    assert (opening.thread.title, opening.body) == ("New title", "Edited.")


def test_nul_in_a_report_note_is_stripped(app, world):
    client = login(app.test_client(), world["author"])
    response = client.post(
        f"/p/{world['post']}/report", data={"reason": "spam", "note": "An\x00 advert."}
    )
    assert response.status_code == 302


def test_nul_in_search_filters_is_a_400(client, world):
    assert client.get("/search?q=balm&tag=dry%00ness").status_code == 400
    assert client.get("/search?q=ba%00lm").status_code == 200
    assert client.get("/?stage=fin%00ished").status_code == 400


def test_every_form_reads_form_data_only_and_strips_controls():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [cls for cls in subclasses(FlaskForm) if cls.__module__.startswith("forum.")]
    assert ours, "the forum's forms are imported by create_app"
    assert [cls.__qualname__ for cls in ours if not issubclass(cls, Form)] == []


def test_tag_names_lose_control_characters(app):
    runner = CliRunner()
    result = runner.invoke(
        app.cli, ["tags", "add", "night-sweats", "--name", "Night\x0c sweats\x00"]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Tag.name).where(Tag.slug == "night-sweats")) == "Night sweats"
    result = runner.invoke(
        app.cli, ["tags", "edit", "night-sweats", "--name", "Sweats\x0b at night"]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(select(Tag.name).where(Tag.slug == "night-sweats")) == (
        "Sweats at night"
    )


# --- Feeds and search snippets ---------------------------------------------------------------


def test_feeds_stay_well_formed_when_old_data_holds_control_characters(client, world):
    # Written straight to the database, as rows from before the input was cleaned might be.
    db.session.execute(
        update(Thread).where(Thread.id == world["thread"]).values(title="Form\x0cfeed \x01title")
    )
    db.session.execute(
        update(Post)
        .where(Post.id == world["opening"])
        .values(body_html="<p>Body\x0c with\x08 controls \ufffe.</p>")
    )
    db.session.execute(update(Tag).where(Tag.slug == "dryness").values(name="Dry\x0cness"))
    db.session.commit()
    for path in ("/feeds/latest.atom", "/feeds/tags/dryness.atom"):
        response = client.get(path)
        assert response.status_code == 200
        feed = feedparser.parse(response.get_data())
        assert feed.bozo == 0, (path, feed.get("bozo_exception"))
        assert [entry.title for entry in feed.entries] == ["Formfeed title"]
    assert feed.feed.title.startswith("Dryness")


def test_private_use_characters_in_a_post_never_become_highlights(client, world):
    author = db.session.get(User, world["author"].id)
    make_post(db.session.get(Thread, world["thread"]), author, body="\ue000fake\ue001 balm")
    db.session.commit()
    html = client.get("/search?q=balm").get_data(as_text=True)
    assert "<mark>fake</mark>" not in html
    # SQLite's snippet keeps the characters as written; PostgreSQL's drops them.
    assert re.search(r"\ue000?fake\ue001?", html)
    assert re.search(r"<mark>balm</mark>", html, re.IGNORECASE)
