from datetime import timedelta

import pytest
from flask import render_template
from sqlalchemy import select

from forum.extensions import db
from forum.models import (
    GuideArticle,
    ItemStatus,
    Notification,
    PostStatus,
    Report,
    ReviewItem,
    Role,
    Thread,
    User,
    UserSession,
    UserStatus,
    utcnow,
)
from forum.moderation import services
from forum.visibility import can_see_post, placeholder_for, post_view
from tests.conftest import login
from tests.factories import make_user
from tests.moderation.helpers import make_reply, make_thread


@pytest.fixture
def author(app):
    user = make_user("author")
    db.session.commit()
    return user


@pytest.fixture
def thread_and_reply(author):
    thread, opening = make_thread(author, "Month two dryness", "Lips cracking.")
    reply = make_reply(thread, author, "Buy my miracle cure.")
    db.session.commit()
    return thread, opening, reply


@pytest.fixture
def reply(thread_and_reply):
    return thread_and_reply[2]


@pytest.fixture
def item(reply, other_member):
    services.report_post(reply, other_member, "spam", "Selling things.")
    db.session.commit()
    return db.session.scalar(select(ReviewItem))


def text(response) -> str:
    return response.get_data(as_text=True)


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response.location.startswith("/login")


# --- Who may open what -----------------------------------------------------------------------


def mod_routes(item_id):
    return [
        ("get", "/mod/queue"),
        ("get", f"/mod/items/{item_id}"),
        ("post", f"/mod/items/{item_id}/claim"),
        ("post", f"/mod/items/{item_id}/release"),
        ("post", f"/mod/items/{item_id}/act"),
    ]


def test_anonymous_visitors_are_sent_to_login(client, item, reply):
    for method, url in [
        *mod_routes(item.id),
        ("get", f"/p/{reply.id}/report"),
        ("post", f"/p/{reply.id}/report"),
        ("get", "/notifications"),
        ("post", "/notifications/read"),
    ]:
        assert_login_redirect(getattr(client, method)(url))
    assert client.get("/mod/log").status_code == 200


@pytest.mark.parametrize("who", ["member", "unverified"])
def test_members_get_403_on_moderator_routes_and_200_on_the_log(
    request, client, item, who, member, unverified
):
    login(client, request.getfixturevalue(who))
    for method, url in mod_routes(item.id):
        response = getattr(client, method)(url, data={"action": "hide", "reason": "x"})
        assert response.status_code == 403, url
    assert client.get("/mod/log").status_code == 200
    assert item.status == ItemStatus.PENDING


def test_banned_members_are_signed_out_everywhere(client, item, banned_user):
    login(client, banned_user)
    assert_login_redirect(client.get("/notifications"))
    assert_login_redirect(client.get("/mod/queue"))


@pytest.mark.parametrize("who", ["moderator", "admin"])
def test_moderators_and_admins_open_the_queue_and_items(request, client, item, who):
    login(client, request.getfixturevalue(who))
    assert client.get("/mod/queue").status_code == 200
    assert client.get(f"/mod/items/{item.id}").status_code == 200
    assert client.get("/mod/items/999999").status_code == 404
    assert client.get("/mod/queue?reason=bogus").status_code == 400
    assert client.get("/mod/queue?page=x").status_code == 400


# --- Reporting -------------------------------------------------------------------------------


def test_report_form_shows_the_reasons(client, member, reply):
    login(client, member)
    response = client.get(f"/p/{reply.id}/report")
    assert response.status_code == 200
    page = text(response)
    assert 'type="radio"' in page and 'name="reason"' in page and 'value="personal_info"' in page
    assert "Selling or sourcing the drug" in page and "Buy my miracle cure." in page
    assert 'name="note"' in page


def test_reporting_a_post(client, member, reply):
    login(client, member)
    response = client.post(
        f"/p/{reply.id}/report", data={"reason": "misinformation", "note": "Dangerous."}
    )
    assert response.status_code == 302
    assert response.location == f"/t/{reply.thread_id}#p{reply.id}"
    report = db.session.scalar(select(Report))
    assert (report.reporter_id, report.reason, report.note, report.snapshot) == (
        member.id,
        "misinformation",
        "Dangerous.",
        "Buy my miracle cure.",
    )
    assert "your report went to the moderators" in text(client.get("/mod/log"))


def test_invalid_report_answers_422_and_keeps_the_note(client, member, reply):
    login(client, member)
    response = client.post(f"/p/{reply.id}/report", data={"note": "My careful note"})
    assert response.status_code == 422
    page = text(response)
    assert "Choose a reason." in page and "My careful note" in page
    response = client.post(f"/p/{reply.id}/report", data={"reason": "spam", "note": "n" * 1001})
    assert response.status_code == 422
    assert "Keep the note under 1,000 characters." in text(response)
    assert db.session.scalar(select(Report)) is None


def test_report_limit_answers_429_and_keeps_the_note(app, client, member, author, monkeypatch):
    monkeypatch.setitem(app.config, "REPORT_LIMIT", "2 per hour")
    thread, _ = make_thread(author)
    replies = [make_reply(thread, author, f"reply {n}") for n in range(3)]
    db.session.commit()
    login(client, member)
    for post in replies[:2]:
        assert client.post(f"/p/{post.id}/report", data={"reason": "spam"}).status_code == 302
    response = client.post(
        f"/p/{replies[2].id}/report", data={"reason": "spam", "note": "Third note"}
    )
    assert response.status_code == 429
    assert "Third note" in text(response) and "too many times" in text(response)
    assert response.headers["Retry-After"]
    assert db.session.scalar(select(db.func.count(Report.id))) == 2


def test_own_post_cannot_be_reported(client, author, reply):
    login(client, author)
    response = client.get(f"/p/{reply.id}/report")
    assert response.status_code == 403
    assert "your own post" in text(response)
    assert client.post(f"/p/{reply.id}/report", data={"reason": "spam"}).status_code == 403


def test_suspended_and_unverified_members_cannot_report(client, reply, unverified):
    until = utcnow() + timedelta(days=4)
    suspended = make_user(
        "paused", status=UserStatus.SUSPENDED, suspended_until=until, status_reason="Rude."
    )
    db.session.commit()
    login(client, suspended)
    response = client.post(f"/p/{reply.id}/report", data={"reason": "spam"})
    assert response.status_code == 403
    assert f"suspended until {until:%d %B %Y}" in text(response) and "Rude." in text(response)
    login(client, unverified)
    assert client.get(f"/p/{reply.id}/report").status_code == 403
    assert db.session.scalar(select(Report)) is None


def test_hidden_posts_and_missing_posts_are_404_for_members(client, member, moderator, reply):
    reply.status = PostStatus.HIDDEN
    db.session.commit()
    login(client, member)
    assert client.get(f"/p/{reply.id}/report").status_code == 404
    assert client.get("/p/999999/report").status_code == 404
    login(client, moderator)
    assert client.get(f"/p/{reply.id}/report").status_code == 200


def test_moderator_report_hides_and_returns_to_the_home_page(client, moderator, thread_and_reply):
    thread, opening, _ = thread_and_reply
    login(client, moderator)
    response = client.post(f"/p/{opening.id}/report", data={"reason": "spam"})
    assert response.status_code == 302 and response.location == "/"
    db.session.expire_all()
    assert thread.status == PostStatus.HIDDEN


# --- The queue and items ---------------------------------------------------------------------


def test_queue_shows_priority_badges_and_claim_state(client, moderator, author, other_member):
    thread, _ = make_thread(author, "A hard week")
    crisis = make_reply(thread, author, "I can't go on like this")
    misinfo = make_reply(thread, author, "Stop taking it, doctors lie")
    services.flag_crisis(crisis, "can't go on")
    services.report_post(misinfo, other_member, "misinformation")
    held_thread, held = make_thread(make_user("fresh"), "Fresh member's first thread")
    services.hold_post(held)
    db.session.commit()
    login(client, moderator)
    page = text(client.get("/mod/queue"))
    assert page.index("I can&#39;t go on") < page.index("Stop taking it") < page.index("Fresh")
    for badge in ("Crisis", "Misinformation", "1 reporter", "Held: new member", "unclaimed"):
        assert badge in page
    assert "Reply in “A hard week”" in page and "Thread “Fresh member&#39;s first thread”" in page
    assert other_member.username not in page  # reporters are named on the item page only
    held_only = text(client.get("/mod/queue?reason=held"))
    assert "Fresh member" in held_only and "Stop taking it" not in held_only


def test_queue_page_runs_a_fixed_number_of_queries(
    client, moderator, author, other_member, count_queries
):
    thread, _ = make_thread(author)
    ids = (thread.id, author.id, other_member.id, moderator.id)
    db.session.commit()

    def add_items(n):
        thread, author, reporter, mod = (
            db.session.get(model, key)
            for model, key in zip((Thread, User, User, User), ids, strict=True)
        )
        for i in range(n):
            post = make_reply(thread, author, f"reply {i}")
            services.report_post(post, reporter, "spam")
            services.claim_item(
                db.session.scalar(select(ReviewItem).order_by(ReviewItem.id.desc())), mod
            )
        db.session.commit()
        db.session.expunge_all()  # nothing preloaded: the page must load all it shows

    login(client, moderator)
    add_items(1)
    with count_queries() as few:
        page = text(client.get("/mod/queue"))
    assert page.count("claimed by mod1") == 1
    add_items(12)
    with count_queries() as many:
        page = text(client.get("/mod/queue"))
    assert page.count("claimed by mod1") == 13
    assert len(many) == len(few)
    assert len(few) <= 8


def test_item_page_shows_context_reports_and_history(
    client, moderator, author, other_member, thread_and_reply, item
):
    _, opening, reply = thread_and_reply
    reply.body = "Edited to look innocent."
    reply.body_html = "<p>Edited to look innocent.</p>"
    db.session.commit()
    login(client, moderator)
    page = text(client.get(f"/mod/items/{item.id}"))
    assert "Month two dryness" in page and "Lips cracking." in page  # thread and parent
    assert "Edited to look innocent." in page
    assert "Edited since this report." in page and "Buy my miracle cure." in page
    assert other_member.username in page and "Selling things." in page and "Spam" in page
    assert "Joined" in page and "2 posts" in page
    assert 'name="action"' in page and 'value="suspend"' in page and 'name="days"' in page
    assert 'name="article"' in page and 'name="reason"' in page
    assert "Claim it" in page


def test_claiming_and_releasing(client, moderator, item):
    other = make_user("mod2", role=Role.MODERATOR)
    db.session.commit()
    login(client, moderator)
    response = client.post(f"/mod/items/{item.id}/claim")
    assert response.status_code == 302 and response.location == f"/mod/items/{item.id}"
    assert "Release" in text(client.get(f"/mod/items/{item.id}"))

    other_client = client.application.test_client()
    login(other_client, other)
    response = other_client.post(f"/mod/items/{item.id}/claim")
    assert response.status_code == 409
    assert "mod1 is working on this item" in text(response)
    response = other_client.post(
        f"/mod/items/{item.id}/act", data={"action": "dismiss", "reason": "Fine."}
    )
    assert response.status_code == 409
    assert other_client.post(f"/mod/items/{item.id}/release").status_code == 409

    assert client.post(f"/mod/items/{item.id}/release").status_code == 302
    assert other_client.post(f"/mod/items/{item.id}/claim").status_code == 302
    db.session.expire_all()
    assert item.claimed_by_id == other.id


@pytest.mark.parametrize("who", ["moderator", "admin"])
def test_hiding_from_the_item_page(request, client, who, author, reply, item):
    decider = request.getfixturevalue(who)
    login(client, decider)
    assert client.post("/mod/items/999999/act", data={"action": "hide"}).status_code == 404
    response = client.post(
        f"/mod/items/{item.id}/act", data={"action": "hide", "reason": "Advertising."}
    )
    assert response.status_code == 302 and response.location == "/mod/queue"
    db.session.expire_all()
    assert (reply.status, reply.status_reason) == (PostStatus.HIDDEN, "Advertising.")
    assert item.status == ItemStatus.RESOLVED
    assert "Nothing is waiting" in text(client.get("/mod/queue"))
    resolved = text(client.get("/mod/queue?status=resolved"))
    assert "Reply in “Month two dryness”" in resolved
    assert f"hide by {decider.username}" in resolved
    assert db.session.scalar(
        select(Notification.message).where(Notification.user_id == author.id)
    ).startswith("A moderator hid your reply")
    assert (
        client.post(
            f"/mod/items/{item.id}/act", data={"action": "remove", "reason": "Again."}
        ).status_code
        == 409
    )


def test_invalid_decisions_answer_422_and_keep_the_reason(client, moderator, item):
    login(client, moderator)
    response = client.post(f"/mod/items/{item.id}/act", data={"action": "hide", "reason": " "})
    assert response.status_code == 422
    assert "Give a reason: the author sees it." in text(response)
    response = client.post(
        f"/mod/items/{item.id}/act", data={"action": "suspend", "reason": "Spamming again"}
    )
    assert response.status_code == 422
    page = text(response)
    assert "Give the length of the suspension in days." in page and "Spamming again" in page
    response = client.post(
        f"/mod/items/{item.id}/act",
        data={"action": "label", "reason": "Wrong", "article": "missing"},
    )
    assert response.status_code == 422
    assert "no published guide article" in text(response)
    db.session.expire_all()
    assert item.status == ItemStatus.PENDING


@pytest.mark.parametrize(
    ("action", "done"),
    [
        ("hide", "Done: Hide the post."),
        ("label", "Done: Label as medical misinformation."),
        ("dismiss", "Done: Dismiss the reports: the post stays."),
        ("warn", "Done: Warn the author."),
    ],
)
def test_the_moderator_is_told_what_was_done(client, moderator, item, action, done):
    login(client, moderator)
    response = client.post(
        f"/mod/items/{item.id}/act",
        data={"action": action, "reason": "Advertising."},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert done in text(response)


def test_days_typed_for_another_action_are_ignored(client, moderator, item, reply):
    login(client, moderator)
    response = client.post(
        f"/mod/items/{item.id}/act", data={"action": "hide", "reason": "Spam.", "days": "0"}
    )
    assert response.status_code == 302


def test_suspending_and_banning_from_the_item_page(client, moderator, author, other_member):
    thread, _ = make_thread(author)
    first, second = make_reply(thread, author, "one"), make_reply(thread, author, "two")
    services.report_post(first, other_member, "harassment")
    services.report_post(second, other_member, "harassment")
    db.session.commit()
    first_item, second_item = db.session.scalars(select(ReviewItem).order_by(ReviewItem.id))
    author_client = client.application.test_client()
    login(author_client, author)
    login(client, moderator)
    response = client.post(
        f"/mod/items/{first_item.id}/act",
        data={"action": "suspend", "reason": "Insults.", "days": "3"},
    )
    assert response.status_code == 302
    # Suspended: can read, cannot write.
    assert author_client.get("/notifications").status_code == 200
    _, elsewhere = make_thread(other_member)
    db.session.commit()
    response = author_client.post(f"/p/{elsewhere.id}/report", data={"reason": "spam"})
    assert response.status_code == 403 and "suspended until" in text(response)
    response = client.post(
        f"/mod/items/{second_item.id}/act", data={"action": "ban", "reason": "Again."}
    )
    assert response.status_code == 302
    assert (
        db.session.scalar(
            select(db.func.count(UserSession.id)).where(UserSession.user_id == author.id)
        )
        == 0
    )
    assert_login_redirect(author_client.get("/notifications"))


def test_labelling_with_a_guide_article(client, moderator, item, reply):
    db.session.add(GuideArticle(slug="dryness", title="Dryness", published=True))
    db.session.commit()
    login(client, moderator)
    response = client.post(
        f"/mod/items/{item.id}/act",
        data={"action": "label", "reason": "Contradicts the evidence.", "article": "dryness"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert reply.label == "misinformation" and reply.label_article_id is not None


# --- The public log --------------------------------------------------------------------------


def test_public_log_hides_reporters_hidden_content_and_crisis_targets(
    client, member, moderator, author, other_member
):
    public, _ = make_thread(author, "Public thread")
    rude = make_reply(public, author, "rude words here")
    crisis = make_reply(public, author, "thinking about ending it")
    _, secret = make_thread(author, "Secret spam title", "spam body")
    services.report_post(rude, other_member, "harassment", "reporter note")
    services.report_post(secret, other_member, "spam")
    services.flag_crisis(crisis, "ending it")
    db.session.commit()
    items = {i.post_id: i for i in db.session.scalars(select(ReviewItem))}
    services.act_on_item(items[rude.id], moderator, "hide", "Personal attack.")
    services.act_on_item(items[secret.id], moderator, "remove", "Spam.")
    services.act_on_item(
        items[crisis.id], moderator, "followed_up", "Sent resources.", follow_up="resources_shown"
    )
    db.session.commit()

    login(client, member)
    page = text(client.get("/mod/log"))
    assert "Personal attack." in page and f'href="/t/{public.id}"' in page
    assert "a reply in “Public thread”" in page
    assert "Spam." in page and "Removed a thread" in page and "a removed thread" not in page
    assert "Safety action" in page
    for secret_text in (
        "Secret spam title",
        "spam body",
        "rude words here",
        "thinking about ending it",
        "Sent resources privately.",
        "reporter note",
        other_member.username,
    ):
        assert secret_text not in page
    assert moderator.username in page


def test_public_log_pages(client, moderator, author):
    for n in range(55):
        services.log_action(moderator, "user:warn", user=author, reason=f"reason {n:02d}")
    db.session.commit()
    first = text(client.get("/mod/log"))
    assert "reason 54" in first and "reason 04" not in first
    cursor = first.split("before=")[1].split('"')[0]
    second = text(client.get(f"/mod/log?before={cursor}"))
    assert "reason 04" in second and "reason 54" not in second
    assert client.get("/mod/log?before=nonsense").status_code == 400


# --- Notifications ---------------------------------------------------------------------------


def test_reporter_sees_the_outcome_and_it_is_marked_read(client, moderator, other_member, item):
    services.act_on_item(item, moderator, "remove", "Spam.")
    db.session.commit()
    login(client, other_member)
    home = text(client.get("/mod/log"))
    assert 'aria-label="1 unread"' in home
    response = client.get("/notifications")
    assert response.status_code == 200
    page = text(response)
    assert "A moderator reviewed it and removed it." in page and "New" in page
    assert 'aria-label="1 unread"' not in page
    read_at = select(Notification.read_at).where(Notification.user_id == other_member.id)
    assert db.session.scalar(read_at) is not None
    assert "New</span>" not in text(client.get("/notifications"))


# --- What the thread page shows --------------------------------------------------------------


def test_post_status_partial(app, author, member, moderator, reply):
    article = GuideArticle(slug="dryness", title="Dryness", published=True)
    db.session.add(article)
    db.session.flush()

    def render(viewer, label_article=None):
        with app.test_request_context():
            return render_template(
                "moderation/_post_status.html",
                post=reply,
                view=post_view(reply, viewer),
                label_article=label_article,
            )

    services.hold_post(reply)
    assert "Waiting for review." in render(author)
    assert render(member).strip() == ""
    # A held reply is left out of readers' pages altogether: no placeholder, no text.
    assert post_view(reply, member) is None and placeholder_for(reply, member) is None
    assert not can_see_post(reply, member)
    assert placeholder_for(reply, author) is None and can_see_post(reply, author)
    reply.status, reply.status_reason = PostStatus.HIDDEN, "Rude."
    assert "Reason: Rude." in render(author) and "Reason: Rude." in render(moderator)
    assert placeholder_for(reply, None) == "[hidden by a moderator]"
    reply.status = PostStatus.REMOVED
    assert placeholder_for(reply, member) == "[removed by a moderator]"
    reply.status, reply.label, reply.label_article_id = (
        PostStatus.VISIBLE,
        "misinformation",
        article.id,
    )
    assert services.label_articles([reply]) == {article.id: article}
    page = render(member, article)
    assert "Medical misinformation" in page and 'href="/guide/dryness"' in page
    assert placeholder_for(reply, member) is None and can_see_post(reply, member)
