"""Dead ends and words that carry the wrong feeling (issue #11): each page a member can
reach says what they can do next, and a held first post gets one calm notice."""

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from forum.extensions import db
from forum.models import ReviewItem, Role, UserStatus, utcnow
from forum.moderation import services as moderation
from forum.tags.services import load_shipped_tags
from forum.threads import fragments, lists, services
from tests.conftest import login, outbox
from tests.factories import PASSWORD, make_post, make_thread, make_user


@pytest.fixture(autouse=True)
def tags(app):
    load_shipped_tags()
    db.session.commit()


def main(html: str) -> str:
    """The page's own content, without the site header and footer."""
    return unescape(html.split('<main id="content"', 1)[1].split("</main>", 1)[0])


def titles(html: str) -> list[str]:
    found = re.findall(r'class="thread-title"><a href="[^"]+">([^<]+)</a>', html)
    return sorted(unescape(title) for title in found)


def field_div(html: str, input_id: str) -> str:
    """The markup of the filter field holding the input ``input_id``."""
    match = re.search(
        rf'<div class="field">(?:(?!</div>).)*id="{input_id}"(?:(?!</div>).)*</div>', html, re.S
    )
    assert match, f"no field for {input_id}"
    return match.group(0)


# --- A reversed treatment-month range ------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/tags/dryness"])
def test_a_reversed_month_range_lists_the_range_swapped_and_says_so(client, path):
    for month in (2, 5, 9, 12):
        make_thread(title=f"Month {month} story", tags=("dryness",), treatment_month=month)
    db.session.commit()

    response = client.get(f"{path}?month_min=9&month_max=2")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Error 400" not in html
    assert titles(html) == ["Month 2 story", "Month 5 story", "Month 9 story"]
    to_month = unescape(field_div(html, "filter-month-max"))
    assert "so the list shows months 2 to 9 instead." in to_month
    assert 'aria-describedby="filter-month-hint filter-note-month_max"' in to_month
    assert 'value="9"' in to_month
    assert 'value="2"' in field_div(html, "filter-month-min")
    # The links onwards carry the range the right way round.
    assert "month_min=2&amp;month_max=9" in html


def test_with_stage_finished_the_swapped_range_is_months_since_finishing(client):
    for months in (0, 4, 10):
        make_thread(title=f"{months} months after", tags=("dryness",), months_since=months)
    db.session.commit()

    response = client.get("/tags/dryness?stage=finished&month_min=6&month_max=0")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert titles(html) == ["0 months after", "4 months after"]
    to_month = unescape(field_div(html, "filter-month-max"))
    assert "so the list shows months 0 to 6 since finishing instead." in to_month
    assert 'value="0"' in field_div(html, "filter-month-min")


def test_search_reads_a_reversed_range_swapped_and_says_so(client):
    make_thread(title="Balm in month three", body="Lanolin.", treatment_month=3)
    make_thread(title="Balm in month eight", body="Lanolin.", treatment_month=8)
    db.session.commit()

    response = client.get("/search?q=balm&month_min=5&month_max=1")
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    assert "Balm in month three" in html and "Balm in month eight" not in html
    assert "so the list shows months 1 to 5 instead." in field_div(html, "month_max")
    assert 'aria-describedby="month-hint filter-note-month_max"' in html


def test_ordered_range_swaps_any_reversed_range_and_notes_the_field(app):
    message = "Doses from {low} to {high} mg."
    assert lists.ordered_range(40, 20, field="dose_max", message=message) == (
        20,
        40,
        (lists.FilterNote("dose_max", "Doses from 20 to 40 mg."),),
    )
    for low, high in ((20, 40), (20, 20), (None, 5), (5, None)):
        assert lists.ordered_range(low, high, field="dose_max", message=message) == (low, high, ())
    query = lists.ListQuery(notes=(lists.FilterNote("dose_max", "Swapped."),))
    assert query.note_for("dose_max") == "Swapped." and query.note_for("month_max") is None


def test_a_range_the_right_way_round_carries_no_note(client):
    make_thread(title="Month 5 story", tags=("dryness",), treatment_month=5)
    db.session.commit()
    html = client.get("/tags/dryness?month_min=2&month_max=9").get_data(as_text=True)
    assert titles(html) == ["Month 5 story"]
    assert "filter-note" not in html


def test_a_malformed_month_is_still_a_clear_400(client):
    response = client.get("/tags/dryness?month_min=0&month_max=3")
    assert response.status_code == 400
    assert "whole numbers from 1 to 24" in unescape(response.get_data(as_text=True))


# --- Members who have not confirmed their address yet --------------------------------------


def new_thread_links(html: str) -> list[str]:
    return re.findall(r'<a[^>]*href="/t/new[^"]*"[^>]*>([^<]+)</a>', html)


def test_an_unconfirmed_member_is_told_why_and_can_ask_for_a_new_link(app, client, unverified):
    login(client, unverified)
    response = client.get("/t/new?tag=mood")
    html = main(response.get_data(as_text=True))
    assert response.status_code == 403
    assert "Confirm your email address to start a thread" in html
    assert "once you confirm your email address: we sent a link to newbie@example.org." in html
    assert "Error 403" not in html
    form = re.search(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', html, re.S)
    assert form and form.group(1) == "/settings/verification"
    assert 'name="csrf_token"' in form.group(2) and "<button" in form.group(2)
    # The page says it once: the site-wide notice about confirming is left out here.
    assert "Please confirm your email address to start posting" not in html

    assert client.post(form.group(1)).status_code == 302
    [message] = outbox(app)
    assert message["To"] == "newbie@example.org"


def test_a_suspended_member_is_told_the_reason_without_a_confirmation_button(client, member):
    member.status = UserStatus.SUSPENDED
    member.suspended_until = utcnow() + timedelta(days=3)
    member.status_reason = "Cooling off."
    db.session.commit()
    login(client, member)
    response = client.get("/t/new")
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 403
    assert "Your account is suspended until" in html and "Cooling off." in html
    assert "/settings/verification" not in html


@pytest.mark.parametrize("path", ["/", "/tags/mood", "/tags"])
def test_links_to_start_a_thread_are_hidden_until_the_address_is_confirmed(
    client, unverified, member, path
):
    assert new_thread_links(client.get(path).get_data(as_text=True)) == (
        ["Share your experience"] if path != "/tags" else []
    )
    login(client, unverified)
    assert new_thread_links(client.get(path).get_data(as_text=True)) == []
    login(client, member)
    links = new_thread_links(client.get(path).get_data(as_text=True))
    assert "New thread" in links
    assert ("Share your experience" in links) == (path != "/tags")


# --- A post a moderator took down -----------------------------------------------------------


def post_footer(html: str, post_id: int) -> str:
    """The actions under one post of a thread page."""
    start = html.index(f'id="p{post_id}"')
    footer = html.index('<footer class="post-actions">', start)
    return unescape(html[footer : html.index("</footer>", footer)])


def take_down(post, decision: str) -> None:
    report = moderation.report_post(post, make_user("reporter"), "harassment")
    db.session.flush()
    item = db.session.get(ReviewItem, report.item_id)
    moderation.act_on_item(item, make_user(role=Role.MODERATOR), decision, "Rude.")
    db.session.commit()


@pytest.mark.parametrize("decision", ["hide", "remove"])
@pytest.mark.parametrize("which", ["opening", "reply"])
def test_the_author_of_a_post_taken_down_sees_why_instead_of_edit_and_delete(
    client, member, decision, which
):
    thread = make_thread(member, title="A story of mine")
    post = services.opening_post(thread) if which == "opening" else make_post(thread, member)
    db.session.commit()
    take_down(post, decision)

    login(client, member)
    response = client.get(f"/t/{thread.id}")
    assert response.status_code == 200
    footer = post_footer(response.get_data(as_text=True), post.id)
    assert "A moderator took this post down, so it can't be edited or deleted." in footer
    assert f"/p/{post.id}/edit" not in footer and f"/p/{post.id}/delete" not in footer
    # What the page no longer offers is still refused, with the same reason.
    refused = client.get(f"/p/{post.id}/edit")
    assert refused.status_code == 409
    assert "so it can't be edited or deleted" in unescape(refused.get_data(as_text=True))


def test_the_author_of_a_held_post_can_still_edit_and_delete_it(client, member):
    thread = make_thread(make_user("someone"), title="Somebody's story")
    reply = make_post(thread, member)
    moderation.hold_post(reply)
    db.session.commit()

    login(client, member)
    footer = post_footer(client.get(f"/t/{thread.id}").get_data(as_text=True), reply.id)
    assert f'href="/p/{reply.id}/edit"' in footer and f'href="/p/{reply.id}/delete"' in footer
    assert client.get(f"/p/{reply.id}/edit").status_code == 200
    assert client.get(f"/p/{reply.id}/delete").status_code == 200


@pytest.mark.parametrize("shared", [False, True], ids=["fresh", "shared tree"])
def test_in_a_locked_thread_the_author_is_told_why_edit_is_gone(
    app, client, member, monkeypatch, shared
):
    thread = make_thread(make_user("someone"), title="A thread that was locked")
    reply = make_post(thread, member)
    thread.locked = True
    db.session.commit()
    monkeypatch.setitem(app.config, "TREE_CACHE_SECONDS", 60 if shared else 0)
    found, lookup = [], fragments.lookup

    def counting_lookup(*args):
        generation, shared_tree = lookup(*args)
        found.append(shared_tree is not None)
        return generation, shared_tree

    monkeypatch.setattr(fragments, "lookup", counting_lookup)

    login(client, member)
    if shared:  # another member's visit stores the tree the author's page is filled from
        login(app.test_client(), make_user("reader")).get(f"/t/{thread.id}")
    footer = post_footer(client.get(f"/t/{thread.id}").get_data(as_text=True), reply.id)
    assert found == ([False, True] if shared else [])
    assert "This thread is locked: its posts can't be edited." in footer
    assert f"/p/{reply.id}/edit" not in footer and f'href="/p/{reply.id}/delete"' in footer
    refused = client.post(f"/p/{reply.id}/edit", data={"body": "Changed."})
    assert refused.status_code == 409
    assert "its posts can't be edited" in unescape(refused.get_data(as_text=True))
    assert client.get(f"/p/{reply.id}/delete").status_code == 200


def test_in_a_locked_thread_a_moderator_can_still_edit_their_own_post(client, moderator):
    thread = make_thread(make_user("someone"), title="A thread that was locked")
    reply = make_post(thread, moderator)
    thread.locked = True
    db.session.commit()

    login(client, moderator)
    footer = post_footer(client.get(f"/t/{thread.id}").get_data(as_text=True), reply.id)
    assert f'href="/p/{reply.id}/edit"' in footer and "locked" not in footer


# --- Logging in from the reply box ----------------------------------------------------------


def login_link(html: str) -> str:
    section = html[html.index('id="reply"') :]
    return unescape(re.search(r'<a href="([^"]+)">log in</a>', section).group(1))


@pytest.mark.parametrize("answering", ["thread", "reply", "reply on a subtree page"])
def test_logging_in_from_the_reply_box_comes_back_to_the_same_reply_box(
    app, client, member, answering
):
    thread = make_thread(make_user("writer"), title="A story to answer")
    reply = make_post(thread)
    db.session.commit()
    page = f"/t/{thread.id}/{thread.slug}"
    query = {"thread": "", "reply": f"?reply_to={reply.id}"}.get(
        answering, f"?root={reply.id}&reply_to={reply.id}"
    )
    link = login_link(client.get(page + query).get_data(as_text=True))
    expected = page + (f"?root={reply.id}" if "root" in query else "")
    if "reply_to" in query:
        expected += ("&" if "?" in expected else "?") + f"reply_to={reply.id}"
    expected += "#reply"
    assert urlsplit(link).path == "/login"
    assert parse_qs(urlsplit(link).query) == {"next": [expected]}

    response = client.post(link, data={"login": member.username, "password": PASSWORD})
    assert response.status_code == 302 and response.location == expected
    back = client.get(expected).get_data(as_text=True)
    assert '<form method="post" action="/t/' in back
    if "reply_to" in query:
        assert f'name="parent_id" type="hidden" value="{reply.id}"' in back


# --- A new member's first post -------------------------------------------------------------


NOTICE_RE = re.compile(r'<(?:p|div)[^>]*class="(?:[^"]*\s)?(notice|flash|flashes)(?:\s[^"]*)?"')


def notices(html: str) -> list[str]:
    """The opening tags of every notice and flash in the page's own content."""
    content = html.split('<main id="content"', 1)[1].split("</main>", 1)[0]
    return [match.group(0) for match in NOTICE_RE.finditer(content)]


@pytest.fixture
def hold_first_posts(app, monkeypatch):
    monkeypatch.setitem(app.config, "NEW_MEMBER_HELD_POSTS", 1)


def test_a_held_first_thread_lands_on_one_calm_notice(client, hold_first_posts):
    login(client, make_user("newcomer"))
    response = client.post(
        "/t/new",
        data={"title": "My very first post", "body": "Week one.", "tags": ["dryness"]},
    )
    assert response.status_code == 302
    html = client.get(response.location).get_data(as_text=True)
    [notice] = notices(html)
    assert "danger" not in notice and "warn" not in notice and "error" not in notice
    text = main(html)
    assert "Waiting for review." in text
    assert "usually happens within a day" in text
    assert "you'll get a notification saying why" in text


def test_a_held_first_reply_lands_on_one_calm_notice(client, hold_first_posts):
    thread = make_thread(make_user("guide", role=Role.MODERATOR))  # never held
    db.session.commit()
    login(client, make_user("newcomer"))
    response = client.post(f"/t/{thread.id}/reply", data={"body": "Same for me."})
    assert response.status_code == 302
    html = client.get(response.location).get_data(as_text=True)
    [notice] = notices(html)
    assert "danger" not in notice and "warn" not in notice
    assert "usually happens within a day" in main(html)


def test_moderators_still_see_why_a_post_is_held(client, hold_first_posts, moderator):
    newcomer = make_user("newcomer")
    db.session.commit()
    thread, _ = services.create_thread(
        newcomer, title="My very first post", body="Week one.", tag_slugs=["dryness"]
    )
    db.session.commit()
    login(client, moderator)
    text = main(client.get(f"/t/{thread.id}").get_data(as_text=True))
    assert "Waiting for review." in text and "a moderator checks new members" in text
    assert "Only its author and the moderators can see it for now." in text
