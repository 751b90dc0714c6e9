"""Posting, editing, deleting, helpful marks, experience snapshots and who sees what."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from forum.errors import ForumError, InvalidAction, NotFound, PermissionDenied
from forum.extensions import db
from forum.models import HelpfulMark, Post, PostRevision, PostStatus, Stage, Thread, utcnow
from forum.threads import services
from forum.visibility import can_see_thread, post_view, thread_notice
from tests.factories import make_post, make_tag, make_thread, make_user


@pytest.fixture
def tags(app):
    return [make_tag("dryness"), make_tag("mood"), make_tag("dosage"), make_tag("side-effects")]


def start(author, **kwargs):
    fields = {"title": "Month two update", "body": "Lips are dry.", "tag_slugs": ["dryness"]}
    fields.update(kwargs)
    return services.create_thread(author, **fields)


# --- Starting threads -----------------------------------------------------------------------


def test_create_thread_stores_source_html_tags_and_details(tags):
    author = make_user()
    thread, created = start(
        author,
        body="**Very** dry",
        tag_slugs=["mood", "dryness"],
        details=services.explicit_experience(Stage.ON_TREATMENT, 2, None, 40),
    )
    opening = services.opening_post(thread)
    assert created
    assert [tag.slug for tag in thread.tags] == ["dryness", "mood"]
    assert opening.body == "**Very** dry"
    assert opening.body_html == "<p><strong>Very</strong> dry</p>"
    assert thread.badge == opening.badge == "Month 2 · 40 mg/day"


def test_create_thread_requires_a_verified_member_in_good_standing(tags):
    with pytest.raises(PermissionDenied, match="confirm your email"):
        start(make_user(verified=False))
    with pytest.raises(PermissionDenied, match="suspended until"):
        start(make_user(status="suspended", suspended_until=utcnow() + timedelta(days=2)))
    assert db.session.scalar(select(func.count(Thread.id))) == 0


@pytest.mark.parametrize(
    ("slugs", "message"),
    [([], "1 to 3"), (["dryness", "mood", "dosage", "side-effects"], "1 to 3"), (["nope"], "list")],
)
def test_create_thread_checks_tags(tags, slugs, message):
    with pytest.raises(ForumError, match=message):
        start(make_user(), tag_slugs=slugs)


def test_create_thread_same_nonce_twice_makes_one_thread(tags):
    author = make_user()
    first, created = start(author, nonce="nonce-abcdefgh")
    again, created_again = start(author, nonce="nonce-abcdefgh")
    assert created and not created_again
    assert again.id == first.id
    assert db.session.scalar(select(func.count(Thread.id))) == 1


# --- Experience snapshots -------------------------------------------------------------------


TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("course", "expected", "badge"),
    [
        ({}, services.Experience(), ""),
        (
            {"course_start": date(2026, 9, 1), "course_dose_mg": 40},
            services.Experience(Stage.ON_TREATMENT, 3, None, 40),
            "Month 3 · 40 mg/day",
        ),
        (
            {"course_start": date(2026, 9, 26), "course_dose_mg": 20},
            services.Experience(Stage.ON_TREATMENT, 2, None, 20),
            "Month 2 · 20 mg/day",
        ),
        (
            {"course_start": date(2025, 1, 1), "course_end": date(2026, 3, 20)},
            services.Experience(Stage.FINISHED, None, 8, None),
            "8 months after",
        ),
        ({"course_start": date(2027, 1, 1)}, services.Experience(Stage.CONSIDERING), "Considering"),
        (
            {
                "course_start": date(2026, 1, 1),
                "course_end": date(2027, 1, 1),
                "course_dose_mg": 30,
            },
            services.Experience(Stage.ON_TREATMENT, 11, None, 30),
            "Month 11 · 30 mg/day",
        ),
    ],
)
def test_experience_snapshot_from_the_course(app, course, expected, badge):
    user = make_user(**course)
    snapshot = services.experience_snapshot(user, TODAY)
    assert snapshot == expected
    post = Post(**snapshot.columns())
    assert post.badge == badge


@pytest.mark.parametrize(
    ("details", "badge"),
    [
        (services.Experience(Stage.ON_TREATMENT, 3, None, 40), "Month 3 · 40 mg/day"),
        (services.Experience(Stage.ON_TREATMENT, None, None, 20), "On treatment · 20 mg/day"),
        (services.Experience(Stage.FINISHED, None, 1, None), "1 month after"),
        (services.Experience(Stage.FINISHED), "Finished"),
        (services.Experience(Stage.CONSIDERING), "Considering"),
        (services.Experience(), ""),
    ],
)
def test_experience_badges(details, badge):
    assert Thread(**details.columns()).badge == badge


def test_posts_freeze_the_snapshot_and_explicit_details_override_it(tags):
    start_day = utcnow().date() - timedelta(days=70)
    author = make_user(course_start=start_day, course_dose_mg=40)
    plain, _ = start(author)
    explicit, _ = start(
        author, details=services.explicit_experience(None, None, 6, None), title="Six months out"
    )
    reply = make_post(plain, author)

    snapshot = services.experience_snapshot(author)
    assert plain.treatment_month == services.opening_post(plain).treatment_month
    assert (reply.treatment_month, reply.daily_dose_mg) == (snapshot.treatment_month, 40)
    assert explicit.stage == Stage.FINISHED and explicit.months_since == 6
    assert services.opening_post(explicit).badge == "6 months after"

    author.course_dose_mg = 60  # a later change leaves earlier posts as they were
    db.session.commit()
    assert db.session.get(Post, reply.id).daily_dose_mg == 40


# --- Replying -------------------------------------------------------------------------------


def test_reply_to_a_post_of_another_thread_is_refused(tags):
    author = make_user()
    thread, other = make_thread(author), make_thread(author)
    elsewhere = make_post(other, author)
    with pytest.raises(ForumError, match="only reply to posts in this thread") as caught:
        services.reply(thread, author, body="hi", parent_id=elsewhere.id)
    assert caught.value.status == 400


def test_reply_to_a_missing_parent_is_not_found(tags):
    author = make_user()
    thread = make_thread(author)
    with pytest.raises(NotFound, match="no longer exists"):
        services.reply(thread, author, body="hi", parent_id=999_999)


def test_reply_to_a_deleted_reply_is_refused(tags):
    author = make_user()
    thread = make_thread(author)
    gone = make_post(thread, author)
    services.delete_post(gone, author)
    with pytest.raises(InvalidAction, match="deleted or hidden"):
        services.reply(thread, author, body="hi", parent_id=gone.id)


def test_replies_still_allowed_when_the_opening_post_is_deleted(tags):
    author = make_user()
    thread = make_thread(author)
    make_post(thread, make_user(), body="An answer that keeps the thread.")
    services.delete_post(services.opening_post(thread), author)
    post, created = services.reply(thread, make_user(), body="Still useful.")
    assert created and post.depth == 1


def test_a_thread_left_with_nothing_readable_takes_no_replies(tags):
    author = make_user()
    thread = make_thread(author)
    services.delete_post(services.opening_post(thread), author)
    with pytest.raises(NotFound):
        services.reply(thread, make_user(), body="Anyone there?")


@pytest.mark.parametrize("body", ["", "   \n ", "x" * (services.BODY_MAX + 1)])
def test_reply_body_must_be_present_and_not_too_long(tags, body):
    author = make_user()
    with pytest.raises(ForumError):
        services.reply(make_thread(author), author, body=body)


def test_unverified_member_cannot_reply(tags):
    thread = make_thread()
    with pytest.raises(PermissionDenied, match="confirm your email"):
        services.reply(thread, make_user(verified=False), body="hi")


def test_reply_same_nonce_twice_makes_one_post(tags):
    author = make_user()
    thread = make_thread(author)
    first, _ = services.reply(thread, author, body="once", nonce="double-click-1")
    second, created = services.reply(thread, author, body="once", nonce="double-click-1")
    assert second.id == first.id and not created
    assert thread.reply_count == 1


def test_reply_updates_last_activity(tags):
    thread = make_thread()
    thread.last_activity_at = utcnow() - timedelta(days=3)
    db.session.flush()
    make_post(thread)
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).last_activity_at > utcnow() - timedelta(minutes=1)


# --- Editing and deleting -------------------------------------------------------------------


def test_edit_keeps_the_previous_text_as_a_revision(tags):
    author = make_user()
    thread = make_thread(author, title="Old title here", body="old text")
    opening = services.opening_post(thread)

    changed = services.edit_post(opening, author, body="new *text*", title="New title here")

    revision = db.session.scalar(select(PostRevision))
    assert changed
    assert (revision.body, revision.title, revision.editor_id) == (
        "old text",
        "Old title here",
        author.id,
    )
    assert opening.body_html == "<p>new <em>text</em></p>"
    assert opening.edited_at is not None
    assert thread.title == "New title here"
    assert services.edit_post(opening, author, body="new *text*", title="New title here") is False


def test_only_the_author_edits_or_deletes(tags):
    thread = make_thread()
    post = make_post(thread)
    with pytest.raises(PermissionDenied, match="own posts"):
        services.edit_post(post, make_user(), body="mine now")
    with pytest.raises(PermissionDenied, match="own posts"):
        services.delete_post(post, make_user())


def test_edit_refused_in_a_locked_thread_and_on_deleted_posts(tags):
    author = make_user()
    thread = make_thread(author)
    post = make_post(thread, author)
    thread.locked = True
    with pytest.raises(InvalidAction, match="locked"):
        services.edit_post(post, author, body="more")
    thread.locked = False
    services.delete_post(post, author)
    with pytest.raises(InvalidAction, match="deleted"):
        services.edit_post(post, author, body="back")
    with pytest.raises(InvalidAction, match="deleted"):
        services.delete_post(post, author)


def test_deleting_the_opening_post_keeps_the_thread_and_replies(tags):
    author = make_user()
    thread = make_thread(author)
    reply = make_post(thread)
    services.delete_post(services.opening_post(thread), author)
    db.session.commit()
    assert db.session.get(Thread, thread.id).status == PostStatus.VISIBLE
    assert db.session.get(Post, reply.id).deleted_at is None


def test_revisions_of_a_deleted_post_are_for_moderators_only(tags):
    author = make_user()
    post = make_post(make_thread(author), author, body="first")
    services.edit_post(post, author, body="second")
    assert [r.body for r in services.revisions(post, None)] == ["first"]
    services.delete_post(post, author)
    with pytest.raises(NotFound):
        services.revisions(post, None)
    with pytest.raises(NotFound):
        services.revisions(post, author)
    moderator = make_user(role="moderator")
    assert [r.body for r in services.revisions(post, moderator)] == ["second", "first"]


# --- Helpful marks --------------------------------------------------------------------------


def test_helpful_toggles_and_counts_in_sql(tags):
    author, reader = make_user(), make_user()
    thread = make_thread(author)
    opening = services.opening_post(thread)

    assert services.toggle_helpful(opening, reader) is True
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Post, opening.id).helpful_count == 1
    assert db.session.get(Thread, thread.id).helpful_count == 1

    assert services.toggle_helpful(db.session.get(Post, opening.id), reader) is False
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Post, opening.id).helpful_count == 0
    assert db.session.get(Thread, thread.id).helpful_count == 0
    assert db.session.scalar(select(func.count()).select_from(HelpfulMark)) == 0


def test_helpful_on_a_reply_leaves_the_thread_count_alone(tags):
    thread = make_thread()
    reply = make_post(thread)
    services.toggle_helpful(reply, make_user())
    assert reply.helpful_count == 1
    assert thread.helpful_count == 0


def test_helpful_never_on_own_post_nor_by_unverified(tags):
    author = make_user()
    post = make_post(make_thread(), author)
    with pytest.raises(PermissionDenied, match="your own post"):
        services.toggle_helpful(post, author)
    with pytest.raises(PermissionDenied, match="confirm your email"):
        services.toggle_helpful(post, make_user(verified=False))


def test_helpful_refused_on_deleted_posts(tags):
    author = make_user()
    post = make_post(make_thread(), author)
    services.delete_post(post, author)
    with pytest.raises(InvalidAction):
        services.toggle_helpful(post, make_user())


# --- Visibility -----------------------------------------------------------------------------


def test_post_views_for_readers_authors_and_moderators(tags):
    author, reader, moderator = make_user(), make_user(), make_user(role="moderator")
    thread = make_thread()
    post = make_post(thread, author)

    post.status, post.status_reason = PostStatus.HIDDEN, "Spam link."
    assert post_view(post, reader).placeholder == "[hidden by a moderator]"
    assert post_view(post, None).show_body is False
    for privileged in (author, moderator):
        view = post_view(post, privileged)
        assert (
            view.show_body
            and "hidden by a moderator" in view.notice
            and "Spam link." in view.notice
        )

    post.status = PostStatus.REMOVED
    assert post_view(post, reader).placeholder == "[removed by a moderator]"

    post.status = PostStatus.PENDING
    assert post_view(post, reader) is None
    assert "Waiting for review" in post_view(post, author).notice
    assert post_view(post, moderator).show_body

    post.status, post.deleted_at = PostStatus.VISIBLE, utcnow()
    assert post_view(post, moderator).placeholder == "[deleted]"


def test_thread_whose_opening_post_is_hidden_is_for_author_and_moderators(tags):
    author, reader, moderator = make_user(), make_user(), make_user(role="moderator")
    thread = make_thread(author, status=PostStatus.REMOVED, reason="Selling the drug.")
    opening = services.opening_post(thread)

    assert not can_see_thread(thread, reader)
    assert not can_see_thread(thread, None)
    assert can_see_thread(thread, author) and can_see_thread(thread, moderator)
    assert "Selling the drug." in thread_notice(thread, opening, author)
    assert thread_notice(thread, opening, reader) is None
    with pytest.raises(NotFound):
        services.get_thread(thread.id, reader)
    with pytest.raises(NotFound):
        services.reply(thread, reader, body="hello")


def test_member_lists_hide_what_readers_may_not_see(tags):
    author, reader = make_user(), make_user()
    shown = make_thread(author, title="Visible thread")
    hidden = make_thread(author, title="Hidden thread", status=PostStatus.HIDDEN)
    visible_reply = make_post(shown, author, body="visible reply")
    make_post(shown, author, body="held reply", status=PostStatus.PENDING)
    make_post(hidden, author, body="reply in hidden thread")
    db.session.commit()

    assert [t.title for t in services.member_threads(reader, author, limit=10)] == [
        "Visible thread"
    ]
    assert [p.id for p in services.member_replies(reader, author, limit=10)] == [visible_reply.id]
    assert len(services.member_threads(author, author, limit=10)) == 2
    assert len(services.member_replies(author, author, limit=10)) == 3
