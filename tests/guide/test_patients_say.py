"""What patients say beside a guide article counts helpful replies as well as opening
posts, each with a short excerpt and its experience badge (issue #11)."""

import re
from datetime import date, timedelta

import pytest

from forum.extensions import db
from forum.guide import services
from forum.models import Post, PostStatus, User, utcnow
from forum.tags.services import load_shipped_tags
from tests.conftest import login
from tests.factories import make_post, make_thread, make_user


@pytest.fixture(autouse=True)
def guide(app):
    load_shipped_tags()
    services.load_shipped_guide()
    db.session.commit()


def on_treatment(name: str, month: int, dose: int = 40) -> User:
    """A member whose course started ``month`` months ago (their posts say "Month N")."""
    start = utcnow().date() - timedelta(days=31 * (month - 1) + 2)
    return make_user(name, course_start=start, course_dose_mg=dose)


def mark_helpful(client, post: Post, members) -> None:
    for member in members:
        login(client, member)
        assert client.post(f"/p/{post.id}/helpful").status_code == 302
    client.post("/logout")


def most_helpful(client, query="") -> str:
    response = client.get(f"/guide/managing-dryness{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return html[html.index('id="helpful-heading"') : html.index('id="recent-heading"')]


def test_a_helpful_dryness_reply_is_listed_with_its_excerpt_and_badge(client):
    thread = make_thread(make_user("asker"), title="Lips cracking in month two")
    reply = make_post(
        thread,
        on_treatment("balmfan", 3),
        body="**Vaseline at night** and a lanolin balm by day fixed my lips within a week.",
    )
    db.session.commit()
    mark_helpful(client, reply, [make_user(f"reader{n}") for n in range(2)])
    db.session.commit()

    listed = most_helpful(client)
    assert "No experience" not in listed
    assert f'href="/t/{thread.id}/{thread.slug}#p{reply.id}"' in listed
    assert "Lips cracking in month two" in listed
    # Plain text: the Markdown's emphasis is gone, the words stay.
    assert "Vaseline at night and a lanolin balm by day" in listed
    assert "<strong>" not in listed
    assert '<span class="badge">Month 3 · 40 mg/day</span>' in listed
    assert "2 found it helpful" in listed
    assert "balmfan" in listed


def test_replies_and_opening_posts_are_ordered_by_their_marks(client):
    readers = [make_user(f"reader{n}") for n in range(3)]
    quiet = make_thread(make_user("first"), title="A little dry on day three")
    busy = make_thread(make_user("second"), title="Peeling everywhere in week four")
    reply = make_post(busy, make_user("helper"), body="Gentle cleanser, thick cream, no scrubs.")
    db.session.commit()
    mark_helpful(client, services_opening(quiet), readers[:1])
    mark_helpful(client, reply, readers)

    listed = most_helpful(client)
    links = re.findall(r'href="(/t/[^"]+)"', listed)
    assert links == [f"/t/{busy.id}/{busy.slug}#p{reply.id}", f"/t/{quiet.id}/{quiet.slug}"]
    assert "3 found it helpful" in listed and "1 found it helpful" in listed


def services_opening(thread) -> Post:
    from forum.threads import services as threads

    return threads.opening_post(thread)


def test_hidden_deleted_and_off_topic_replies_are_left_out(client):
    readers = [make_user(f"reader{n}") for n in range(2)]
    dry = make_thread(make_user("asker"), title="Lips cracking in month two")
    moody = make_thread(make_user("asker2"), title="Low some evenings", tags=("mood",))
    hidden = make_post(dry, make_user("one"), body="A reply a moderator hid later.")
    deleted = make_post(dry, make_user("two"), body="A reply its author deleted later.")
    elsewhere = make_post(moody, make_user("three"), body="A mood reply, marked helpful.")
    db.session.commit()
    for post in (hidden, deleted, elsewhere):
        mark_helpful(client, post, readers)
    db.session.get(Post, hidden.id).status = PostStatus.HIDDEN
    db.session.get(Post, deleted.id).deleted_at = utcnow()
    db.session.commit()

    listed = most_helpful(client)
    assert "No experience or reply here has been marked helpful yet." in listed
    assert "#p" not in listed


def test_the_stage_filter_reads_the_stage_each_reply_was_written_at(client):
    readers = [make_user("reader")]
    thread = make_thread(make_user("asker"), title="Lips cracking in month two")
    during = make_post(thread, on_treatment("during", 2), body="Month two: balm every hour.")
    after = make_post(
        thread,
        make_user(
            "after", course_start=date(2024, 1, 1), course_end=utcnow().date() - timedelta(days=70)
        ),
        body="Two months after: lips are normal again.",
    )
    db.session.commit()
    mark_helpful(client, during, readers)
    mark_helpful(client, after, readers)

    assert f"#p{during.id}" in most_helpful(client, "?stage=on_treatment")
    assert f"#p{after.id}" not in most_helpful(client, "?stage=on_treatment")
    assert f"#p{after.id}" in most_helpful(client, "?stage=finished")
    assert f"#p{during.id}" not in most_helpful(client, "?stage=finished")


def test_a_long_reply_is_cut_to_a_short_excerpt(client):
    thread = make_thread(make_user("asker"), title="Lips cracking in month two")
    words = " ".join(f"word{n}" for n in range(200))
    reply = make_post(thread, make_user("long"), body=words)
    db.session.commit()
    mark_helpful(client, reply, [make_user("reader")])
    listed = most_helpful(client)
    shown = re.search(r"“([^”]*)”", listed).group(1)
    assert shown.startswith("word0 word1") and shown.endswith("…")
    assert len(shown) <= 161
    assert "word199" not in listed


def test_the_article_page_costs_the_same_queries_with_many_helpful_replies(client, count_queries):
    thread = make_thread(make_user("asker"), title="Lips cracking in month two")
    first = make_post(thread, make_user("helper0"), body="One reply.")
    db.session.commit()
    mark_helpful(client, first, [make_user("reader0")])
    with count_queries() as few:
        assert client.get("/guide/managing-dryness").status_code == 200
    readers = [make_user(f"many{n}") for n in range(3)]
    for n in range(12):
        author = make_user(f"writer{n}")
        story = make_thread(author, title=f"Dryness story number {n}")
        mark_helpful(client, make_post(story, make_user(f"helper{n + 1}"), body="Balm."), readers)
    db.session.commit()
    with count_queries() as many:
        html = most_helpful(client)
    assert html.count("#p") == services.EXPERIENCES_PER_LIST
    assert few.count == many.count, str(many)
