"""Moderation and safety on the real thread pages (issue #4): held posts, crisis help, the
moderation notices and labels, report links, the mood banner and posting limits."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import (
    GuideArticle,
    ItemStatus,
    Post,
    PostStatus,
    ReviewItem,
    Role,
    Thread,
    UserStatus,
    utcnow,
)
from forum.moderation import services as moderation
from forum.tags.services import load_shipped_tags
from forum.threads import services
from tests.conftest import login
from tests.factories import make_post, make_thread, make_user
from tests.threads.pages import textarea

CRISIS_BODY = "Month four. Honestly I want to die, nothing helps any more."
CRISIS_PANEL = 'class="crisis-panel"'
SUPPORT_BANNER = "Struggling with your mood?"


@pytest.fixture(autouse=True)
def tags(app):
    load_shipped_tags()
    db.session.commit()


@pytest.fixture
def author(app):
    user = make_user("storyteller", created_at=utcnow() - timedelta(days=200))
    db.session.commit()
    return user


@pytest.fixture
def thread(author):
    thread = make_thread(author, title="Month three: lips and eyes", body="Opening story.")
    db.session.commit()
    return thread


def page(client, thread) -> str:
    response = client.get(f"/t/{thread.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def post_html(html: str, post: Post) -> str:
    """The markup of one post: from its id to the end of its article."""
    start = html.index(f'id="p{post.id}"')
    return html[start : html.index("</article>", start)]


def pending_item(post):
    return db.session.scalar(
        select(ReviewItem).where(
            ReviewItem.post_id == post.id, ReviewItem.status == ItemStatus.PENDING
        )
    )


def decide(post, action, reason, **extra):
    """A moderator decides the post's pending review item."""
    moderation.act_on_item(
        pending_item(post), make_user(role=Role.MODERATOR), action, reason, **extra
    )
    db.session.commit()


# --- Crisis help for the author --------------------------------------------------------------


def new_thread_form(**changes):
    form = {"title": "Week six update", "body": "Lips dry.", "tags": ["mood"]}
    form.update(changes)
    return form


def test_a_new_thread_matching_a_crisis_phrase_shows_its_author_the_panel_once(client, author):
    login(client, author)
    response = client.post("/t/new", data=new_thread_form(body=CRISIS_BODY))
    assert response.status_code == 302
    thread = db.session.scalar(select(Thread))
    first = client.get(response.location).get_data(as_text=True)
    assert CRISIS_PANEL in first and "988 Suicide" in first
    assert "Your thread is posted." in first  # published as usual
    assert CRISIS_PANEL not in page(client, thread)  # once
    assert pending_item(services.opening_post(thread)).is_crisis


def test_a_crisis_reply_shows_the_panel_to_its_author_only(client, author, thread):
    replier = make_user("replier")
    db.session.commit()
    login(client, replier)
    response = client.post(f"/t/{thread.id}/reply", data={"body": CRISIS_BODY})
    assert response.status_code == 302
    landed = client.get(response.location).get_data(as_text=True)
    assert CRISIS_PANEL in landed and "Reply posted." in landed
    reply = db.session.scalar(select(Post).where(Post.parent_id.is_not(None)))
    assert pending_item(reply).is_crisis

    assert CRISIS_PANEL not in page(app_client(client), thread)  # signed out
    login(client, author)
    assert CRISIS_PANEL not in page(client, thread)


def app_client(client):
    return client.application.test_client()


def test_an_edit_matching_a_crisis_phrase_shows_the_panel(client, author, thread):
    login(client, author)
    opening = services.opening_post(thread)
    response = client.post(f"/p/{opening.id}/edit", data={"title": thread.title, "body": "ok"})
    assert CRISIS_PANEL not in client.get(response.location).get_data(as_text=True)
    response = client.post(
        f"/p/{opening.id}/edit", data={"title": thread.title, "body": CRISIS_BODY}
    )
    assert response.status_code == 302
    assert CRISIS_PANEL in client.get(response.location).get_data(as_text=True)
    assert pending_item(opening).is_crisis


def test_ordinary_posts_show_no_crisis_panel(client, author, thread):
    login(client, author)
    response = client.post(f"/t/{thread.id}/reply", data={"body": "Dying to finish this course."})
    assert CRISIS_PANEL not in client.get(response.location).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ReviewItem)) == 0


# --- Held posts ------------------------------------------------------------------------------


@pytest.fixture
def hold_first_posts(app, monkeypatch):
    monkeypatch.setitem(app.config, "NEW_MEMBER_HELD_POSTS", 1)


def test_a_held_thread_waits_for_review_and_is_404_for_readers(client, hold_first_posts, moderator):
    newcomer = make_user("newcomer")
    db.session.commit()
    login(client, newcomer)
    response = client.post("/t/new", data=new_thread_form(title="My very first post"))
    assert response.status_code == 302
    landed = client.get(response.location).get_data(as_text=True)
    assert "Waiting for review." in landed and "usually happens within a day" in landed
    thread = db.session.scalar(select(Thread))
    assert thread.status == PostStatus.PENDING

    assert app_client(client).get(f"/t/{thread.id}").status_code == 404
    login(client, make_user("reader"))
    assert client.get(f"/t/{thread.id}").status_code == 404
    assert "My very first post" not in client.get("/tags/mood").get_data(as_text=True)

    login(client, moderator)
    item = pending_item(services.opening_post(thread))
    assert f'href="/mod/items/{item.id}"' in page(client, thread)


def test_a_held_reply_is_shown_only_to_its_author_and_moderators(client, thread, moderator):
    newcomer = make_user("newcomer")
    db.session.commit()
    login(client, newcomer)
    response = client.post(
        f"/t/{thread.id}/reply", data={"body": "My routine: https://example.org/routine"}
    )
    landed = client.get(response.location).get_data(as_text=True)
    assert "usually happens within a day" in landed
    held = db.session.scalar(select(Post).where(Post.author_id == newcomer.id))
    assert "Waiting for review." in post_html(landed, held)
    assert "example.org/routine" in post_html(landed, held)

    reader = page(app_client(client), thread)
    assert "example.org/routine" not in reader and f'id="p{held.id}"' not in reader

    login(client, moderator)
    html = post_html(page(client, thread), held)
    assert "Waiting for review." in html
    assert f'href="/mod/items/{pending_item(held).id}"' in html

    decide(held, "approve", "Fine.")
    assert "example.org/routine" in page(app_client(client), thread)


# --- Hidden, removed and labelled posts ------------------------------------------------------


def test_a_hidden_reply_shows_the_reason_to_its_author_and_a_placeholder_to_readers(
    client, thread, author, moderator
):
    replier = make_user("replier")
    reply = make_post(thread, replier, body="Rude words here.")
    below = make_post(thread, author, parent=reply, body="An answer below it.")
    db.session.commit()
    moderation.report_post(reply, author, "harassment")
    decide(reply, "hide", "Personal attacks are not allowed.")

    reader = page(client, thread)
    assert "Rude words here." not in reader
    assert "[hidden by a moderator]" in post_html(reader, reply)
    assert "Personal attacks" not in reader
    assert "An answer below it." in post_html(reader, below)

    login(client, replier)
    own = post_html(page(client, thread), reply)
    assert "Rude words here." in own
    assert "Hidden from readers." in own and "Reason: Personal attacks are not allowed." in own

    login(client, moderator)
    assert "Reason: Personal attacks are not allowed." in post_html(page(client, thread), reply)


def test_a_removed_reply_shows_the_reason_to_its_author(client, thread, author):
    replier = make_user("replier")
    reply = make_post(thread, replier, body="Selling pills.")
    db.session.commit()
    moderation.report_post(reply, author, "sourcing")
    decide(reply, "remove", "Selling medication.")
    assert "[removed by a moderator]" in post_html(page(client, thread), reply)
    login(client, replier)
    own = post_html(page(client, thread), reply)
    assert "Removed by a moderator." in own and "Reason: Selling medication." in own


def test_a_hidden_opening_post_hides_the_thread_but_its_author_sees_why(client, thread, author):
    opening = services.opening_post(thread)
    moderation.report_post(opening, make_user("reporter"), "personal_info")
    decide(opening, "hide", "Full name and address in the text.")
    assert client.get(f"/t/{thread.id}").status_code == 404
    login(client, author)
    html = page(client, thread)
    assert "Reason: Full name and address in the text." in post_html(html, opening)


def test_a_misinformation_label_links_its_guide_article_for_everyone(client, thread, author):
    article = GuideArticle(slug="mood-and-mental-health", title="Mood and mental health")
    db.session.add(article)
    reply = make_post(thread, make_user("claims"), body="Isotretinoin never affects mood.")
    db.session.commit()
    moderation.report_post(reply, author, "misinformation")
    decide(reply, "label", "Contradicts the evidence.", article="mood-and-mental-health")

    for client_ in (client, login(app_client(client), author)):
        html = post_html(page(client_, thread), reply)
        assert "Medical misinformation:" in html
        assert 'href="/guide/mood-and-mental-health"' in html
        assert "Isotretinoin never affects mood." in html  # the post stays

    article.published = False
    db.session.commit()
    html = post_html(page(client, thread), reply)
    assert "Medical misinformation:" in html and "/guide/" not in html


def test_a_labelled_opening_post_shows_the_label(client, thread):
    opening = services.opening_post(thread)
    opening.label = "misinformation"
    db.session.commit()
    assert "Medical misinformation:" in post_html(page(client, thread), opening)


# --- Report links and review links -----------------------------------------------------------


def test_members_get_a_report_link_on_others_posts_only(client, thread, author):
    reply = make_post(thread, make_user("replier"), body="A reply.")
    mine = make_post(thread, author, body="My own reply.")
    db.session.commit()
    opening = services.opening_post(thread)
    assert "/report" not in page(client, thread)  # signed out

    login(client, make_user("reader"))
    html = page(client, thread)
    assert f'href="/p/{opening.id}/report"' in post_html(html, opening)
    assert f'href="/p/{reply.id}/report"' in post_html(html, reply)

    login(client, author)
    html = page(client, thread)
    assert "/report" not in post_html(html, opening) + post_html(html, mine)
    assert f'href="/p/{reply.id}/report"' in post_html(html, reply)


def test_members_who_may_not_write_get_no_report_link(client, thread):
    suspended = make_user(
        "benched", status=UserStatus.SUSPENDED, suspended_until=utcnow() + timedelta(days=2)
    )
    db.session.commit()
    for user in (suspended, make_user("unconfirmed", verified=False)):
        db.session.commit()
        login(client, user)
        assert "/report" not in page(client, thread)


def test_the_report_link_leads_to_the_report_form(client, thread):
    reply = make_post(thread, make_user("replier"), body="A reply.")
    db.session.commit()
    login(client, make_user("reader"))
    response = client.post(f"/p/{reply.id}/report", data={"reason": "spam", "note": "Ads."})
    assert response.status_code == 302
    assert response.location == f"/t/{thread.id}#p{reply.id}"


def test_only_moderators_see_links_to_pending_review_items(client, thread, moderator):
    reply = make_post(thread, make_user("replier"), body="A reply.")
    quiet = make_post(thread, make_user("quiet"), body="Nobody reported this.")
    db.session.commit()
    moderation.report_post(reply, make_user("reporter"), "spam")
    db.session.commit()
    link = f'href="/mod/items/{pending_item(reply).id}"'

    login(client, make_user("reader"))
    assert "/mod/items/" not in page(client, thread)
    login(client, moderator)
    html = page(client, thread)
    assert link in post_html(html, reply) and "/mod/items/" not in post_html(html, quiet)

    decide(reply, "dismiss", "Fine.")
    assert "/mod/items/" not in page(client, thread)


# --- The mood support banner -----------------------------------------------------------------


def test_the_mood_topic_and_threads_tagged_mood_show_the_support_banner(client, author):
    mood = make_thread(author, title="Feeling low this month", tags=("mood", "dryness"))
    dry = make_thread(author, title="Only my lips", tags=("dryness",))
    db.session.commit()
    assert SUPPORT_BANNER in client.get("/tags/mood").get_data(as_text=True)
    assert SUPPORT_BANNER in page(client, mood)
    assert SUPPORT_BANNER not in client.get("/tags/dryness").get_data(as_text=True)
    assert SUPPORT_BANNER not in page(client, dry)


# --- Posting limits --------------------------------------------------------------------------


@pytest.fixture
def three_a_minute(app, monkeypatch):
    monkeypatch.setitem(app.config, "POST_LIMIT", "3 per minute; 200 per day")


def test_replying_past_the_limit_answers_429_and_keeps_the_text(client, thread, three_a_minute):
    login(client, make_user("chatty"))
    for n in range(3):
        assert client.post(f"/t/{thread.id}/reply", data={"body": f"r{n}"}).status_code == 302
    response = client.post(f"/t/{thread.id}/reply", data={"body": "One more thought."})
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    html = response.get_data(as_text=True)
    assert re.search(r"Try again in \d+ seconds?\.", html)
    assert textarea(html, "body") == "One more thought."
    assert db.session.scalar(select(func.count()).select_from(Post)) == 4  # opening + 3


def test_starting_threads_past_the_limit_answers_429_and_keeps_the_text(client, three_a_minute):
    login(client, make_user("chatty"))
    for n in range(3):
        data = new_thread_form(title=f"Thread number {n}")
        assert client.post("/t/new", data=data).status_code == 302
    response = client.post("/t/new", data=new_thread_form(title="The fourth one", body="Text."))
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    html = response.get_data(as_text=True)
    assert "Try again in" in html
    assert 'value="The fourth one"' in html and textarea(html, "body") == "Text."
    assert db.session.scalar(select(func.count()).select_from(Thread)) == 3


def test_previews_do_not_count_against_the_limit(client, thread, three_a_minute):
    login(client, make_user("careful"))
    for _ in range(5):
        response = client.post(
            f"/t/{thread.id}/reply", data={"body": "Draft.", "preview": "Preview"}
        )
        assert response.status_code == 200
    assert client.post(f"/t/{thread.id}/reply", data={"body": "Posted."}).status_code == 302


# --- Signing in from a thread ----------------------------------------------------------------


def test_login_links_come_back_to_the_thread(client, thread):
    html = page(client, thread)
    assert f'href="/login?next=/t/{thread.id}/{thread.slug}%23reply"' in html
    response = client.post(f"/t/{thread.id}/reply", data={"body": "hi"})
    assert response.status_code == 302
    assert response.location == f"/login?next=/t/{thread.id}"
