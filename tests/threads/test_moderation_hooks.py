"""The thread services run the moderation hooks (issue #4): held posts, crisis flags, the
search index, posting limits and page-cache purges, on creation and on every edit."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.errors import RateLimited
from forum.extensions import db
from forum.models import ItemStatus, PostStatus, ReviewItem, Role, utcnow
from forum.moderation import services as moderation
from forum.search import backend as search
from forum.threads import services
from forum.visibility import post_view
from tests.factories import make_post, make_user
from tests.search.support import searchable

CRISIS_TEXT = "Month four and honestly I want to die, nothing helps any more."


pytestmark = pytest.mark.usefixtures("shipped_tags")


@pytest.fixture
def veteran(app):
    """A member old enough that no hold applies to them."""
    user = make_user("veteran", created_at=utcnow() - timedelta(days=400))
    db.session.commit()
    return user


@pytest.fixture
def newcomer(app):
    user = make_user("newcomer")
    db.session.commit()
    return user


@pytest.fixture
def hold_first_posts(app, monkeypatch):
    monkeypatch.setitem(app.config, "NEW_MEMBER_HELD_POSTS", 1)


def start(author):
    return services.create_thread(author, title="Another week", body="Hi.", tag_slugs=["mood"])


def new_thread(author, *, title="Week two on isotretinoin", body="Lips dry."):
    thread, created = services.create_thread(author, title=title, body=body, tag_slugs=["dryness"])
    assert created
    return thread


def pending_item(post):
    return db.session.scalar(
        select(ReviewItem).where(
            ReviewItem.post_id == post.id, ReviewItem.status == ItemStatus.PENDING
        )
    )


# --- Held posts ------------------------------------------------------------------------------


def test_a_new_members_first_thread_is_held_with_its_whole_thread(newcomer, hold_first_posts):
    thread = new_thread(newcomer)
    opening = services.opening_post(thread)
    assert thread.status == opening.status == PostStatus.PENDING
    assert thread.screening == services.Screening(held=moderation.HOLD_NEW_MEMBER)
    item = pending_item(opening)
    assert item.is_held and item.held_reason == moderation.HOLD_NEW_MEMBER
    assert not item.is_crisis
    assert not searchable(opening)


def test_once_a_post_is_approved_the_next_ones_are_published(newcomer, hold_first_posts):
    thread = new_thread(newcomer)
    moderation.act_on_item(
        pending_item(services.opening_post(thread)),
        make_user(role=Role.MODERATOR),
        "approve",
        "Welcome.",
    )
    reply = make_post(thread, newcomer, body="An update a week later.")
    assert reply.status == PostStatus.VISIBLE and reply.screening.held is None
    assert pending_item(reply) is None
    assert searchable(reply) and searchable(services.opening_post(thread))


def test_links_from_a_young_account_are_held_in_replies(veteran, newcomer):
    thread = new_thread(veteran)
    reply = make_post(thread, newcomer, body="My routine: https://example.org/routine")
    assert reply.status == PostStatus.PENDING
    assert pending_item(reply).held_reason == moderation.HOLD_LINKS
    assert thread.status == PostStatus.VISIBLE  # only the reply waits
    assert post_view(reply, None) is None  # left out of readers' pages
    assert post_view(reply, newcomer).notice  # its author sees it, with a notice


def test_links_in_a_new_thread_title_or_body_are_held(newcomer):
    thread = new_thread(newcomer, body="See [this](https://example.org) for my routine.")
    assert thread.status == PostStatus.PENDING
    assert thread.screening.held == moderation.HOLD_LINKS


def test_links_from_an_older_account_are_published(veteran):
    thread = new_thread(veteran, body="Read https://example.org first.")
    assert thread.status == PostStatus.VISIBLE and thread.screening.held is None


def test_moderators_and_admins_are_never_held(app, hold_first_posts):
    for role in (Role.MODERATOR, Role.ADMIN):
        staff = make_user(role=role)
        thread = new_thread(staff, body="Rules: https://example.org/rules")
        assert thread.status == PostStatus.VISIBLE
        assert pending_item(services.opening_post(thread)) is None


def test_an_edit_adding_links_from_a_young_account_is_held(newcomer):
    thread = new_thread(newcomer)
    opening = services.opening_post(thread)
    assert opening.status == PostStatus.VISIBLE
    assert services.edit_post(opening, newcomer, body="Now with https://example.org")
    assert opening.status == thread.status == PostStatus.PENDING
    assert opening.screening.held == moderation.HOLD_LINKS
    assert not searchable(opening)


def test_an_edit_is_never_held_for_being_a_new_members_post(app, veteran, monkeypatch):
    # The new-member rule is for creation only: an approved post is not held again.
    newcomer = make_user("quick", created_at=utcnow() - timedelta(days=30))
    thread = new_thread(veteran)
    monkeypatch.setitem(app.config, "NEW_MEMBER_HELD_POSTS", 1)
    reply = make_post(thread, newcomer, body="First words.")
    moderation.act_on_item(pending_item(reply), make_user(role=Role.MODERATOR), "approve", "OK")
    assert services.edit_post(reply, newcomer, body="First words, edited.")
    assert reply.status == PostStatus.VISIBLE and reply.screening.held is None


# --- Crisis flags ----------------------------------------------------------------------------


def test_a_crisis_reply_is_published_and_queued_at_the_top(veteran):
    thread = new_thread(veteran)
    reported = make_post(thread, make_user(), body="Dry eyes, what drops work?")
    moderation.report_post(reported, make_user(), "misinformation", "Wrong.")
    crisis = make_post(thread, make_user(), body=CRISIS_TEXT)
    assert crisis.status == PostStatus.VISIBLE and searchable(crisis)
    assert crisis.screening.crisis == "want to die"
    item = pending_item(crisis)
    assert item.is_crisis and item.crisis_phrase == "want to die"
    queue = moderation.queue_page(make_user(role=Role.MODERATOR))
    assert [row.item.post_id for row in queue.rows] == [crisis.id, reported.id]


def test_a_crisis_phrase_in_a_thread_title_counts(veteran):
    thread = new_thread(veteran, title="I want to kill myself", body="Month five.")
    assert thread.status == PostStatus.VISIBLE
    assert thread.screening.crisis == "kill myself"
    assert pending_item(services.opening_post(thread)).is_crisis


def test_negations_and_idioms_do_not_flag(veteran):
    thread = new_thread(veteran, body="I'm dying to finish this course. Not suicidal at all.")
    assert thread.screening == services.Screening()
    assert pending_item(services.opening_post(thread)) is None


def test_every_edit_is_checked_for_crisis_phrases(veteran):
    thread = new_thread(veteran)
    opening = services.opening_post(thread)
    services.edit_post(opening, veteran, body="Lips dry.", title="Some days I want to die")
    assert opening.screening.crisis == "want to die"
    assert pending_item(opening).is_crisis and opening.status == PostStatus.VISIBLE


def test_a_held_post_in_crisis_is_one_item_both_held_and_crisis(newcomer, hold_first_posts):
    thread = new_thread(newcomer, body=CRISIS_TEXT)
    item = pending_item(services.opening_post(thread))
    assert item.is_held and item.is_crisis
    assert thread.screening == services.Screening(
        held=moderation.HOLD_NEW_MEMBER, crisis="want to die"
    )
    assert db.session.scalar(select(db.func.count()).select_from(ReviewItem)) == 1


# --- The search index ------------------------------------------------------------------------


def hits(words: str) -> list[tuple[str, int]]:
    page = search.search(search.parse_query(words))
    return [(hit.kind, hit.ref_id) for hit in page.hits]


def test_creating_replying_editing_and_deleting_keep_the_index_in_step(veteran):
    thread = new_thread(veteran, title="Chapstick comparison", body="Vaseline works best.")
    opening = services.opening_post(thread)
    reply = make_post(thread, make_user(), body="Lanolin saved my lips.")
    assert hits("vaseline") == [("thread", opening.id)]
    assert hits("lanolin") == [("reply", reply.id)]

    services.edit_post(opening, veteran, body="Aquaphor works best.", title="Balm comparison")
    assert hits("vaseline") == [] and hits("aquaphor") == [("thread", opening.id)]
    assert hits("balm") == [("thread", opening.id)] and hits("chapstick") == []

    services.edit_post(reply, reply.author, body="Shea butter saved my lips.")
    assert hits("lanolin") == [] and hits("shea") == [("reply", reply.id)]

    services.delete_post(reply, reply.author)
    assert hits("shea") == []


# --- Posting limits --------------------------------------------------------------------------


def test_limit_defaults_match_the_issue(app):
    assert app.config["POST_LIMIT"] == "10 per minute; 200 per day"
    assert app.config["REPORT_LIMIT"] == "20 per hour"


def test_posting_limit_counts_threads_and_replies_per_member(app, veteran, monkeypatch):
    monkeypatch.setitem(app.config, "POST_LIMIT", "3 per minute")
    thread = new_thread(veteran)
    services.reply(thread, veteran, body="one")
    services.reply(thread, veteran, body="two")
    with pytest.raises(RateLimited, match="Try again in"):
        services.reply(thread, veteran, body="three")
    with pytest.raises(RateLimited):
        start(veteran)
    services.reply(thread, make_user(), body="Someone else may still post.")


def test_a_double_submitted_form_is_not_counted_twice(app, veteran, monkeypatch):
    monkeypatch.setitem(app.config, "POST_LIMIT", "2 per minute")
    thread = new_thread(veteran)
    services.reply(thread, veteran, body="once", nonce="double-click-01")
    _, created = services.reply(thread, veteran, body="once", nonce="double-click-01")
    assert created is False
    with pytest.raises(RateLimited):
        services.reply(thread, veteran, body="a third post")


# --- Page cache purges -----------------------------------------------------------------------


def purge_requested() -> bool:
    return bool(db.session.info.get("purge_page_cache"))


def test_edits_and_deletes_purge_the_page_cache_but_new_posts_do_not(veteran):
    thread = new_thread(veteran)
    reply = make_post(thread, make_user(), body="A reply.")
    assert not purge_requested()  # a new post may wait ANON_CACHE_SECONDS for readers
    db.session.commit()
    services.edit_post(reply, reply.author, body="A reply, edited.")
    assert purge_requested()
    db.session.commit()
    assert not purge_requested()
    services.delete_post(reply, reply.author)
    assert purge_requested()


def test_moderator_decisions_and_auto_hiding_purge_the_page_cache(app, veteran):
    thread = new_thread(veteran)
    reply = make_post(thread, make_user(), body="Buy pills here.")
    db.session.commit()
    for n in range(app.config["AUTO_HIDE_REPORTS"]):
        moderation.report_post(reply, make_user(f"reporter{n}"), "spam")
    assert reply.status == PostStatus.HIDDEN and purge_requested()
    db.session.commit()
    moderation.act_on_item(pending_item(reply), make_user(role=Role.MODERATOR), "remove", "Spam.")
    assert purge_requested()
