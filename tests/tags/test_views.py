"""/tags and /tags/<slug>: topics with counts, sorted and filtered thread lists, cursors."""

import re
from datetime import timedelta
from html import unescape

import pytest

from forum.extensions import db
from forum.models import PostStatus, Stage, utcnow
from forum.tags.services import load_shipped_tags
from forum.threads import services
from tests.factories import make_post, make_thread, make_user
from tests.threads.pages import head_link


@pytest.fixture(autouse=True)
def tags(app):
    load_shipped_tags()
    db.session.commit()


def titles(html: str) -> list[str]:
    return [
        unescape(t) for t in re.findall(r'class="thread-title"><a href="[^"]+">([^<]+)</a>', html)
    ]


def aged(thread, *, hours: int):
    """Pretend the thread was started and last active ``hours`` ago."""
    thread.created_at = thread.last_activity_at = utcnow() - timedelta(hours=hours)
    return thread


def test_tag_index_lists_topics_with_visible_thread_counts(client):
    make_thread(tags=("dryness",))
    make_thread(tags=("dryness", "mood"))
    hidden = make_thread(tags=("mood",))
    hidden.status = PostStatus.HIDDEN
    db.session.commit()

    html = client.get("/tags").get_data(as_text=True)

    assert re.search(r'href="/tags/dryness">Dryness</a>\s*<span[^>]*>2 threads', html)
    assert re.search(r'href="/tags/mood">Mood</a>\s*<span[^>]*>1 thread<', html)
    assert "Dry lips, skin, eyes and nose" in html


def test_unknown_tag_is_404(client):
    assert client.get("/tags/not-a-topic").status_code == 404
    assert client.get("/feeds/tags/not-a-topic.atom").status_code == 404


def test_tag_page_rows_show_title_tags_author_badge_replies_activity(client):
    author = make_user("rowauthor")
    thread = make_thread(
        author,
        title="Month four at 40 mg",
        tags=("dryness", "dosage"),
        treatment_month=4,
        daily_dose_mg=40,
    )
    make_post(thread)
    make_post(thread)
    make_thread(title="Only about mood here", tags=("mood",))
    db.session.commit()

    html = client.get("/tags/dryness").get_data(as_text=True)

    assert titles(html) == ["Month four at 40 mg"]
    row = html[html.index('class="thread-row"') :]
    assert 'href="/tags/dosage"' in row and 'href="/u/rowauthor"' in row
    assert "Month 4 · 40 mg/day" in row
    assert "2 replies" in row and "active <time" in row


def test_sorts_active_new_and_top(client):
    readers = [make_user() for _ in range(3)]
    old_busy = aged(make_thread(title="Old but busy thread", tags=("dryness",)), hours=50)
    middle = aged(make_thread(title="Middle thread here", tags=("dryness",)), hours=20)
    newest = aged(make_thread(title="Newest thread here", tags=("dryness",)), hours=1)
    db.session.flush()
    make_post(old_busy)  # activity now
    for reader in readers[:2]:
        services.toggle_helpful(services.opening_post(middle), reader)
    services.toggle_helpful(services.opening_post(newest), readers[2])
    db.session.commit()

    assert titles(client.get("/tags/dryness").get_data(as_text=True)) == [
        "Old but busy thread",
        "Newest thread here",
        "Middle thread here",
    ]
    assert titles(client.get("/tags/dryness?sort=new").get_data(as_text=True)) == [
        "Newest thread here",
        "Middle thread here",
        "Old but busy thread",
    ]
    assert titles(client.get("/tags/dryness?sort=top").get_data(as_text=True)) == [
        "Middle thread here",
        "Newest thread here",
        "Old but busy thread",
    ]


def test_stage_and_treatment_month_filters(client):
    make_thread(title="Month two story", tags=("dryness",), treatment_month=2)
    make_thread(title="Month six story", tags=("dryness",), treatment_month=6)
    make_thread(title="Finished story here", tags=("dryness",), months_since=3)
    make_thread(title="Considering it now", tags=("dryness",), stage=Stage.CONSIDERING)
    db.session.commit()

    def shown(query):
        return sorted(titles(client.get(f"/tags/dryness?{query}").get_data(as_text=True)))

    assert shown("stage=finished") == ["Finished story here"]
    assert shown("stage=on_treatment") == ["Month six story", "Month two story"]
    assert shown("month_min=3") == ["Month six story"]
    assert shown("month_min=1&month_max=4") == ["Month two story"]
    assert shown("stage=considering&sort=new") == ["Considering it now"]
    assert "No threads match." in client.get("/tags/dryness?month_min=20").get_data(as_text=True)


def test_hidden_and_held_threads_are_left_out(client):
    make_thread(title="Visible thread here", tags=("dryness",))
    for status in (PostStatus.HIDDEN, PostStatus.PENDING, PostStatus.REMOVED):
        make_thread(title=f"A {status} thread", tags=("dryness",)).status = status
    db.session.commit()
    assert titles(client.get("/tags/dryness").get_data(as_text=True)) == ["Visible thread here"]


def test_cursor_paging_walks_every_thread_once(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LIST_PAGE_SIZE", 2)
    for n in range(5):
        aged(make_thread(title=f"Paged thread {n}", tags=("dryness",)), hours=n)
    db.session.commit()

    seen, link, pages = [], "/tags/dryness?sort=new", 0
    while link:
        html = client.get(link).get_data(as_text=True)
        seen += titles(html)
        link = head_link(html, "next")
        pages += 1
        if link:
            assert "after=" in link and 'rel="next">More threads</a>' in html
    assert pages == 3
    assert seen == [f"Paged thread {n}" for n in range(5)]


def test_cursor_is_stable_when_sort_keys_tie(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LIST_PAGE_SIZE", 2)
    when = utcnow() - timedelta(hours=1)
    for n in range(4):
        thread = make_thread(title=f"Same time thread {n}", tags=("mood",))
        thread.created_at = thread.last_activity_at = when
    db.session.commit()
    first = client.get("/tags/mood").get_data(as_text=True)
    second = client.get(unescape(head_link(first, "next"))).get_data(as_text=True)
    assert sorted(titles(first) + titles(second)) == [f"Same time thread {n}" for n in range(4)]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("after=not-a-cursor", "That page link is broken or out of date."),
        ("after=eyJ4IjoxfQ", "That page link is broken or out of date."),
        ("sort=top&after=WyJhY3RpdmUiLCIyMDI2LTAxLTAxVDAwOjAwOjAwIiwxXQ", "broken or out of date"),
        ("sort=best", "Sort by active, new or top."),
        ("stage=cured", "The stage is one of"),
        ("month_min=0", "whole numbers from 1 to 24"),
        ("month_max=abc", "whole numbers from 1 to 24"),
    ],
)
def test_malformed_list_requests_are_400_with_a_message(client, query, message):
    response = client.get(f"/tags/dryness?{query}")
    assert response.status_code == 400
    assert message in unescape(response.get_data(as_text=True))


def test_tag_page_links_to_a_new_thread_on_that_topic_and_its_feed(client):
    html = client.get("/tags/mood").get_data(as_text=True)
    assert 'href="/t/new?tag=mood"' in html
    assert 'href="/feeds/tags/mood.atom"' in html
