from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.errors import ForumError, InvalidAction, NotFound, PermissionDenied, RateLimited
from forum.extensions import db
from forum.models import (
    GuideArticle,
    ItemStatus,
    ModAction,
    ModerationAction,
    Notification,
    PostStatus,
    Report,
    ReviewItem,
    Role,
    UserSession,
    UserStatus,
    utcnow,
)
from forum.moderation import services
from forum.moderation.services import Decision
from forum.visibility import can_see_post
from tests.factories import make_user
from tests.moderation.helpers import make_reply, make_thread, searchable


@pytest.fixture
def author(app):
    return make_user("author")


@pytest.fixture
def reporters(app):
    return [make_user(f"reader{n}") for n in range(4)]


@pytest.fixture
def mod(app):
    return make_user("modone", role=Role.MODERATOR)


@pytest.fixture
def thread_and_reply(author):
    thread, opening = make_thread(author, "Month two dryness", "Lips cracking.")
    reply = make_reply(thread, author, "Try this miracle cure instead.")
    return thread, opening, reply


def notifications_of(user):
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


def pending_item(post):
    return db.session.scalar(
        select(ReviewItem).where(
            ReviewItem.post_id == post.id, ReviewItem.status == ItemStatus.PENDING
        )
    )


def log_actions():
    return [
        entry.action
        for entry in db.session.scalars(select(ModerationAction).order_by(ModerationAction.id))
    ]


# --- Reporting -----------------------------------------------------------------------------


def test_report_creates_a_pending_item_with_a_snapshot(thread_and_reply, reporters):
    _, _, reply = thread_and_reply
    report = services.report_post(reply, reporters[0], "harassment", "Rude to a newcomer.")
    db.session.commit()
    item = pending_item(reply)
    assert report.item_id == item.id
    assert report.snapshot == "Try this miracle cure instead."
    assert (item.severity, item.reporter_count, item.is_held) == (2, 1, False)
    assert reply.status == PostStatus.VISIBLE


def test_opening_post_snapshot_includes_the_title(thread_and_reply, reporters):
    _, opening, _ = thread_and_reply
    report = services.report_post(opening, reporters[0], "spam")
    assert report.snapshot == "Month two dryness\n\nLips cracking."


def test_snapshot_survives_an_edit_and_a_second_report(thread_and_reply, reporters):
    _, _, reply = thread_and_reply
    services.report_post(reply, reporters[0], "spam", "first")
    db.session.commit()
    reply.body = "Edited to look harmless."
    report = services.report_post(reply, reporters[0], "misinformation", "second")
    db.session.commit()
    reports = list(db.session.scalars(select(Report)))
    assert len(reports) == 1
    assert report.snapshot == "Try this miracle cure instead."
    assert (report.reason, report.note) == ("misinformation", "second")
    assert pending_item(reply).severity == 2
    detail = services.item_detail(pending_item(reply).id, make_user("m2", role=Role.MODERATOR))
    assert detail.current_text == "Edited to look harmless."


def test_one_item_per_post_aggregates_reporters(thread_and_reply, reporters):
    _, _, reply = thread_and_reply
    services.report_post(reply, reporters[0], "spam")
    services.report_post(reply, reporters[1], "other")
    db.session.commit()
    items = list(db.session.scalars(select(ReviewItem)))
    assert len(items) == 1
    assert (items[0].reporter_count, items[0].severity) == (2, 1)


def test_crisis_report_gives_top_severity(thread_and_reply, reporters):
    _, _, reply = thread_and_reply
    services.report_post(reply, reporters[0], "spam")
    services.report_post(reply, reporters[1], "crisis")
    assert pending_item(reply).severity == 3


def test_members_cannot_report_their_own_post(thread_and_reply, author):
    _, _, reply = thread_and_reply
    with pytest.raises(PermissionDenied, match="your own post"):
        services.report_post(reply, author, "spam")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"verified": False}, "confirm your email"),
        ({"status": UserStatus.BANNED}, "banned"),
    ],
)
def test_reporter_must_be_able_to_write(thread_and_reply, fields, message):
    _, _, reply = thread_and_reply
    reporter = make_user("someone", **fields)
    with pytest.raises(PermissionDenied, match=message):
        services.report_post(reply, reporter, "spam")


def test_suspended_reporter_gets_the_reason_and_end_date(thread_and_reply):
    _, _, reply = thread_and_reply
    until = utcnow() + timedelta(days=3)
    reporter = make_user(
        "suspended", status=UserStatus.SUSPENDED, suspended_until=until, status_reason="Spam."
    )
    with pytest.raises(PermissionDenied) as caught:
        services.report_post(reply, reporter, "spam")
    assert caught.value.status == 403
    assert f"{until:%d %B %Y}" in str(caught.value) and "Spam." in str(caught.value)


def test_hidden_and_removed_posts_are_not_found_for_readers(thread_and_reply, reporters):
    _, _, reply = thread_and_reply
    reply.status = PostStatus.HIDDEN
    with pytest.raises(NotFound):
        services.report_post(reply, reporters[0], "spam")
    reply.status = PostStatus.VISIBLE
    reply.deleted_at = utcnow()
    with pytest.raises(NotFound):
        services.report_post(reply, reporters[0], "spam")


def test_replies_in_a_hidden_thread_are_not_found(thread_and_reply, reporters):
    thread, _, reply = thread_and_reply
    thread.status = PostStatus.HIDDEN
    with pytest.raises(NotFound):
        services.report_post(reply, reporters[0], "spam")


@pytest.mark.parametrize(("reason", "note"), [("nonsense", ""), ("spam", "x" * 1001)])
def test_bad_reason_or_long_note_is_refused(thread_and_reply, reporters, reason, note):
    _, _, reply = thread_and_reply
    with pytest.raises(ForumError) as caught:
        services.report_post(reply, reporters[0], reason, note)
    assert caught.value.status == 422


def test_report_limit_refuses_attempt_n_plus_one(app, author, reporters, monkeypatch):
    monkeypatch.setitem(app.config, "REPORT_LIMIT", "2 per hour")
    thread, _ = make_thread(author)
    replies = [make_reply(thread, author, f"reply {n}") for n in range(3)]
    services.report_post(replies[0], reporters[0], "spam")
    services.report_post(replies[1], reporters[0], "spam")
    with pytest.raises(RateLimited):
        services.report_post(replies[2], reporters[0], "spam")
    services.report_post(replies[2], reporters[1], "spam")  # the limit is per member


def test_report_never_notifies_the_author(thread_and_reply, author, reporters):
    _, _, reply = thread_and_reply
    for reporter in reporters[:3]:
        services.report_post(reply, reporter, "harassment")
    db.session.commit()
    assert reply.status == PostStatus.HIDDEN
    assert notifications_of(author) == []
    # Once hidden, readers cannot see the post, so they cannot report it either.
    with pytest.raises(NotFound):
        services.report_post(reply, reporters[3], "spam")


# --- Auto-hide -----------------------------------------------------------------------------


def test_hidden_at_exactly_auto_hide_distinct_reporters(app, thread_and_reply, reporters):
    assert app.config["AUTO_HIDE_REPORTS"] == 3
    _, _, reply = thread_and_reply
    services.report_post(reply, reporters[0], "spam")
    services.report_post(reply, reporters[1], "spam")
    db.session.commit()
    assert reply.status == PostStatus.VISIBLE
    assert searchable(reply)
    services.report_post(reply, reporters[2], "spam")
    db.session.commit()
    assert reply.status == PostStatus.HIDDEN
    assert reply.status_reason == services.AUTO_HIDDEN_REASON
    assert not searchable(reply)
    entry = db.session.scalar(select(ModerationAction))
    assert (entry.action, entry.moderator_id, entry.detail) == ("post:hide", None, "automatic")


def test_repeated_reports_by_one_member_do_not_hide(thread_and_reply, reporters):
    _, _, reply = thread_and_reply
    for reason in ("spam", "other", "harassment", "spam"):
        services.report_post(reply, reporters[0], reason)
    services.report_post(reply, reporters[1], "spam")
    db.session.commit()
    assert pending_item(reply).reporter_count == 2
    assert reply.status == PostStatus.VISIBLE


def test_auto_hide_threshold_is_configurable(app, thread_and_reply, reporters, monkeypatch):
    monkeypatch.setitem(app.config, "AUTO_HIDE_REPORTS", 1)
    _, _, reply = thread_and_reply
    services.report_post(reply, reporters[0], "spam")
    assert reply.status == PostStatus.HIDDEN


def test_moderator_report_hides_at_once(thread_and_reply, mod):
    _, _, reply = thread_and_reply
    services.report_post(reply, mod, "harassment", "Needs a look.")
    db.session.commit()
    assert reply.status == PostStatus.HIDDEN
    assert reply.status_reason == services.MODERATOR_REPORT_REASON
    # The log entry is the site's, so the public log cannot name the reporting moderator.
    assert db.session.scalar(select(ModerationAction)).moderator_id is None


def test_auto_hiding_an_opening_post_hides_the_thread(app, thread_and_reply, mod):
    thread, opening, reply = thread_and_reply
    services.report_post(opening, mod, "spam")
    db.session.commit()
    assert (opening.status, thread.status) == (PostStatus.HIDDEN, PostStatus.HIDDEN)
    assert not searchable(opening) and not searchable(reply)


# --- Held posts and crisis flags -----------------------------------------------------------


@pytest.fixture
def hold_first_post(app, monkeypatch):
    monkeypatch.setitem(app.config, "NEW_MEMBER_HELD_POSTS", 1)


def test_first_post_of_an_account_is_held_until_one_is_published(hold_first_post, author):
    assert services.should_hold(author, "Hello everyone") == services.HOLD_NEW_MEMBER
    _, post = make_thread(author, status=PostStatus.PENDING)
    assert services.should_hold(author, "Second post") == services.HOLD_NEW_MEMBER
    post.status = PostStatus.VISIBLE
    db.session.flush()
    assert services.should_hold(author, "Third post") is None


def test_first_posts_count_is_configurable(app, author, monkeypatch):
    monkeypatch.setitem(app.config, "NEW_MEMBER_HELD_POSTS", 2)
    make_thread(author)
    assert services.should_hold(author, "Second") == services.HOLD_NEW_MEMBER
    make_thread(author)
    assert services.should_hold(author, "Third") is None


def test_edits_are_not_held_for_being_early(hold_first_post, author):
    assert services.should_hold(author, "Fixing a typo", editing=True) is None


@pytest.mark.parametrize(
    "text",
    [
        "see https://example.org/cure",
        "see http://example.org",
        "go to www.example.org now",
        "[my shop](example.org)",
        "[shop]: example.org",
        "HTTPS://EXAMPLE.ORG",
    ],
)
def test_links_from_young_accounts_are_held(app, text):
    young = make_user("young", created_at=utcnow() - timedelta(days=2))
    make_thread(young)  # one published post: only the link rule applies
    assert services.should_hold(young, text) == services.HOLD_LINKS
    assert services.should_hold(young, text, editing=True) == services.HOLD_LINKS


@pytest.mark.parametrize("text", ["no links here", "I took 40 mg. Then 60 mg.", "[note] fine"])
def test_text_without_links_is_not_held(app, text):
    young = make_user("young", created_at=utcnow() - timedelta(days=1))
    make_thread(young)
    assert services.should_hold(young, text) is None


def test_links_from_older_accounts_are_not_held(app):
    older = make_user("older", created_at=utcnow() - timedelta(days=3, minutes=1))
    make_thread(older)
    assert services.should_hold(older, "https://example.org") is None


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ADMIN])
def test_moderators_are_never_held(hold_first_post, role):
    staff = make_user("staff", role=role)
    assert services.should_hold(staff, "first post with https://example.org") is None


def test_hold_post_keeps_it_from_readers(author):
    thread, opening = make_thread(author, "Help", "My first post")
    item = services.hold_post(opening, services.HOLD_NEW_MEMBER)
    db.session.commit()
    assert (opening.status, thread.status) == (PostStatus.PENDING, PostStatus.PENDING)
    assert opening.status_reason == services.HELD_REASON
    assert (item.is_held, item.held_reason, item.severity) == (True, "new_member", 0)
    assert not searchable(opening)
    assert can_see_post(opening, author)
    assert not can_see_post(opening, make_user("reader"))
    assert not can_see_post(opening, None)


def test_hold_on_edit_reuses_the_pending_item(thread_and_reply, reporters):
    _, _, reply = thread_and_reply
    services.report_post(reply, reporters[0], "spam")
    item = services.hold_post(reply, services.HOLD_LINKS)
    db.session.commit()
    assert db.session.scalar(select(db.func.count(ReviewItem.id))) == 1
    assert (item.is_held, item.reporter_count, item.severity) == (True, 1, 1)


def test_flag_crisis_queues_without_hiding(thread_and_reply, reporters):
    _, _, reply = thread_and_reply
    services.report_post(reply, reporters[0], "spam")
    item = services.flag_crisis(reply, "want to die")
    db.session.commit()
    assert (item.is_crisis, item.severity, item.crisis_phrase) == (True, 3, "want to die")
    assert reply.status == PostStatus.VISIBLE and searchable(reply)
    # A later report keeps the crisis severity.
    services.report_post(reply, reporters[1], "spam")
    assert item.severity == 3


# --- The queue -----------------------------------------------------------------------------


def test_queue_order_crisis_then_misinfo_then_reporters_then_age(author, reporters, mod):
    thread, _ = make_thread(author)
    now = utcnow()
    old_spam = make_reply(thread, author, "old spam")
    new_spam_two = make_reply(thread, author, "two reporters")
    harassment = make_reply(thread, author, "harassment")
    misinfo = make_reply(thread, author, "misinformation")
    crisis = make_reply(thread, author, "crisis")
    held = make_reply(thread, author, "held")
    services.hold_post(held, now=now - timedelta(days=5))
    services.report_post(old_spam, reporters[0], "spam", now=now - timedelta(hours=5))
    services.report_post(new_spam_two, reporters[0], "spam", now=now - timedelta(hours=1))
    services.report_post(new_spam_two, reporters[1], "other", now=now - timedelta(hours=1))
    services.report_post(harassment, reporters[0], "harassment", now=now - timedelta(hours=2))
    services.report_post(misinfo, reporters[0], "misinformation", now=now - timedelta(hours=3))
    services.report_post(misinfo, reporters[1], "misinformation", now=now - timedelta(hours=3))
    services.flag_crisis(crisis, "hurt myself", now=now)
    db.session.commit()

    page = services.queue_page(mod)
    assert [row.item.post.body for row in page.rows] == [
        "crisis",
        "misinformation",
        "harassment",
        "two reporters",
        "old spam",
        "held",
    ]
    assert page.rows[0].badges[0] == ("Crisis", "crisis")
    assert ("2 reporters", "count") in page.rows[1].badges
    assert ("Held: new member", "held") in page.rows[-1].badges


def test_queue_filters(author, reporters, mod):
    thread, _ = make_thread(author)
    spam = make_reply(thread, author, "spam")
    held = make_reply(thread, author, "held")
    crisis = make_reply(thread, author, "crisis")
    services.report_post(spam, reporters[0], "spam")
    services.hold_post(held)
    services.flag_crisis(crisis, "end it all")
    db.session.commit()

    def bodies(**filters):
        return {row.item.post.body for row in services.queue_page(mod, **filters).rows}

    assert bodies(reason="spam") == {"spam"}
    assert bodies(reason="held") == {"held"}
    assert bodies(reason="crisis") == {"crisis"}
    assert bodies(reason="harassment") == set()
    assert bodies(status="resolved") == set()
    with pytest.raises(ForumError):
        services.queue_page(mod, reason="bogus")
    with pytest.raises(ForumError):
        services.queue_page(mod, status="archived")
    with pytest.raises(ForumError):
        services.queue_page(mod, page="0")


def test_queue_pages(author, reporters, mod):
    thread, _ = make_thread(author)
    for n in range(3):
        services.report_post(make_reply(thread, author, f"r{n}"), reporters[0], "spam")
    db.session.commit()
    first = services.queue_page(mod, per_page=2)
    second = services.queue_page(mod, per_page=2, page=2)
    assert (len(first.rows), first.has_next, len(second.rows), second.has_next) == (
        2,
        True,
        1,
        False,
    )


def test_queue_and_items_are_for_moderators_only(thread_and_reply, reporters):
    _, _, reply = thread_and_reply
    services.report_post(reply, reporters[0], "spam")
    item = pending_item(reply)
    for call in (
        lambda: services.queue_page(reporters[1]),
        lambda: services.item_detail(item.id, reporters[1]),
        lambda: services.claim_item(item, reporters[1]),
        lambda: services.act_on_item(item, reporters[1], "hide", "no"),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_resolved_items_leave_the_queue_and_keep_their_history(thread_and_reply, reporters, mod):
    _, _, reply = thread_and_reply
    services.report_post(reply, reporters[0], "spam")
    item = pending_item(reply)
    services.act_on_item(item, mod, "hide", "Advertising.")
    db.session.commit()
    assert services.queue_page(mod).rows == []
    (row,) = services.queue_page(mod, status="resolved").rows
    assert row.item.id == item.id
    detail = services.item_detail(item.id, mod)
    assert [entry.action for entry in detail.item_actions] == ["post:hide"]
    assert [report.reporter.username for report in detail.item.reports] == ["reader0"]


def test_item_detail_shows_author_history(thread_and_reply, reporters, mod):
    _, opening, reply = thread_and_reply
    services.report_post(opening, reporters[0], "spam")
    services.act_on_item(pending_item(opening), mod, "warn", "Be kind.")
    services.report_post(reply, reporters[0], "harassment")
    db.session.commit()
    detail = services.item_detail(pending_item(reply).id, mod)
    assert detail.parent.id == opening.id
    assert detail.author_post_count == 2
    assert [entry.action for entry in detail.author_actions] == ["user:warn"]


# --- Claims --------------------------------------------------------------------------------


@pytest.fixture
def item(thread_and_reply, reporters):
    _, _, reply = thread_and_reply
    services.report_post(reply, reporters[0], "spam")
    db.session.commit()
    return pending_item(reply)


def test_claim_conflicts(item, mod):
    other = make_user("modtwo", role=Role.MODERATOR)
    services.claim_item(item, mod)
    services.claim_item(item, mod)  # claiming again refreshes one's own claim
    with pytest.raises(InvalidAction, match="modone is working on this item") as caught:
        services.claim_item(item, other)
    assert caught.value.status == 409
    with pytest.raises(InvalidAction, match="modone"):
        services.act_on_item(item, other, "dismiss", "Fine.")
    with pytest.raises(InvalidAction):
        services.release_item(item, other)
    services.release_item(item, mod)
    services.claim_item(item, other)
    assert item.claimed_by_id == other.id


def test_stale_claims_can_be_taken_over(item, mod):
    other = make_user("modtwo", role=Role.MODERATOR)
    services.claim_item(item, mod, now=utcnow() - timedelta(minutes=31))
    services.claim_item(item, other)
    assert item.claimed_by_id == other.id


def test_resolved_items_cannot_be_claimed_or_acted_on(item, mod):
    services.act_on_item(item, mod, "dismiss", "Fine.")
    with pytest.raises(InvalidAction, match="already resolved by modone"):
        services.claim_item(item, mod)
    with pytest.raises(InvalidAction):
        services.act_on_item(item, mod, "hide", "Changed my mind.")


# --- Actions -------------------------------------------------------------------------------


def test_actions_need_a_reason_and_a_known_action(item, mod):
    for action, reason in (("hide", "  "), ("explode", "Because.")):
        with pytest.raises(ForumError) as caught:
            services.act_on_item(item, mod, action, reason)
        assert caught.value.status == 422
    assert item.status == ItemStatus.PENDING


def test_moderators_do_not_decide_on_their_own_posts(app, mod, reporters):
    thread, opening = make_thread(mod)
    services.report_post(opening, reporters[0], "spam")
    with pytest.raises(PermissionDenied):
        services.act_on_item(pending_item(opening), mod, "dismiss", "Mine is fine.")


def test_hide_action(thread_and_reply, item, mod, author, reporters):
    _, _, reply = thread_and_reply
    services.report_post(reply, reporters[1], "other")
    services.act_on_item(item, mod, "hide", "Sells a fake cure.")
    db.session.commit()
    assert (reply.status, reply.status_reason) == (PostStatus.HIDDEN, "Sells a fake cure.")
    assert not searchable(reply)
    assert (item.status, item.outcome, item.resolved_by_id) == ("resolved", "hide", mod.id)
    assert item.resolved_at is not None
    assert not any(r.is_open for r in db.session.scalars(select(Report)))
    (told,) = notifications_of(author)
    assert "hid your reply in “Month two dryness”" in told.message
    assert "Sells a fake cure." in told.message
    assert (told.post_id, told.thread_id) == (reply.id, reply.thread_id)
    for reporter in reporters[:2]:
        (outcome,) = notifications_of(reporter)
        assert outcome.message == (
            "Thanks for your report about a post in “Month two dryness”. "
            "A moderator reviewed it and hid it."
        )
    assert log_actions() == ["post:hide"]
    entry = db.session.scalar(select(ModerationAction))
    assert (entry.moderator_id, entry.target_post_id, entry.item_id, entry.reason) == (
        mod.id,
        reply.id,
        item.id,
        "Sells a fake cure.",
    )


def test_reporter_notification_names_no_reporter_or_reason(item, mod, reporters):
    services.act_on_item(item, mod, "remove", "Private note: repeat offender.")
    db.session.commit()
    (outcome,) = notifications_of(reporters[0])
    assert outcome.message.endswith("A moderator reviewed it and removed it.")
    assert "Private note" not in outcome.message and "reader" not in outcome.message


def test_remove_action_on_an_opening_post_removes_the_thread(author, reporters, mod):
    thread, opening = make_thread(author, "Bad thread", "bad")
    reply = make_reply(thread, reporters[1], "a reply")
    services.report_post(opening, reporters[0], "spam")
    services.act_on_item(pending_item(opening), mod, "remove", "Spam.")
    db.session.commit()
    assert (opening.status, thread.status) == (PostStatus.REMOVED, PostStatus.REMOVED)
    assert opening.body == "bad"  # the text stays for the audit trail
    assert not searchable(opening) and not searchable(reply)
    assert "removed your thread in “Bad thread”" in notifications_of(author)[0].message


@pytest.mark.parametrize("action", ["approve", "dismiss"])
def test_approve_restores_an_auto_hidden_thread(action, author, reporters, mod):
    thread, opening = make_thread(author, "Fine thread", "fine")
    for reporter in reporters[:3]:
        services.report_post(opening, reporter, "spam")
    assert thread.status == PostStatus.HIDDEN
    services.act_on_item(pending_item(opening), mod, action, "Not spam.")
    db.session.commit()
    assert (opening.status, thread.status, opening.status_reason) == ("visible", "visible", None)
    assert searchable(opening)
    assert notifications_of(author) == []
    assert all(
        "keeps to the community guidelines" in notifications_of(r)[0].message for r in reporters[:3]
    )
    last = db.session.scalars(select(ModerationAction).order_by(ModerationAction.id)).all()[-1]
    assert last.action == "post:approve"
    assert last.detail == ("reports dismissed" if action == "dismiss" else None)


def test_approving_a_held_post_publishes_it_and_tells_only_its_author(author, mod):
    thread, opening = make_thread(author)
    item = services.hold_post(opening)
    services.act_on_item(item, mod, "approve", "Welcome.")
    db.session.commit()
    assert (opening.status, thread.status) == ("visible", "visible")
    assert searchable(opening)
    # Issue #12: the author hears that the held post was approved; nobody else is told.
    notes = db.session.execute(select(Notification.user_id, Notification.kind)).all()
    assert notes == [(author.id, "post_approved")]


def test_removed_posts_cannot_be_approved(thread_and_reply, item, mod, reporters):
    _, _, reply = thread_and_reply
    reply.status = PostStatus.REMOVED
    with pytest.raises(InvalidAction, match="final"):
        services.act_on_item(item, mod, "approve", "Oops.")


def test_label_action_with_and_without_an_article(app, thread_and_reply, item, mod, author):
    _, _, reply = thread_and_reply
    article = GuideArticle(slug="dryness", title="Dryness", published=True)
    db.session.add(article)
    db.session.flush()
    with pytest.raises(ForumError) as caught:
        services.act_on_item(item, mod, "label", "Wrong.", article="no-such-article")
    assert caught.value.status == 422 and item.status == "pending"
    services.act_on_item(item, mod, "label", "Not what the evidence says.", article="dryness")
    db.session.commit()
    assert (reply.label, reply.label_article_id, reply.status) == (
        "misinformation",
        article.id,
        "visible",
    )
    assert "as medical misinformation" in notifications_of(author)[0].message
    assert log_actions() == ["post:label"]


def test_label_accepts_an_article_id_and_none(author, reporters, mod):
    thread, _ = make_thread(author)
    first, second = make_reply(thread, author, "one"), make_reply(thread, author, "two")
    article = GuideArticle(slug="mood", title="Mood", published=True)
    db.session.add(article)
    services.report_post(first, reporters[0], "misinformation")
    services.report_post(second, reporters[0], "misinformation")
    db.session.flush()
    services.act_on_item(pending_item(first), mod, "label", "Wrong.", article=str(article.id))
    services.act_on_item(pending_item(second), mod, "label", "Wrong.")
    assert (first.label_article_id, second.label_article_id) == (article.id, None)
    assert second.label == "misinformation"


def test_lock_action(thread_and_reply, item, mod, author):
    thread, _, reply = thread_and_reply
    services.act_on_item(item, mod, "lock", "Going in circles.")
    db.session.commit()
    assert thread.locked and reply.status == "visible"
    assert "locked the thread “Month two dryness”" in notifications_of(author)[0].message
    assert log_actions() == ["thread:lock"]


def test_warn_action_keeps_a_published_post(thread_and_reply, item, mod, author):
    _, _, reply = thread_and_reply
    services.act_on_item(item, mod, "warn", "Be kinder.")
    db.session.commit()
    assert reply.status == "visible"
    (warning,) = notifications_of(author)
    assert warning.kind == "warning" and "Be kinder." in warning.message
    assert log_actions() == ["user:warn"]


def test_a_held_post_offers_approve_and_decline(author, mod):
    # Issue #16: a held post offers approve and decline (and the spammer purge), no warn.
    _, opening = make_thread(author)
    item = services.hold_post(opening, services.HOLD_LINKS)
    with pytest.raises(InvalidAction, match="approved or declined"):
        services.act_on_item(item, mod, "warn", "No shop links.")
    services.act_on_item(item, mod, "decline", "No shop links.")
    assert (opening.status, opening.status_reason) == ("removed", "No shop links.")
    assert log_actions() == ["post:decline"]


def test_suspend_action(thread_and_reply, item, mod, author):
    with pytest.raises(ForumError):
        services.act_on_item(item, mod, "suspend", "Spam.", days=0)
    with pytest.raises(ForumError):
        services.act_on_item(item, mod, "suspend", "Spam.", days=366)
    services.act_on_item(item, mod, "suspend", "Repeated spam.", days=7)
    db.session.commit()
    assert author.status == UserStatus.SUSPENDED and author.is_suspended
    assert author.status_reason == "Repeated spam."
    assert timedelta(days=6, hours=23) < author.suspended_until - utcnow() <= timedelta(days=7)
    with pytest.raises(PermissionDenied, match="suspended until"):
        services.report_post(make_thread(make_user("x"))[1], author, "spam")
    assert "suspended until" in notifications_of(author)[0].message
    entry = db.session.scalar(select(ModerationAction))
    assert (entry.action, entry.detail, entry.target_user_id) == (
        "user:suspend",
        "7 days",
        author.id,
    )


def test_ban_action_ends_every_session(thread_and_reply, item, mod, author):
    for n in range(2):
        db.session.add(UserSession(token_hash=f"{n}" * 64, user_id=author.id))
    db.session.commit()
    services.act_on_item(item, mod, "ban", "Selling the drug.")
    db.session.commit()
    assert (author.status, author.status_reason) == ("banned", "Selling the drug.")
    assert db.session.scalar(select(db.func.count(UserSession.id))) == 0
    assert log_actions() == ["user:ban"]


def test_only_admins_sanction_moderators(app, reporters, mod):
    other_mod = make_user("modtwo", role=Role.MODERATOR)
    admin = make_user("boss", role=Role.ADMIN)
    _, opening = make_thread(other_mod)
    services.report_post(opening, reporters[0], "harassment")
    item = pending_item(opening)
    with pytest.raises(PermissionDenied, match="Only an admin"):
        services.act_on_item(item, mod, "ban", "No.")
    services.act_on_item(item, admin, "suspend", "Cool off.", days=1)
    assert other_mod.status == "suspended"


def test_already_locked_thread_cannot_be_locked_again(thread_and_reply, item, mod):
    thread, _, _ = thread_and_reply
    thread.locked = True
    with pytest.raises(InvalidAction, match="already locked"):
        services.act_on_item(item, mod, "lock", "Again.")


# Every decision a reported public reply offers (issue #16); the others have tests below.
OFFERED_FOR_A_REPORTED_REPLY = [
    "dismiss",
    "hide",
    "remove",
    "label",
    "lock",
    "warn",
    "suspend",
    "ban",
    "purge_spammer",
]


@pytest.mark.parametrize("decision", OFFERED_FOR_A_REPORTED_REPLY)
def test_every_action_resolves_the_item_and_logs(thread_and_reply, item, mod, decision):
    services.act_on_item(item, mod, decision, "Reason.", days=3)
    db.session.commit()
    assert item.status == "resolved" and item.outcome == decision
    assert db.session.scalar(select(db.func.count(ModerationAction.id))) >= 1
    assert db.session.scalar(select(Report)).is_open is False


# --- Audit log -----------------------------------------------------------------------------


def test_log_entries_cannot_be_edited_or_deleted(item, mod):
    services.act_on_item(item, mod, "hide", "Spam.")
    db.session.commit()
    entry = db.session.scalar(select(ModerationAction))
    entry.reason = "Something nicer."
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalar(select(ModerationAction)))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(ModerationAction)).reason == "Spam."


def test_log_action_records_every_target(thread_and_reply, mod, author):
    thread, _, reply = thread_and_reply
    entry = services.log_action(
        mod, ModAction.POST_HIDE, post=reply, user=author, reason="Because.", detail="d"
    )
    db.session.commit()
    assert (entry.target_post_id, entry.target_thread_id, entry.target_user_id) == (
        reply.id,
        thread.id,
        author.id,
    )
    assert entry.is_safety is False


def test_public_log_redacts_hidden_threads_and_crisis_items(author, reporters, mod):
    public, opening = make_thread(author, "Public thread", "ok")
    hidden_thread, hidden_opening = make_thread(author, "Secret title", "bad")
    reply = make_reply(public, author, "rude")
    crisis = make_reply(public, author, "I want to hurt myself")
    services.report_post(reply, reporters[0], "harassment")
    services.act_on_item(pending_item(reply), mod, "hide", "Rude.")
    services.report_post(hidden_opening, reporters[0], "spam")
    services.act_on_item(pending_item(hidden_opening), mod, "remove", "Spam.")
    services.flag_crisis(crisis, "hurt myself")
    services.act_on_item(
        pending_item(crisis), mod, "followed_up", "Reached out.", follow_up="reached_out"
    )
    services.report_post(opening, reporters[1], "other")
    services.act_on_item(pending_item(opening), mod, "suspend", "Cool off.", days=2)
    db.session.commit()

    entries = services.public_log().entries
    assert [(e.action, e.target, e.reason) for e in entries] == [
        ("Suspended", "author", "Cool off."),
        ("Safety action", None, None),
        ("Removed", "a thread", "Spam."),
        ("Hid", "a reply in “Public thread”", "Rude."),
    ]
    assert entries[-1].target_url == f"/t/{public.id}"
    assert entries[2].target_url is None
    assert {e.moderator for e in entries} == {"modone"}
    assert all("Secret title" not in str(vars(e)) for e in entries)
    assert all("reader" not in str(vars(e)) for e in entries)


def test_public_log_pages_by_cursor(thread_and_reply, mod, author):
    _, _, reply = thread_and_reply
    stamp = utcnow()
    for n in range(5):
        entry = services.log_action(mod, ModAction.USER_WARN, user=author, reason=f"r{n}")
        entry.created_at = stamp  # equal times: the id breaks the tie
    db.session.commit()
    first = services.public_log(limit=2)
    second = services.public_log(before=first.next_cursor, limit=2)
    third = services.public_log(before=second.next_cursor, limit=2)
    reasons = [e.reason for page in (first, second, third) for e in page.entries]
    assert reasons == ["r4", "r3", "r2", "r1", "r0"]
    assert third.next_cursor is None
    with pytest.raises(ForumError):
        services.public_log(before="garbage")


def test_every_decision_has_exactly_one_handler():
    assert set(services.HANDLERS) == set(Decision)
    assert set(services.DECISION_LABELS) == set(Decision)
