"""The public endpoints of /api/v1 (issue #18)."""

import pytest

from tests.api.world import build_world


@pytest.fixture
def world(app):
    return build_world()


def test_threads_lists_public_threads_with_their_details(client, world):
    response = client.get("/api/v1/threads")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert [t["id"] for t in data["threads"]] == [world.thread.id]
    row = data["threads"][0]
    assert row["title"] == "Lips in month two" and row["author"] == "author"
    assert row["tags"] == ["dryness"]
    assert row["experience"] == {
        "stage": "on_treatment",
        "treatment_month": 2,
        "months_since": None,
        "daily_dose_mg": 40,
    }
    assert row["url"].endswith(f"/t/{world.thread.id}/{world.thread.slug}")
    assert data["next"] is None


def test_threads_filters_by_tag_and_stage(client, world):
    assert client.get("/api/v1/threads?tag=mood").get_json()["threads"] == []
    assert len(client.get("/api/v1/threads?tag=dryness").get_json()["threads"]) == 1
    assert client.get("/api/v1/threads?stage=finished").get_json()["threads"] == []
    assert len(client.get("/api/v1/threads?month_min=1&month_max=3").get_json()["threads"]) == 1


@pytest.mark.parametrize(
    "query",
    [
        "stage=sideways",
        "sort=best",
        "month_min=99",
        "after=garbage",
        "limit=0",
        "limit=abc",
        "tag=a%00b",
    ],
)
def test_bad_list_filters_answer_400_problem_details(client, world, query):
    response = client.get(f"/api/v1/threads?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 400 and problem["title"] == "Bad request" and problem["detail"]


def test_an_unknown_topic_answers_404_as_its_page_does(client, world):
    response = client.get("/api/v1/threads?tag=no-such-topic")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_threads_pages_with_next_links_until_the_end(client, world):
    from tests.factories import make_thread, make_user

    author = make_user("prolific")
    made = {make_thread(author, title=f"Thread number {n}").id for n in range(5)}
    seen, url = [], "/api/v1/threads?limit=2&sort=new"
    while url:
        data = client.get(url).get_json()
        seen += [t["id"] for t in data["threads"]]
        url = data["next"]
        assert url is None or "after=" in url and "limit=2" in url
    assert len(seen) == len(set(seen)) == 6
    assert made | {world.thread.id} == set(seen)


def test_thread_shows_its_tree_with_placeholders(client, world):
    response = client.get(f"/api/v1/threads/{world.thread.id}")
    assert response.status_code == 200
    data = response.get_json()
    assert data["opening_post"]["body_html"] == "<p>Dry lips, <strong>balm</strong> helps.</p>"
    top = {node["id"]: node for node in data["replies"]}
    assert world.held.id not in top
    assert top[world.removed.id]["placeholder"] == "[removed by a moderator]"
    assert top[world.removed.id]["body_html"] is None and top[world.removed.id]["author"] is None
    assert top[world.deleted.id]["placeholder"] == "[deleted]"
    below = {node["id"]: node for node in top[world.reply.id]["replies"]}
    assert below[world.nested.id]["body_html"] == "<p>Try a thicker balm.</p>"
    hidden = below[world.hidden.id]
    assert hidden["placeholder"] == "[hidden by a moderator]"
    assert [child["body_html"] for child in hidden["replies"]] == [
        "<p>A reply below the hidden one.</p>"
    ]
    assert data["page"] == data["pages"] == 1 and data["next"] is None


def test_thread_tree_of_one_reply_with_root(client, world):
    data = client.get(f"/api/v1/threads/{world.thread.id}?root={world.reply.id}").get_json()
    assert [node["id"] for node in data["replies"]] == [world.reply.id]
    assert client.get(f"/api/v1/threads/{world.thread.id}?root=999999").status_code == 404
    assert client.get(f"/api/v1/threads/{world.thread.id}?page=9").status_code == 404
    assert client.get(f"/api/v1/threads/{world.thread.id}?page=x").status_code == 400


def test_hidden_and_missing_threads_answer_404_problem(client, world):
    for thread_id in (world.hidden_thread.id, world.held_thread.id, 424242):
        response = client.get(f"/api/v1/threads/{thread_id}")
        assert response.status_code == 404, thread_id
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["status"] == 404


def test_post_endpoint(client, world):
    data = client.get(f"/api/v1/posts/{world.nested.id}").get_json()["post"]
    assert data["parent_id"] == world.reply.id and data["author"] == "author"
    removed = client.get(f"/api/v1/posts/{world.removed.id}").get_json()["post"]
    assert removed["body_html"] is None and removed["placeholder"] == "[removed by a moderator]"
    assert client.get(f"/api/v1/posts/{world.held.id}").status_code == 404
    assert client.get("/api/v1/posts/424242").status_code == 404


def test_tags_guide_and_search(client, world):
    tags = client.get("/api/v1/tags").get_json()["tags"]
    dryness = next(tag for tag in tags if tag["slug"] == "dryness")
    assert dryness["thread_count"] == 1
    articles = client.get("/api/v1/guide").get_json()["articles"]
    assert [a["slug"] for a in articles] == ["managing-dryness"]
    article = client.get("/api/v1/guide/managing-dryness").get_json()["article"]
    assert article["body_html"] == "<p>Use balm.</p>"
    assert client.get("/api/v1/guide/a-draft").status_code == 404
    results = client.get("/api/v1/search?q=balm").get_json()
    assert {hit["kind"] for hit in results["results"]} >= {"thread", "reply"}
    assert client.get("/api/v1/search?q=").get_json()["results"] == []
    assert client.get("/api/v1/search?q=lips&stage=sideways").status_code == 400


def test_unknown_api_paths_and_methods_answer_problem_details(client, world):
    missing = client.get("/api/v1/nothing")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    posted = client.post("/api/v1/threads")
    assert posted.status_code == 405 and posted.mimetype == "application/problem+json"
