"""Replies oldest first, or most helpful first with ``?sort=helpful``, keeping the tree
(issue #11)."""

import re

import pytest

from forum.extensions import db
from forum.models import Post
from forum.tags.services import load_shipped_tags
from forum.threads import services
from tests.conftest import login
from tests.factories import make_post, make_thread, make_user
from tests.threads.pages import tree_of


@pytest.fixture(autouse=True)
def tags(app):
    load_shipped_tags()
    db.session.commit()


@pytest.fixture
def world(app):
    """Top-level replies a (no marks), b (2 marks) and c (1); under b, b1 (none) and b2 (1)."""
    readers = [make_user(f"reader{n}") for n in range(2)]
    thread = make_thread(make_user("asker"), title="What helped your lips")
    a = make_post(thread, make_user("ann"), body="Reply a.")
    b = make_post(thread, make_user("bob"), body="Reply b.")
    c = make_post(thread, make_user("cat"), body="Reply c.")
    b1 = make_post(thread, make_user("dan"), parent=b, body="Reply b1.")
    b2 = make_post(thread, make_user("eve"), parent=b, body="Reply b2.")
    for post, markers in ((b, readers), (c, readers[:1]), (b2, readers[:1])):
        for reader in markers:
            services.toggle_helpful(post, reader)
    db.session.commit()
    return {"thread": thread, "readers": readers, "a": a, "b": b, "c": c, "b1": b1, "b2": b2}


def order(html: str, world) -> list[str]:
    names = {f"p{world[name].id}": name for name in ("a", "b", "c", "b1", "b2")}
    return [names[node] for node in re.findall(r'<li class="node" id="(p\d+)"', html)]


def get(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_most_helpful_first_keeps_the_tree(client, world):
    thread = world["thread"]
    oldest = get(client, f"/t/{thread.id}/{thread.slug}")
    helpful = get(client, f"/t/{thread.id}/{thread.slug}?sort=helpful")
    assert order(oldest, world) == ["a", "b", "b1", "b2", "c"]
    assert order(helpful, world) == ["b", "b2", "b1", "c", "a"]
    assert tree_of(helpful) == tree_of(oldest)  # every reply under the same parent
    assert f'<a href="/t/{thread.id}/{thread.slug}?sort=helpful" aria-current="true">' in helpful
    assert f'<a href="/t/{thread.id}/{thread.slug}" aria-current="true">Oldest first' in oldest
    # One address for search engines whatever the order.
    assert f'/t/{thread.id}/{thread.slug}"' in helpful.split('rel="canonical" href="')[1][:200]


def test_equal_marks_keep_the_oldest_first(client, world):
    thread = world["thread"]
    services.toggle_helpful(db.session.get(Post, world["a"].id), world["readers"][0])
    db.session.commit()
    # a and c now have one mark each: a is older.
    assert order(get(client, f"/t/{thread.id}?sort=helpful"), world) == [
        "b",
        "b2",
        "b1",
        "a",
        "c",
    ]


def test_pages_follow_the_helpful_order(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "THREAD_PAGE_SIZE", 2)
    thread = world["thread"]
    first = get(client, f"/t/{thread.id}/{thread.slug}?sort=helpful")
    assert order(first, world) == ["b", "b2", "b1", "c"]
    assert f'href="/t/{thread.id}/{thread.slug}?page=2&amp;sort=helpful" rel="next"' in first
    second = get(client, f"/t/{thread.id}/{thread.slug}?page=2&sort=helpful")
    assert order(second, world) == ["a"]
    assert order(get(client, f"/t/{thread.id}/{thread.slug}?page=2"), world) == ["c"]
    assert client.get(f"/t/{thread.id}?page=3&sort=helpful").status_code == 404


def test_reply_links_keep_the_order(member_client, world):
    thread = world["thread"]
    html = get(member_client, f"/t/{thread.id}/{thread.slug}?sort=helpful")
    assert f'href="?sort=helpful&amp;reply_to={world["a"].id}#reply"' in html
    form = get(member_client, f"/t/{thread.id}?sort=helpful&reply_to={world['a'].id}")
    assert order(form, world) == ["b", "b2", "b1", "c", "a"]
    assert 'id="reply"' in form


@pytest.mark.parametrize("sort", ["newest", "helpful%00", "x" * 300])
def test_an_unknown_order_answers_400(client, world, sort):
    response = client.get(f"/t/{world['thread'].id}?sort={sort}")
    assert response.status_code == 400
    assert "sort=helpful" in response.get_data(as_text=True)


def test_members_shared_tree_is_kept_per_order(app, client, world):
    thread = world["thread"]
    path = f"/t/{thread.id}/{thread.slug}"
    first, second = make_user("member_one"), make_user("member_two")
    db.session.commit()
    login(app.test_client(), first).get(path)  # stores the oldest-first tree for members
    login(app.test_client(), first).get(path + "?sort=helpful")
    member = login(client, second)
    assert order(get(member, path + "?sort=helpful"), world) == ["b", "b2", "b1", "c", "a"]
    assert order(get(member, path), world) == ["a", "b", "b1", "b2", "c"]
    html = get(member, path + "?sort=helpful")
    assert "Helpful (2)" in html and "Helpful (1)" in html


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_helpful_order_costs_the_same_queries(client, world, count_queries, signed_in):
    if signed_in:
        login(client, make_user("counter"))
    path = f"/t/{world['thread'].id}?sort=helpful"
    client.get(path)
    with count_queries() as log:
        get(client, path)
    assert log.count == (3 if signed_in else 2), str(log)
