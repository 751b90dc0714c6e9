"""Fixed query counts whatever the data size, and a 2,000-reply thread served fast and small.

Big trees are built with bulk inserts (one INSERT ... RETURNING per depth level) so the tests
stay fast; the tree columns are computed exactly as the services compute them.
"""

import time

import pytest
from sqlalchemy import insert, update

from forum.extensions import db
from forum.models import Post, Thread, utcnow
from forum.threads import services, tree
from tests.conftest import login
from tests.factories import make_thread, make_user

pytestmark = pytest.mark.usefixtures("shipped_tags")


def bulk_replies(
    thread: Thread, authors, parents: list[int | None], body="Reply {n}: lips dry, skin clearing."
) -> list[int]:
    """Insert replies; ``parents[i]`` is the index of reply i's parent (None: top level).
    Returns the new ids in order."""
    opening = services.opening_post(thread)
    nodes = []  # dicts with the computed tree columns
    children = {None: 0}
    for n, parent in enumerate(parents):
        children[n] = 0
        children[parent] += 1
        ordinal = children[parent]
        if parent is None:
            path, depth, branch = tree.segment(ordinal), 1, ordinal
        else:
            up = nodes[parent]
            path, depth, branch = up["path"] + tree.segment(ordinal), up["depth"] + 1, up["branch"]
        text = body.format(n=n)
        nodes.append(
            {
                "thread_id": thread.id,
                "author_id": authors[n % len(authors)].id,
                "body": text,
                "body_html": f"<p>{text}</p>",
                "created_at": utcnow(),
                "status": "visible",
                "path": path,
                "depth": depth,
                "branch": branch,
                "treatment_month": (n % 12) + 1 if n % 3 == 0 else None,
                "daily_dose_mg": 40 if n % 3 == 0 else None,
                "parent": parent,
            }
        )
    ids: list[int | None] = [None] * len(nodes)
    for depth in sorted({node["depth"] for node in nodes}):
        level = [i for i, node in enumerate(nodes) if node["depth"] == depth]
        rows = []
        for i in level:
            row = {key: value for key, value in nodes[i].items() if key != "parent"}
            parent = nodes[i]["parent"]
            row["parent_id"] = opening.id if parent is None else ids[parent]
            row["child_count"] = children[i]
            rows.append(row)
        result = db.session.execute(
            insert(Post).returning(Post.id, sort_by_parameter_order=True), rows
        )
        for i, new_id in zip(level, result.scalars(), strict=True):
            ids[i] = new_id
    db.session.execute(update(Post).where(Post.id == opening.id).values(child_count=children[None]))
    db.session.execute(update(Thread).where(Thread.id == thread.id).values(reply_count=len(nodes)))
    db.session.commit()
    return ids


def five_hundred_with_a_deep_chain() -> list[int | None]:
    parents: list[int | None] = [None]
    for n in range(1, 50):  # a chain 50 deep under the first top-level reply
        parents.append(n - 1)
    while len(parents) < 500:
        n = len(parents)
        parents.append(None if n % 5 == 0 else n - 1 - (n % 2))
    return parents


def measured_get(client, count_queries, path):
    with count_queries() as log:
        response = client.get(path)
    assert response.status_code == 200
    return log, response


def test_thread_page_costs_the_same_few_queries_for_1_and_500_replies(client, count_queries):
    viewer = make_user("viewer")
    authors = [make_user() for _ in range(5)]
    small = make_thread(authors[0], title="One reply only")
    big = make_thread(authors[0], title="Five hundred replies")
    db.session.commit()
    bulk_replies(small, authors, [None])
    ids = bulk_replies(big, authors, five_hundred_with_a_deep_chain())
    db.session.get(Post, ids[0])  # marks by the viewer are part of the same query
    services.toggle_helpful(db.session.get(Post, ids[0]), db.session.get(type(viewer), viewer.id))
    db.session.commit()
    login(client, viewer)

    small_log, _ = measured_get(client, count_queries, f"/t/{small.id}/{small.slug}")
    big_log, response = measured_get(client, count_queries, f"/t/{big.id}/{big.slug}")
    deep_log, _ = measured_get(client, count_queries, f"/t/{big.id}/{big.slug}?root={ids[5]}")

    assert small_log.count == big_log.count == deep_log.count, str(big_log)
    assert big_log.count <= 4, str(big_log)
    html = response.get_data(as_text=True)
    assert "Marked helpful (1)" in html and "Continue this thread" in html


def test_thread_page_for_anonymous_readers_is_as_cheap(client, count_queries):
    authors = [make_user() for _ in range(3)]
    thread = make_thread(authors[0])
    db.session.commit()
    bulk_replies(thread, authors, five_hundred_with_a_deep_chain())
    log, _ = measured_get(client, count_queries, f"/t/{thread.id}")
    assert log.count <= 2, str(log)


def test_two_thousand_replies_render_a_page_fast_and_small(client, count_queries):
    viewer = make_user("reader2000")
    authors = [make_user(f"member{n:02d}") for n in range(20)]
    thread = make_thread(authors[0], title="A very long conversation")
    db.session.commit()
    # 50 top-level replies, each with 3 children, 9 grandchildren and 27 great-grandchildren:
    # all 2,000 replies fall on page 1, the heaviest page a thread of this size can have.
    parents: list[int | None] = []
    for _ in range(50):
        top = len(parents)
        parents.append(None)
        level = [top]
        for _depth in range(3):
            next_level = []
            for parent in level:
                for _ in range(3):
                    next_level.append(len(parents))
                    parents.append(parent)
            level = next_level
    assert len(parents) == 2000
    bulk_replies(thread, authors, parents)
    login(client, viewer)
    path = f"/t/{thread.id}/{thread.slug}"
    client.get(path)  # warm the template cache

    log, response = measured_get(client, count_queries, path)
    timings = []
    for _ in range(3):  # best of three: the machine may be busy with other work
        db.session.expire_all()
        started = time.perf_counter()
        assert client.get(path).status_code == 200
        timings.append(time.perf_counter() - started)

    assert response.data.count(b'class="node"') == 2000
    assert len(response.data) < 1.5 * 1024 * 1024, len(response.data)
    assert min(timings) < 1.0, timings
    assert log.count <= 4


def make_threads(n: int, author, tags=("dryness", "mood")):
    for i in range(n):
        make_thread(
            author,
            title=f"Listed thread number {i}",
            tags=tags[: 1 + i % len(tags)],
            treatment_month=1 + i % 12,
            daily_dose_mg=40,
        )
    db.session.commit()


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/tags/dryness",
        "/tags/dryness?sort=top&stage=on_treatment",
        "/?dose=40_59&month_min=1&month_max=12",
        "/tags/dryness?sort=new&stage=on_treatment&dose=40_59",
        "/tags",
    ],
)
def test_list_pages_cost_a_fixed_number_of_queries(app, client, count_queries, path, signed_in):
    author = make_user("lister")
    make_threads(1, author)
    if signed_in:
        login(client, make_user("listreader"))
    few, _ = measured_get(client, count_queries, path)
    make_threads(app.config["LIST_PAGE_SIZE"] + 5, author)
    many, response = measured_get(client, count_queries, path)
    assert few.count == many.count, str(many)
    assert many.count <= 5, str(many)
    if path != "/tags":
        assert response.data.count(b'class="thread-row"') >= 1


def test_feeds_cost_a_fixed_number_of_queries(client, count_queries):
    author = make_user("feedwriter")
    make_threads(2, author)
    few, _ = measured_get(client, count_queries, "/feeds/tags/dryness.atom")
    make_threads(30, author)
    many, _ = measured_get(client, count_queries, "/feeds/tags/dryness.atom")
    assert few.count == many.count <= 3, str(many)


def test_thread_page_query_counts_with_moderation_state(client, count_queries):
    """Signed out 2 (thread, tree), signed in 3 (+ session and user), moderator 3: labels,
    their guide articles, helpful marks and pending review items come with the tree, so
    labelled, held, hidden and reported posts add nothing per post."""
    from forum.models import GuideArticle, Role
    from forum.moderation import services as moderation

    author = make_user("busyauthor")
    readers = {"signed in": make_user("plainreader"), "moderator": make_user(role=Role.MODERATOR)}
    article = GuideArticle(slug="mood-and-mental-health", title="Mood and mental health")
    db.session.add(article)
    small = make_thread(author, title="One labelled reply")
    big = make_thread(author, title="Thirty labelled replies")
    db.session.commit()
    [small_reply] = bulk_replies(small, [author], [None])
    parents = five_hundred_with_a_deep_chain()
    ids = bulk_replies(big, [author], parents)
    big_replies = [ids[n] for n, parent in enumerate(parents) if parent is None]  # top level
    labelled = [small_reply, *big_replies[:30]]
    db.session.execute(
        update(Post)
        .where(Post.id.in_(labelled))
        .values(label="misinformation", label_article_id=article.id)
    )
    for post_id in big_replies[30:40]:  # reported: pending review items
        moderation.report_post(db.session.get(Post, post_id), readers["signed in"], "spam")
    db.session.execute(update(Post).where(Post.id.in_(big_replies[40:45])).values(status="hidden"))
    db.session.execute(update(Post).where(Post.id.in_(big_replies[45:50])).values(status="pending"))
    db.session.commit()

    counts = {}
    for who in ("signed out", "signed in", "moderator"):
        if who in readers:
            login(client, readers[who])
        small_log, _ = measured_get(client, count_queries, f"/t/{small.id}")
        big_log, response = measured_get(client, count_queries, f"/t/{big.id}")
        assert small_log.count == big_log.count, str(big_log)
        assert response.data.count(b'href="/guide/mood-and-mental-health"') == 30
        counts[who] = big_log.count
    assert b'href="/mod/items/' in response.data
    assert counts == {"signed out": 2, "signed in": 3, "moderator": 3}
