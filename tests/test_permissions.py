"""Who may do what, on every route of the app (issue #4).

ROUTES is a table: for each route, GET and POST, the exact answer each kind of visitor gets.
The test fails for a route the table does not list, so every new route must be added here.

Visitors (the columns, in this order):

    anon        signed out
    unverified  signed in, email address not confirmed yet
    member      a verified member with no tie to the content below
    author      the member who wrote the thread, its reply and the held reply
    other       another member: they reported the author's reply and wrote a removed reply
    mod         a moderator
    admin       an admin
    suspended   a member suspended for a few days: reads, but every write is refused (403)
    banned      a banned member still holding an old session cookie: treated as signed out

Answers: 200, 400, 401, 403, 404, 405, 409, 422, LOGIN (302 to /login) and GO (302 elsewhere).

The world every row is checked against: a visible thread {thread} by the author with its
opening post {opening} and a reply {reply} (reported by "other": review item {item}), a held
reply {held} by the author, a reply {removed} by "other" that a moderator removed, and a
thread {hidden} whose opening post a moderator hid. After a POST that succeeded, the next
visitor gets a fresh world (a refused request commits nothing).
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound

from forum.auth.sessions import create_session
from forum.extensions import db, limiter
from forum.models import (
    GuideArticle,
    ItemStatus,
    ModAction,
    ModerationAction,
    PostStatus,
    ReviewItem,
    Role,
    UserStatus,
    utcnow,
)
from forum.moderation import services as moderation
from forum.tags.services import load_shipped_tags
from forum.threads import services as threads
from tests.conftest import clear_extra_tables, empty_model_tables, login
from tests.factories import PASSWORD, make_post, make_thread, make_user

VISITORS = (
    "anon",
    "unverified",
    "member",
    "author",
    "other",
    "mod",
    "admin",
    "suspended",
    "banned",
)
LOGIN, GO = "LOGIN", "GO"


def row(*answers):
    assert len(answers) == len(VISITORS)
    return dict(zip(VISITORS, answers, strict=True))


def everyone(answer):
    return row(*[answer] * len(VISITORS))


def signed_in(answer, *, signed_out=LOGIN):
    """``answer`` for every signed-in visitor; the signed out (and banned) go to log in."""
    answers = dict.fromkeys(VISITORS, answer)
    answers["anon"] = answers["banned"] = signed_out
    return answers


def staff_only(answer):
    """Moderator pages: log in first, 403 for members, ``answer`` for moderators and admins."""
    return {**signed_in(403), "mod": answer, "admin": answer}


#                anon   unverif member author other  mod    admin  susp.  banned
WRITER = row(LOGIN, 403, GO, GO, GO, GO, GO, 403, LOGIN)
WRITE_PAGE = row(LOGIN, 403, 200, 200, 200, 200, 200, 403, LOGIN)
AUTHOR_ONLY_PAGE = row(LOGIN, 403, 403, 200, 403, 403, 403, 403, LOGIN)
AUTHOR_ONLY = row(LOGIN, 403, 403, GO, 403, 403, 403, 403, LOGIN)
SIGNED_OUT_ONLY = row(200, GO, GO, GO, GO, GO, GO, GO, 200)
SIGNED_OUT_FORM = row(422, GO, GO, GO, GO, GO, GO, GO, 422)
HIDDEN_FROM_READERS = row(404, 404, 404, 200, 404, 200, 200, 404, 404)


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    expected: dict
    data: dict | None = None

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


def get(path, expected):
    return Case("GET", path, expected)


def post(path, expected, **data):
    return Case("POST", path, expected, data)


NEW_THREAD = {"title": "A new thread here", "body": "Some text.", "tags": ["dryness"]}
ARTICLE_EDIT = {
    "title": "Managing dryness",
    "summary": "Lips first, then skin.",
    "body": "Use a thick balm.",
    "tags": ["dryness"],
    "published": "y",
}
#                      anon   unverif member author other  mod    admin  susp.  banned
ADMIN_ONLY_PAGE = row(LOGIN, 403, 403, 403, 403, 403, 200, 403, LOGIN)
ADMIN_ONLY = row(LOGIN, 403, 403, 403, 403, 403, GO, 403, LOGIN)

ROUTES = [
    # Pages and feeds anyone reads.
    get("/", everyone(200)),
    post("/", everyone(405)),
    get("/guidelines", everyone(200)),
    post("/guidelines", everyone(405)),
    get("/privacy", everyone(200)),
    post("/privacy", everyone(405)),
    get("/help", everyone(200)),
    post("/help", everyone(405)),
    get("/healthz", everyone(200)),
    post("/healthz", everyone(405)),
    get("/static/style.css", everyone(200)),
    post("/static/style.css", everyone(405)),
    get("/feeds/latest.atom", everyone(200)),
    post("/feeds/latest.atom", everyone(405)),
    get("/feeds/tags/dryness.atom", everyone(200)),
    post("/feeds/tags/dryness.atom", everyone(405)),
    get("/tags", everyone(200)),
    post("/tags", everyone(405)),
    get("/tags/dryness", everyone(200)),
    post("/tags/dryness", everyone(405)),
    get("/u/{author_name}", everyone(200)),
    post("/u/{author_name}", everyone(405)),
    get("/search?q=lips", everyone(200)),
    post("/search", everyone(405)),
    get("/mod/log", everyone(200)),
    post("/mod/log", everyone(405)),
    # Accounts.
    get("/login", SIGNED_OUT_ONLY),
    post("/login", SIGNED_OUT_FORM),
    get("/logout", everyone(405)),
    post("/logout", everyone(GO)),
    get("/register", SIGNED_OUT_ONLY),
    post("/register", SIGNED_OUT_FORM),
    get("/register/check-inbox", everyone(200)),
    post("/register/check-inbox", everyone(405)),
    get("/verify/not-a-token", everyone(400)),
    post("/verify/not-a-token", everyone(405)),
    get("/reset", everyone(200)),
    post("/reset", everyone(422)),
    get("/reset/sent", everyone(200)),
    # POST falls through to /reset/<token>, and "sent" is no valid token.
    post("/reset/sent", everyone(400)),
    get("/reset/not-a-token", everyone(400)),
    post("/reset/not-a-token", everyone(400)),
    # Settings: one's own, so every signed-in member, suspended or not.
    get("/settings", signed_in(200)),
    post("/settings", everyone(405)),
    get("/settings/sessions", signed_in(200)),
    post("/settings/sessions", everyone(405)),
    get("/settings/course", everyone(405)),
    post("/settings/course", signed_in(GO), course_dose_mg="40"),
    get("/settings/email", everyone(405)),
    post("/settings/email", signed_in(422)),
    get("/settings/password", everyone(405)),
    post("/settings/password", signed_in(422)),
    get("/settings/verification", everyone(405)),
    post("/settings/verification", {**signed_in(409), "unverified": GO}),
    get("/settings/sessions/{author_session}/end", everyone(405)),
    # Ending someone else's session changes nothing ("that session had already ended").
    post("/settings/sessions/{author_session}/end", signed_in(GO)),
    get("/settings/sessions/end-others", everyone(405)),
    post("/settings/sessions/end-others", signed_in(GO)),
    get("/settings/tokens", signed_in(200)),
    post("/settings/tokens", signed_in(422)),
    get("/settings/tokens/424242/revoke", everyone(405)),
    post("/settings/tokens/424242/revoke", signed_in(404)),
    # Your data (issue #13): each member acts on their own account only.
    get("/settings/data", signed_in(200)),
    post("/settings/data", signed_in(200)),
    get("/settings/data/no-such-export", signed_in(404)),
    post("/settings/data/no-such-export", everyone(405)),
    get("/settings/delete", signed_in(200)),
    post("/settings/delete", signed_in(422), password="not the password", mode="keep"),
    get("/settings/privacy", signed_in(200)),
    post("/settings/privacy", signed_in(GO), hide_replies="y"),
    get("/contact", signed_in(200)),
    post("/contact", signed_in(GO), body="A question about my account."),
    get("/mod/messages/999999", staff_only(404)),
    post("/mod/messages/999999", everyone(405)),
    get("/mod/messages/999999/answer", everyone(405)),
    post("/mod/messages/999999/answer", staff_only(404), body="An answer."),
    get("/notifications", signed_in(200)),
    post("/notifications", everyone(405)),
    get("/notifications/read", everyone(405)),
    post("/notifications/read", signed_in(GO)),
    # Treatment journals (issue #14): one's own, read by any signed-in member; writes as posts.
    get("/journal", signed_in(200)),
    post("/journal", WRITER, course_start="2026-01-01"),
    get("/journal/doses", everyone(405)),
    post("/journal/doses", WRITER, dose_from="2026-01-01", dose_mg="40"),
    get("/journal/doses/424242/delete", everyone(405)),
    post("/journal/doses/424242/delete", row(LOGIN, 403, 404, 404, 404, 404, 404, 403, LOGIN)),
    get("/journal/weight", everyone(405)),
    post("/journal/weight", signed_in(200), weight_kg="60"),
    get("/journal/entries", everyone(405)),
    post("/journal/entries", WRITER, date="2026-01-02", skin="3", mood="4"),
    get("/journal/settings", signed_in(200)),
    post("/journal/settings", signed_in(GO), visibility="members"),
    # A journal is private until its member shares it.
    get("/u/{author_name}/journal", row(404, 404, 404, 200, 404, 404, 404, 404, 404)),
    post("/u/{author_name}/journal", everyone(405)),
    get("/journal/checkins/1", signed_in(200)),
    # No course end date yet: there is nothing to check in on.
    post(
        "/journal/checkins/1",
        row(LOGIN, 403, 409, 409, 409, 409, 409, 403, LOGIN),
        skin_now="clear",
    ),
    # Progress photos (issue #15): the one rule on every request, 404 to those it leaves out
    # (tests/photos/ walks private, members and everyone photos).
    get("/photos/424242", everyone(404)),
    post("/photos/424242", everyone(405)),
    get("/photos/424242/thumb", everyone(404)),
    post("/photos/424242/thumb", everyone(405)),
    get("/journal/export", signed_in(200)),
    post("/journal/export", everyone(405)),
    get("/journal/export.csv", signed_in(200)),
    post("/journal/export.csv", everyone(405)),
    get("/insights", everyone(200)),
    post("/insights", everyone(405)),
    # Notifications, watching, bookmarks (issue #12): one's own, like settings.
    get("/settings/notifications", signed_in(200)),
    post("/settings/notifications", signed_in(GO), email_reply="each"),
    # GET reads "watch" as the thread's slug (as for "reply" below).
    get("/t/{thread}/watch", everyone(301)),
    post("/t/{thread}/watch", signed_in(GO)),
    post("/t/{hidden}/watch", row(LOGIN, 404, 404, GO, 404, GO, GO, 404, LOGIN)),
    get("/t/{thread}/unwatch", everyone(301)),
    post("/t/{thread}/unwatch", signed_in(GO)),
    get("/tags/dryness/follow", everyone(405)),
    post("/tags/dryness/follow", signed_in(GO)),
    post("/tags/no-such-topic/follow", signed_in(404)),
    get("/tags/dryness/unfollow", everyone(405)),
    post("/tags/dryness/unfollow", signed_in(GO)),
    get("/p/{reply}/bookmark", everyone(405)),
    post("/p/{reply}/bookmark", signed_in(GO)),
    post("/p/{held}/bookmark", row(LOGIN, 404, 404, GO, 404, GO, GO, 404, LOGIN)),
    get("/p/{reply}/unbookmark", everyone(405)),
    post("/p/{reply}/unbookmark", signed_in(GO)),
    get("/bookmarks", signed_in(200)),
    post("/bookmarks", everyone(405)),
    # Signed in or not: the signed token is the key (a forged one is refused).
    get("/unsubscribe/not-a-token", everyone(400)),
    post("/unsubscribe/not-a-token", everyone(400)),
    # Threads and posts.
    get("/t/new", WRITE_PAGE),
    post("/t/new", WRITER, **NEW_THREAD),
    get("/t/{thread}", everyone(200)),
    post("/t/{thread}", everyone(405)),
    get("/t/{thread}/{slug}", everyone(200)),
    post("/t/{thread}/{slug}", everyone(405)),
    get("/t/{hidden}", HIDDEN_FROM_READERS),
    get("/t/424242", everyone(404)),
    # GET reads "reply" as the thread's slug, and a wrong slug redirects to the right one.
    get("/t/{thread}/reply", everyone(301)),
    post("/t/{thread}/reply", WRITER, body="A reply of my own."),
    post("/t/{hidden}/reply", row(LOGIN, 404, 404, GO, 404, GO, GO, 404, LOGIN), body="Hi."),
    get("/p/{reply}", everyone(GO)),
    post("/p/{reply}", everyone(405)),
    get("/p/{held}", row(404, 404, 404, GO, 404, GO, GO, 404, 404)),
    get("/p/424242", everyone(404)),
    get("/p/{reply}/history", everyone(200)),
    post("/p/{reply}/history", everyone(405)),
    get("/p/{reply}/edit", AUTHOR_ONLY_PAGE),
    post("/p/{reply}/edit", AUTHOR_ONLY, body="Edited text."),
    # A post a moderator removed can't be changed, even by its author ("other").
    get("/p/{removed}/edit", row(LOGIN, 403, 403, 403, 409, 403, 403, 403, LOGIN)),
    get("/p/{reply}/delete", AUTHOR_ONLY_PAGE),
    post("/p/{reply}/delete", AUTHOR_ONLY),
    get("/p/{reply}/helpful", everyone(405)),
    post("/p/{reply}/helpful", row(LOGIN, 403, GO, 403, GO, GO, GO, 403, LOGIN)),
    post("/p/{held}/helpful", row(LOGIN, 404, 404, 403, 404, 409, 409, 404, LOGIN)),
    # Reporting: verified members in good standing, never their own post.
    get("/p/{reply}/report", row(LOGIN, 403, 200, 403, 200, 200, 200, 403, LOGIN)),
    post("/p/{reply}/report", row(LOGIN, 403, GO, 403, GO, GO, GO, 403, LOGIN), reason="spam"),
    get("/p/{held}/report", row(LOGIN, 404, 404, 403, 404, 200, 200, 404, LOGIN)),
    get("/p/{removed}/report", row(LOGIN, 404, 404, 404, 403, 409, 409, 404, LOGIN)),
    # The guide: everyone reads it; only admins edit it or read its history.
    get("/guide", everyone(200)),
    post("/guide", everyone(405)),
    get("/guide/{article}", everyone(200)),
    post("/guide/{article}", everyone(405)),
    get("/guide/{draft}", {**everyone(404), "admin": 200}),
    get("/guide/nothing-here", everyone(404)),
    get("/guide/{article}/edit", ADMIN_ONLY_PAGE),
    post("/guide/{article}/edit", ADMIN_ONLY, **ARTICLE_EDIT),
    get("/guide/{article}/history", ADMIN_ONLY_PAGE),
    post("/guide/{article}/history", everyone(405)),
    # The read-only API answers what a signed-out reader sees to every session, whoever is
    # signed in; only a token changes what it shows (issue #18, tests/api/test_members.py).
    get("/api/v1/threads", everyone(200)),
    post("/api/v1/threads", everyone(405)),
    get("/api/v1/threads/{thread}", everyone(200)),
    post("/api/v1/threads/{thread}", everyone(405)),
    get("/api/v1/threads/{hidden}", everyone(404)),
    get("/api/v1/posts/{reply}", everyone(200)),
    post("/api/v1/posts/{reply}", everyone(405)),
    get("/api/v1/posts/{held}", everyone(404)),
    get("/api/v1/tags", everyone(200)),
    post("/api/v1/tags", everyone(405)),
    get("/api/v1/guide", everyone(200)),
    post("/api/v1/guide", everyone(405)),
    get("/api/v1/guide/{article}", everyone(200)),
    post("/api/v1/guide/{article}", everyone(405)),
    get("/api/v1/guide/{draft}", everyone(404)),
    get("/api/v1/search?q=lips", everyone(200)),
    post("/api/v1/search", everyone(405)),
    get("/api/v1/openapi.json", everyone(200)),
    post("/api/v1/openapi.json", everyone(405)),
    get("/api/v1/insights", everyone(200)),
    post("/api/v1/insights", everyone(405)),
    # A session cookie is no token: the member's own data needs ``Authorization: Bearer``.
    get("/api/v1/me", everyone(401)),
    post("/api/v1/me", everyone(405)),
    get("/api/v1/me/notifications", everyone(401)),
    post("/api/v1/me/notifications", everyone(405)),
    get("/api/v1/me/bookmarks", everyone(401)),
    post("/api/v1/me/bookmarks", everyone(405)),
    get("/api/v1/me/journal", everyone(401)),
    post("/api/v1/me/journal", everyone(405)),
    # The moderators' pages.
    get("/mod/queue", staff_only(200)),
    post("/mod/queue", everyone(405)),
    get("/mod/items/{item}", staff_only(200)),
    post("/mod/items/{item}", everyone(405)),
    get("/mod/items/424242", staff_only(404)),
    get("/mod/items/{item}/claim", everyone(405)),
    post("/mod/items/{item}/claim", staff_only(GO)),
    get("/mod/items/{item}/release", everyone(405)),
    post("/mod/items/{item}/release", staff_only(GO)),
    get("/mod/items/{item}/act", everyone(405)),
    post("/mod/items/{item}/act", staff_only(GO), action="dismiss", reason="Keeps the rules."),
    # Progress photos (issue #15): a photo of another post is not the item's to remove.
    get("/mod/items/{item}/photos/424242/remove", everyone(405)),
    post("/mod/items/{item}/photos/424242/remove", staff_only(404), reason="Shows a face."),
    post("/mod/items/424242/act", staff_only(404), action="dismiss", reason="Nothing here."),
    # Issue #16: acting where moderators read, appeals, notes and figures.
    get("/p/{opening}/moderate", staff_only(200)),
    post("/p/{opening}/moderate", staff_only(GO), action="warn", reason="Mind the tone."),
    get("/p/{reply}/moderate", staff_only(GO)),  # to its pending review item
    get("/p/424242/moderate", staff_only(404)),
    # Only the member a decision was about may appeal it.
    get("/appeal/{hide_action}", row(LOGIN, 404, 404, 200, 404, 404, 404, 404, LOGIN)),
    post("/appeal/{hide_action}", row(LOGIN, 404, 404, GO, 404, 404, 404, 404, LOGIN), body="No."),
    get("/appeal/424242", signed_in(404)),
    get("/mod/appeals/{appeal}", staff_only(200)),
    # The admin took the appealed decision: another moderator decides its appeal.
    post(
        "/mod/appeals/{appeal}",
        {**staff_only(GO), "admin": 403},
        action="uphold",
        reason="It stands.",
    ),
    get("/mod/appeals/424242", staff_only(404)),
    get("/u/{author_name}/notes", everyone(405)),
    post("/u/{author_name}/notes", staff_only(GO), body="Often posts shop links."),
    get("/mod/stats", staff_only(200)),
    post("/mod/stats", everyone(405)),
]


# --- The world -------------------------------------------------------------------------------


def reset_database():
    db.session.remove()
    with db.engine.begin() as conn:
        empty_model_tables(conn)
        clear_extra_tables(conn)
    limiter.reset()


def build_world(app) -> tuple[dict, dict]:
    """Users and content; returns (URL values, one signed-in test client per visitor)."""
    load_shipped_tags()
    old = utcnow() - timedelta(days=100)
    users = {
        "unverified": make_user("unverified", verified=False),
        "member": make_user("member", created_at=old),
        "author": make_user("author", created_at=old),
        "other": make_user("other", created_at=old),
        "mod": make_user("mod", role=Role.MODERATOR),
        "admin": make_user("admin", role=Role.ADMIN),
        "suspended": make_user(
            "suspended",
            status=UserStatus.SUSPENDED,
            suspended_until=utcnow() + timedelta(days=3),
            status_reason="Rude replies.",
        ),
        "banned": make_user("banned"),
    }
    author, other, mod = users["author"], users["other"], users["mod"]
    thread = make_thread(author, title="Lips in month two", body="Dry lips.")
    opening = threads.opening_post(thread)
    reply = make_post(thread, author, body="An update on my lips.")
    held = make_post(thread, author, body="A held reply.")
    moderation.hold_post(held)
    removed = make_post(thread, other, body="Buy pills here.")
    moderation.report_post(removed, users["member"], "sourcing")
    moderation.act_on_item(pending(removed), mod, "remove", "Selling.")
    hidden = make_thread(author, title="A thread a moderator hid", body="Private details.")
    hidden_opening = threads.opening_post(hidden)
    moderation.report_post(hidden_opening, users["member"], "personal_info")
    moderation.act_on_item(pending(hidden_opening), mod, "hide", "Personal details.")
    moderation.report_post(reply, other, "other", "Looks like an advert.")
    hide_action = db.session.scalar(
        db.select(ModerationAction.id).where(
            ModerationAction.action == ModAction.POST_HIDE,
            ModerationAction.moderator_id == mod.id,
        )
    )
    warning = moderation.log_action(
        users["admin"], ModAction.USER_WARN, user=author, reason="Tone."
    )
    db.session.flush()
    appeal = moderation.file_appeal(warning, author, "I was polite.")
    article = GuideArticle(slug="managing-dryness", title="Managing dryness", summary="Lips.")
    draft = GuideArticle(slug="a-draft", title="A draft", summary="Not yet.", published=False)
    db.session.add_all([article, draft])
    db.session.commit()
    assert thread.status == PostStatus.VISIBLE and held.status == PostStatus.PENDING

    clients = {"anon": app.test_client()}
    for name, user in users.items():
        clients[name] = login(app.test_client(), user)
    # The ban comes after the login: the banned member still holds that cookie.
    users["banned"].status = UserStatus.BANNED
    author_session = author.current_session.id
    db.session.commit()
    values = {
        "thread": thread.id,
        "slug": thread.slug,
        "opening": opening.id,
        "reply": reply.id,
        "held": held.id,
        "removed": removed.id,
        "hidden": hidden.id,
        "item": pending(reply).id,
        "hide_action": hide_action,
        "appeal": appeal.id,
        "author_name": author.username,
        "author_session": author_session,
        "article": article.slug,
        "draft": draft.slug,
    }
    return values, clients


def pending(post) -> ReviewItem:
    return db.session.scalar(
        db.select(ReviewItem).where(
            ReviewItem.post_id == post.id, ReviewItem.status == ItemStatus.PENDING
        )
    )


def answer(response) -> int | str:
    response.close()  # static files are streamed
    if response.status_code != 302:
        return response.status_code
    return LOGIN if response.location.startswith("/login") else GO


def ask(client, case: Case, values: dict):
    path = case.path.format(**values)
    if case.method == "GET":
        return client.get(path)
    return client.post(path, data=case.data or {})


def may_have_changed_something(case: Case, outcome) -> bool:
    return case.method == "POST" and outcome in (200, GO)


# --- The tests -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ROUTES, ids=lambda case: case.name)
def test_route_answers_each_visitor_as_the_table_says(app, case):
    answers = {}
    values, clients = build_world(app)
    for visitor in VISITORS:
        answers[visitor] = answer(ask(clients[visitor], case, values))
        if may_have_changed_something(case, answers[visitor]):
            reset_database()
            values, clients = build_world(app)
    assert answers == case.expected


def test_every_route_of_the_app_is_in_the_table(app):
    """Each rule of app.url_map has a GET row and a POST row (a row counts for the rule that
    answers it and for the rule its path names under the other method)."""
    adapter = app.url_map.bind("localhost")
    sample = {
        "thread": 1,
        "slug": "a-slug",
        "hidden": 2,
        "reply": 3,
        "held": 4,
        "removed": 5,
        "opening": 6,
        "hide_action": 9,
        "appeal": 10,
        "item": 7,
        "author_name": "author",
        "author_session": 8,
        "article": "an-article",
        "draft": "a-draft",
    }
    covered: set[tuple[str, str]] = set()
    for case in ROUTES:
        path = case.path.split("?")[0].format(**sample)
        rules = set()
        for method in ("GET", "POST"):
            try:
                rule, _ = adapter.match(path, method=method, return_rule=True)
            except (MethodNotAllowed, NotFound):
                continue
            rules.add(rule.rule)
        assert rules, f"{case.name} matches no route of the app"
        covered |= {(rule, case.method) for rule in rules}
    missing = sorted(
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        for method in ("GET", "POST")
        if (rule.rule, method) not in covered
    )
    assert missing == [], "add these routes to ROUTES in tests/test_permissions.py"


def test_members_get_403_on_every_moderator_page_but_the_public_log(app):
    cases = [case for case in ROUTES if case.path.startswith("/mod/") and case.path != "/mod/log"]
    assert cases
    for case in cases:
        if set(case.expected.values()) != {405}:
            assert case.expected["member"] == 403, case.name
            assert case.expected["mod"] != 403, case.name


# --- Suspended and banned members ------------------------------------------------------------


def test_every_write_of_a_suspended_member_says_why_and_until_when(shipped_tags, client):
    until = utcnow() + timedelta(days=5)
    writer = make_user("benched", created_at=utcnow() - timedelta(days=90))
    thread = make_thread(writer, title="Written before the suspension")
    own = make_post(thread, writer, body="My own reply.")
    theirs = make_post(thread, make_user("neighbour"), body="Someone else's reply.")
    writer.status, writer.suspended_until = UserStatus.SUSPENDED, until
    writer.status_reason = "Repeated insults."
    db.session.commit()
    login(client, writer)
    writes = [
        ("GET", "/t/new", None),
        ("POST", "/t/new", NEW_THREAD),
        ("POST", f"/t/{thread.id}/reply", {"body": "More."}),
        ("GET", f"/p/{own.id}/edit", None),
        ("POST", f"/p/{own.id}/edit", {"body": "Changed."}),
        ("GET", f"/p/{own.id}/delete", None),
        ("POST", f"/p/{own.id}/delete", {}),
        ("POST", f"/p/{theirs.id}/helpful", {}),
        ("GET", f"/p/{theirs.id}/report", None),
        ("POST", f"/p/{theirs.id}/report", {"reason": "spam"}),
    ]
    for method, path, data in writes:
        response = client.open(path, method=method, data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 403, (method, path)
        assert f"suspended until {until:%d %B %Y at %H:%M} UTC" in html, (method, path)
        assert "Repeated insults." in html, (method, path)
    # Reading is fine.
    assert client.get(f"/t/{thread.id}").status_code == 200
    assert "Repeated insults." in client.get(f"/t/{thread.id}").get_data(as_text=True)


def test_banned_members_cannot_log_in_and_the_page_says_why(client, banned_user):
    response = client.post("/login", data={"login": "banned1", "password": PASSWORD})
    assert response.status_code == 403
    assert "This account is banned." in response.get_data(as_text=True)
    assert client.get("/settings").status_code == 302


def test_a_ban_ends_every_session_of_the_member(shipped_tags, client, moderator):
    offender = make_user("offender")
    reply = make_post(make_thread(make_user("host")), offender, body="Buy pills.")
    db.session.commit()
    login(client, offender)
    create_session(offender, remember=True, user_agent="another browser")
    moderation.report_post(reply, make_user("witness"), "sourcing")
    moderation.act_on_item(pending(reply), moderator, "ban", "Selling medication.")
    db.session.commit()
    assert offender.sessions == []
    response = client.get("/settings")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_an_old_cookie_of_a_banned_member_counts_as_signed_out(app, client, member):
    login(client, member)
    assert client.get("/settings").status_code == 200
    member.status = UserStatus.BANNED  # banned without ending the session row
    db.session.commit()
    response = client.get("/settings")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert 'href="/login"' in client.get("/").get_data(as_text=True)
