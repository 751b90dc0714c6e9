"""The guide beside every thread page (issue #11): the articles on the thread's topics with
their one-line summaries, kept per process and following the guide's edits."""

import os
import time

import pytest
from sqlalchemy import select, update

from forum.cache import RedisStore
from forum.extensions import db
from forum.guide import aside
from forum.guide import services as guide
from forum.models import GuideArticle
from tests.conftest import login
from tests.factories import make_thread, make_user

DRYNESS_LINE = (
    "Dry lips, skin, eyes and nose are the side effects almost everyone on isotretinoin gets."
)


def bump_generation_elsewhere(app) -> None:
    """What another worker's commit of a guide change does to the shared generation."""
    store = app.extensions["page_cache"]
    if isinstance(store, RedisStore):
        store.redis.incr(aside.GENERATION_KEY)
        return
    stamp = aside._GENERATION._stamp_path()
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.touch()
    later = time.time_ns() + 10**9
    os.utime(stamp, ns=(later, later))


@pytest.fixture(autouse=True)
def shipped_guide(shipped_tags):
    guide.load_shipped_guide()
    db.session.commit()


def text(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def guide_aside(html: str) -> str:
    start = html.index('<aside class="guide-aside"')
    return html[start : html.index("</aside>", start)]


def article(slug) -> GuideArticle:
    return db.session.scalar(select(GuideArticle).where(GuideArticle.slug == slug))


def test_a_dryness_thread_links_the_dryness_guide_with_its_one_line_summary(client, member):
    thread = make_thread(make_user("writer"), title="Lips cracking in month two")
    db.session.commit()
    path = f"/t/{thread.id}/{thread.slug}"
    for reader in (client, login(client, member)):
        box = guide_aside(text(reader.get(path)))
        assert 'href="/guide/managing-dryness"' in box
        assert "Managing dryness of skin, lips and eyes" in box
        assert DRYNESS_LINE in box
        # One line: the summary's first sentence only.
        assert "Simple habits, started early" not in box


def test_every_tag_brings_its_articles_once_in_guide_order(client):
    thread = make_thread(
        make_user("writer"),
        title="Dry and low at once",
        tags=("dryness", "mood", "skincare-routine"),
    )
    db.session.commit()
    box = guide_aside(text(client.get(f"/t/{thread.id}")))
    links = [part.split('"')[0] for part in box.split('href="/guide/')[1:]]
    assert links.count("managing-dryness") == 1
    assert "mood-and-mental-health" in links
    expected = sorted(
        (article(slug) for slug in links), key=lambda item: (item.sort_order, item.title)
    )
    assert links == [item.slug for item in expected]


def test_the_aside_sits_outside_the_reply_tree_after_the_opening_post(client):
    thread = make_thread(make_user("writer"), title="Lips cracking in month two")
    db.session.commit()
    html = text(client.get(f"/t/{thread.id}"))
    main_end = html.index('<aside class="guide-aside"')
    assert html.index('class="post opening-post"') < main_end
    assert html.index('class="replies-section"') < main_end
    assert 'class="thread-layout with-guide"' in html


def test_unpublished_articles_are_left_out_and_no_article_means_no_aside(client):
    thread = make_thread(make_user("writer"), title="Lips cracking in month two")
    db.session.commit()
    article("managing-dryness").published = False
    db.session.commit()
    box = guide_aside(text(client.get(f"/t/{thread.id}")))
    assert 'href="/guide/managing-dryness"' not in box
    assert 'href="/guide/side-effects-overview"' in box
    article("side-effects-overview").published = False
    db.session.commit()
    html = text(client.get(f"/t/{thread.id}"))
    assert '<aside class="guide-aside"' not in html
    assert 'class="thread-layout"' in html


def test_an_admins_edit_shows_on_thread_pages_at_once(client, admin):
    thread = make_thread(make_user("writer"), title="Lips cracking in month two")
    db.session.commit()
    path = f"/t/{thread.id}/{thread.slug}"
    assert DRYNESS_LINE in guide_aside(text(client.get(path)))
    item = article("managing-dryness")
    login(client, admin)
    response = client.post(
        "/guide/managing-dryness/edit",
        data={
            "title": "Dryness, day by day",
            "summary": "Lip balm first, always. Then the rest.",
            "body": item.body,
            "tags": [tag.slug for tag in item.tags],
            "published": "y",
        },
    )
    assert response.status_code == 302
    client.post("/logout")
    box = guide_aside(text(client.get(path)))
    assert "Dryness, day by day" in box and "Lip balm first, always." in box
    assert DRYNESS_LINE not in box and "Then the rest." not in box


def test_a_change_made_by_another_worker_is_followed(app, client):
    thread = make_thread(make_user("writer"), title="Lips cracking in month two")
    db.session.commit()
    path = f"/t/{thread.id}"
    assert DRYNESS_LINE in guide_aside(text(client.get(path)))
    # Another worker saved the article: the rows changed without this process's session,
    # and that worker bumped the generation every worker reads.
    db.session.execute(
        update(GuideArticle)
        .where(GuideArticle.slug == "managing-dryness")
        .values(summary="Another worker wrote this. And more.")
    )
    db.session.commit()
    assert DRYNESS_LINE in guide_aside(text(client.get(path)))  # not told yet
    bump_generation_elsewhere(app)
    box = guide_aside(text(client.get(path)))
    assert "Another worker wrote this." in box


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_aside_costs_no_query(app, client, count_queries, signed_in):
    viewer = make_user("viewer")
    thread = make_thread(make_user("writer"), title="Lips cracking in month two")
    db.session.commit()
    if signed_in:
        login(client, viewer)
    path = f"/t/{thread.id}/{thread.slug}"
    client.get(path)  # this process loads the guide's links once
    with count_queries() as log:
        html = text(client.get(path))
    assert 'href="/guide/managing-dryness"' in html
    assert log.count == (3 if signed_in else 2), str(log)
