"""What the API promises readers and members (issue #18): held, hidden, removed and deleted
content never appears, whatever is asked, and each endpoint costs a fixed number of
queries."""

from datetime import date, timedelta

import pytest

from forum.api import tokens
from forum.bookmarks import services as bookmarks
from forum.extensions import db
from forum.journals import services as journals
from forum.models import Audience
from forum.notifications.services import notify
from forum.threads import services as threads
from forum.threads.audience import set_audience
from tests.api.world import SECRETS, build_world
from tests.conftest import USING_PG
from tests.factories import make_post, make_thread, make_user


@pytest.fixture
def world(app):
    return build_world()


def _every_public_answer(client, world) -> list[str]:
    posts = [
        world.opening,
        world.reply,
        world.nested,
        world.held,
        world.hidden,
        world.removed,
        world.deleted,
    ]
    paths = [
        "/api/v1/threads",
        "/api/v1/threads?sort=new",
        "/api/v1/threads?sort=top",
        "/api/v1/tags",
        "/api/v1/guide",
        "/api/v1/guide/managing-dryness",
        f"/api/v1/guide/{world.draft.slug}",
        *(
            f"/api/v1/threads/{t.id}"
            for t in (world.thread, world.hidden_thread, world.held_thread)
        ),
        f"/api/v1/threads/{world.thread.id}?root={world.reply.id}",
        f"/api/v1/threads/{world.thread.id}?root={world.hidden.id}",
        f"/api/v1/threads/{world.thread.id}?root={world.held.id}",
        *(f"/api/v1/posts/{post.id}" for post in posts),
        *(f"/api/v1/search?q={word.lower()}" for word in SECRETS),
        "/api/v1/search?q=thread",
    ]
    return [client.get(path).get_data(as_text=True) for path in paths]


def test_held_hidden_removed_and_deleted_text_never_appears(client, world):
    bodies = _every_public_answer(client, world)
    assert any("Try a thicker balm." in body for body in bodies)  # the crawl reads posts
    for body in bodies:
        for secret in SECRETS:
            assert secret not in body


def _with_token(client, user, world) -> list[str]:
    _, token = tokens.create_token(user, name="Script", days=30)
    db.session.commit()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    try:
        return _every_public_answer(client, world)
    finally:
        del client.environ_base["HTTP_AUTHORIZATION"]


def test_a_moderators_token_shows_what_a_member_sees_and_no_more(client, world):
    # The moderation pages show staff every held, hidden and removed text; a token never
    # carries that sight (forum/api/http.py).
    bodies = _with_token(client, world.moderator, world)
    assert any("Try a thicker balm." in body for body in bodies)
    for body in bodies:
        for secret in SECRETS:
            assert secret not in body


def test_a_token_shows_no_one_elses_held_hidden_or_removed_text(client, world):
    for body in _with_token(client, make_user("bystander"), world):
        for secret in SECRETS:
            assert secret not in body


def test_a_token_shows_its_member_their_own_posts_as_their_pages_do(client, world):
    # The held, hidden and removed replies are all by "other": their pages show them those
    # posts with a notice, and so does the API, never the deleted text.
    bodies = _with_token(client, world.held.author, world)
    joined = "".join(bodies)
    assert "HELDWORD" in joined and "HIDDENWORD" in joined and "REMOVEDWORD" in joined
    assert "DELETEDWORD" not in joined and "HIDDENTHREADWORD" not in joined
    _, token = tokens.create_token(world.held.author, name="Own", days=30)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    held = client.get(f"/api/v1/posts/{world.held.id}", headers=headers).get_json()["post"]
    assert held["state"] == "pending" and "Waiting for review" in held["notice"]
    hidden = client.get(f"/api/v1/posts/{world.hidden.id}", headers=headers).get_json()["post"]
    assert hidden["state"] == "hidden" and "HIDDENWORD" in hidden["body_html"]
    plain = client.get(f"/api/v1/posts/{world.reply.id}", headers=headers).get_json()["post"]
    assert plain["state"] is None and plain["notice"] is None


def test_a_moderator_session_changes_nothing_either(client, world):
    from tests.conftest import login

    login(client, world.moderator)
    for body in _every_public_answer(client, world):
        for secret in SECRETS:
            assert secret not in body


# --- A fixed number of queries, whatever the size -------------------------------------------


def _count(client, count_queries, path, headers=None) -> int:
    with count_queries() as log:
        response = client.get(path, headers=headers or {})
    assert response.status_code == 200, (path, response.text)
    return log.count


def _grow(world, n: int) -> None:
    author = make_user(f"writer{n}")
    first_day = date.today() - timedelta(days=400)
    for i in range(n):
        thread = make_thread(author, title=f"Story number {n}-{i}", tags=("dryness", "mood"))
        make_post(thread, author, parent=make_post(thread, author), body="A nested reply.")
        reply = make_post(world.thread, author, body=f"Another reply {i}.")
        notify(world.author, "warning", f"Note {i}")
        closed = make_thread(author, title=f"Members story {n}-{i}", tags=("dryness",))
        set_audience(closed, Audience.MEMBERS)
        bookmarks.add_bookmark(world.author, reply)
        bookmarks.add_bookmark(world.author, threads.opening_post(closed))
        # Each call of _grow writes days the others don't.
        day = first_day + timedelta(days=n * 20 + i)
        journals.save_entry(world.author, day=day, skin=3, mood=3, levels={"dry_lips": 1})
        journals.add_dose_period(world.author, starts_on=day, dose_mg=20 + i)
    db.session.commit()


ENDPOINTS = [
    ("/api/v1/threads", 2),
    ("/api/v1/threads?tag=dryness", 3),
    ("/api/v1/threads/{thread}", 3),
    ("/api/v1/posts/{reply}", 2),
    ("/api/v1/tags", 1),
    ("/api/v1/guide", 1),
    ("/api/v1/guide/managing-dryness", 1),
    # PostgreSQL sets the search's statement timeout first (forum/search/dialects.py).
    ("/api/v1/search?q=reply", 4 if USING_PG else 3),
    # The statistics come from this process's copy once loaded (forum/journals/stats_cache.py).
    ("/api/v1/insights", 1),
    ("/api/v1/me", 1),
    ("/api/v1/me/notifications", 2),
    ("/api/v1/me/bookmarks", 2),
    ("/api/v1/me/journal", 4),
    # With a token: the public endpoints as the member reads them, plus the token's query.
    ("token:/api/v1/threads", 3),
    ("token:/api/v1/threads?tag=dryness", 4),
    ("token:/api/v1/threads/{thread}", 4),
    ("token:/api/v1/posts/{reply}", 3),
    ("token:/api/v1/search?q=story", 5 if USING_PG else 4),
]


@pytest.mark.parametrize(("path", "most"), ENDPOINTS, ids=[path for path, _ in ENDPOINTS])
def test_each_endpoint_costs_a_fixed_number_of_queries(client, count_queries, world, path, most):
    _, token = tokens.create_token(world.author, name="Count", days=30)
    world.author.course_start = date.today() - timedelta(days=500)
    db.session.commit()
    with_token = "/me" in path or path.startswith("token:")
    headers = {"Authorization": f"Bearer {token}"} if with_token else None
    path = path.removeprefix("token:").format(thread=world.thread.id, reply=world.reply.id)
    _grow(world, 1)
    client.get(path, headers=headers)  # loads what a process keeps (the statistics)
    few = _count(client, count_queries, path, headers)
    _grow(world, 8)
    many = _count(client, count_queries, path, headers)
    assert few == many <= most
