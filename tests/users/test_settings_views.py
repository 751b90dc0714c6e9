"""/settings: password, email address, sessions, verification and the treatment course."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from forum.extensions import db
from forum.models import User, UserSession, utcnow
from tests.conftest import login, outbox
from tests.factories import PASSWORD

STRONG = "a distant purple harbour"


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def link_path(message) -> str:
    [link] = re.findall(r"https?://\S+", message.get_content())
    return link.removeprefix("http://127.0.0.1:5000")


@pytest.fixture
def signed_in(client, member):
    return login(client, member)


def test_settings_needs_login(client):
    for url in ("/settings", "/settings/sessions"):
        response = client.get(url)
        assert response.status_code == 302 and response.location.startswith("/login?next=")
    assert client.post("/settings/password").status_code == 302


def test_settings_page_shows_every_part(signed_in, member):
    html = signed_in.get("/settings").text
    assert "<h1>Settings</h1>" in html
    assert member.email in html and "Confirmed" in html
    for action in ("/settings/email", "/settings/password", "/settings/course"):
        assert f'action="{action}"' in html
    assert 'autocomplete="current-password"' in html and 'autocomplete="new-password"' in html
    assert "This session" in html
    assert "never ask for your weight" in html
    assert "Month 3 · 40 mg/day" in html and "8 months after" in html
    assert "Send a new confirmation link" not in html  # already verified


def test_sessions_url_is_an_alias_of_settings(signed_in):
    a = signed_in.get("/settings").text
    b = signed_in.get("/settings/sessions").text
    strip = lambda html: re.sub(r'value="[^"]*"', "", html)  # noqa: E731 - csrf values vary
    assert strip(a) == strip(b)


def test_sessions_list_shows_browser_family_and_day_only(app, client, member):
    ua = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
    client.post(
        "/login", data={"login": "member1", "password": PASSWORD}, headers={"User-Agent": ua}
    )
    login(app.test_client(), member)
    html = client.get("/settings/sessions").text
    assert "Firefox on Linux" in html
    assert html.count("<tr>") == 3  # header + two sessions
    assert utcnow().strftime("%B %Y") in html
    assert "127.0.0.1" not in html


def test_change_password_ends_other_sessions_and_keeps_this_one(app, signed_in, member):
    other = login(app.test_client(), member)
    response = signed_in.post(
        "/settings/password",
        data={"current_password": PASSWORD, "new_password": STRONG, "new_password_confirm": STRONG},
    )
    assert response.status_code == 302 and response.location == "/settings"
    page = signed_in.get("/settings").text
    assert "Your password has been changed. 1 other session was ended." in page
    assert other.get("/settings").status_code == 302
    assert db.session.query(UserSession).count() == 1
    assert outbox(app)[-1]["Subject"] == "Your password was changed"
    fresh_client = app.test_client()
    assert (
        fresh_client.post("/login", data={"login": "member1", "password": STRONG}).status_code
        == 302
    )


def test_change_password_with_wrong_current_password(signed_in, member):
    hash_before = member.password_hash
    response = signed_in.post(
        "/settings/password",
        data={
            "current_password": "wrong one",
            "new_password": STRONG,
            "new_password_confirm": STRONG,
        },
    )
    assert response.status_code == 422
    assert 'id="current_password-error"' in response.text
    assert "That is not your current password." in response.text
    assert fresh(member).password_hash == hash_before


def test_change_password_refuses_weak_or_mismatched(signed_in):
    weak = signed_in.post(
        "/settings/password",
        data={
            "current_password": PASSWORD,
            "new_password": "member1member1",
            "new_password_confirm": "member1member1",
        },
    )
    assert weak.status_code == 422 and "too easy to guess" in weak.text
    mismatch = signed_in.post(
        "/settings/password",
        data={"current_password": PASSWORD, "new_password": STRONG, "new_password_confirm": "x"},
    )
    assert mismatch.status_code == 422 and "The two passwords do not match." in mismatch.text


def test_change_email_needs_confirmation_from_the_new_address(app, signed_in, member):
    response = signed_in.post(
        "/settings/email", data={"new_email": " New@Example.org ", "email_password": PASSWORD}
    )
    assert response.status_code == 302
    page = signed_in.get("/settings").text
    assert "We have sent a confirmation link to new@example.org." in page
    assert fresh(member).email == "member1@example.org"  # unchanged until confirmed
    assert fresh(member).is_verified
    link_mail, notice = outbox(app)
    assert (
        link_mail["To"] == "new@example.org"
        and link_mail["Subject"] == "Confirm your email address"
    )
    assert notice["To"] == "member1@example.org"
    assert "another email address" in notice.get_content()

    confirm = signed_in.get(link_path(link_mail))
    assert confirm.status_code == 302
    assert "Your new email address is confirmed and now in use." in signed_in.get("/").text
    user = fresh(member)
    assert user.email == "new@example.org" and user.is_verified
    assert signed_in.get(link_path(link_mail)).status_code == 302  # already applied: harmless
    assert fresh(member).email == "new@example.org"


def test_change_email_to_a_taken_address_reveals_nothing(app, signed_in, member, other_member):
    free = signed_in.post(
        "/settings/email", data={"new_email": "free@example.org", "email_password": PASSWORD}
    )
    free_page = signed_in.get("/settings").text.replace("free@example.org", "ADDR")
    outbox(app).clear()
    taken = signed_in.post(
        "/settings/email", data={"new_email": "member2@example.org", "email_password": PASSWORD}
    )
    taken_page = signed_in.get("/settings").text.replace("member2@example.org", "ADDR")
    assert (taken.status_code, taken.location) == (free.status_code, free.location)
    strip = lambda html: re.sub(r'value="[^"]*"', "", html)  # noqa: E731 - csrf values vary
    assert strip(taken_page) == strip(free_page)
    notice_to_taken, notice_to_old = outbox(app)
    assert notice_to_taken["To"] == "member2@example.org"
    assert "/verify/" not in notice_to_taken.get_content()
    assert notice_to_old["To"] == "member1@example.org"
    assert fresh(member).email == "member1@example.org"


def test_change_email_link_dies_when_a_newer_change_is_confirmed(app, signed_in, member):
    signed_in.post(
        "/settings/email", data={"new_email": "one@example.org", "email_password": PASSWORD}
    )
    signed_in.post(
        "/settings/email", data={"new_email": "two@example.org", "email_password": PASSWORD}
    )
    first, _n1, second, _n2 = outbox(app)
    assert signed_in.get(link_path(second)).status_code == 302
    stale = signed_in.get(link_path(first))
    assert stale.status_code == 400
    assert fresh(member).email == "two@example.org"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"new_email": "x@example.org", "email_password": "wrong"},
            "email_password",
            "not your current password",
        ),
        (
            {"new_email": "nope", "email_password": PASSWORD},
            "new_email",
            "Enter a valid email address",
        ),
        (
            {"new_email": "member1@example.org", "email_password": PASSWORD},
            "new_email",
            "already your email",
        ),
        ({"new_email": "", "email_password": PASSWORD}, "new_email", "Enter the new address."),
    ],
)
def test_change_email_errors_beside_fields(app, signed_in, data, field, message):
    response = signed_in.post("/settings/email", data=data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text and message in response.text
    if data["new_email"] not in ("", "member1@example.org"):
        assert f'value="{data["new_email"]}"' in response.text
    assert outbox(app) == []


def test_unverified_member_can_resend_the_link(app, client, unverified):
    login(client, unverified)
    page = client.get("/settings").text
    assert "Not confirmed" in page and 'action="/settings/verification"' in page
    response = client.post("/settings/verification")
    assert response.status_code == 302
    assert (
        "We have sent a new confirmation link to newbie@example.org."
        in client.get("/settings").text
    )
    [message] = outbox(app)
    assert message["To"] == "newbie@example.org"
    assert client.get(link_path(message)).location == "/"
    assert fresh(unverified).is_verified


def test_resend_is_rate_limited(app, client, unverified):
    login(client, unverified)
    for _ in range(5):
        assert client.post("/settings/verification").status_code == 302
    response = client.post("/settings/verification")
    assert response.status_code == 429
    assert "Try again in" in response.text
    assert int(response.headers["Retry-After"]) > 0
    assert len(outbox(app)) == 5


def test_resend_when_already_verified(signed_in):
    response = signed_in.post("/settings/verification")
    assert response.status_code == 409
    assert "Your email address is already confirmed." in response.text


def test_treatment_course_is_saved_and_shown_back(signed_in, member):
    response = signed_in.post(
        "/settings/course",
        data={"course_start": "2026-01-15", "course_dose_mg": "40", "course_end": ""},
    )
    assert response.status_code == 302 and response.location == "/settings#course"
    user = fresh(member)
    assert (user.course_start, user.course_dose_mg, user.course_end) == (
        date(2026, 1, 15),
        40,
        None,
    )
    html = signed_in.get("/settings").text
    assert "Your treatment course has been saved." in html
    assert 'value="2026-01-15"' in html and 'value="40"' in html
    signed_in.post(
        "/settings/course", data={"course_start": "", "course_dose_mg": "", "course_end": ""}
    )
    user = fresh(member)
    assert (user.course_start, user.course_dose_mg, user.course_end) == (None, None, None)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"course_dose_mg": "0"}, "course_dose_mg", "between 1 and 200"),
        ({"course_dose_mg": "201"}, "course_dose_mg", "between 1 and 200"),
        (
            {"course_start": "2026-03-01", "course_end": "2026-02-01"},
            "course_end",
            "before the start date",
        ),
        (
            {"course_start": (date.today() + timedelta(days=30)).isoformat()},
            "course_start",
            "future",
        ),
        ({"course_start": "not a date"}, "course_start", "Not a valid date"),
    ],
)
def test_treatment_course_errors(signed_in, member, data, field, message):
    response = signed_in.post("/settings/course", data=data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text and message in response.text
    assert fresh(member).course_dose_mg is None


def test_end_one_other_session(app, signed_in, member):
    other = login(app.test_client(), member)
    other_id = db.session.query(UserSession.id).order_by(UserSession.id.desc()).limit(1).scalar()
    response = signed_in.post(f"/settings/sessions/{other_id}/end")
    assert response.status_code == 302 and response.location == "/settings/sessions"
    assert "That session has been ended." in signed_in.get("/settings").text
    assert other.get("/settings").status_code == 302
    assert signed_in.get("/settings").status_code == 200


def test_cannot_end_someone_elses_session(app, signed_in, other_member):
    login(app.test_client(), other_member)
    theirs = db.session.query(UserSession).filter_by(user_id=other_member.id).one()
    signed_in.post(f"/settings/sessions/{theirs.id}/end")
    assert db.session.query(UserSession).filter_by(user_id=other_member.id).count() == 1


def test_ending_this_session_logs_out(signed_in):
    this_id = db.session.query(UserSession.id).scalar()
    response = signed_in.post(f"/settings/sessions/{this_id}/end")
    assert response.location == "/"
    assert signed_in.get("/settings").status_code == 302


def test_log_out_everywhere_else(app, signed_in, member):
    others = [login(app.test_client(), member) for _ in range(2)]
    assert "Log out everywhere else" in signed_in.get("/settings").text
    response = signed_in.post("/settings/sessions/end-others")
    assert response.status_code == 302
    assert "You are logged out everywhere else (2 sessions)." in signed_in.get("/settings").text
    assert all(other.get("/settings").status_code == 302 for other in others)
    assert signed_in.get("/settings").status_code == 200


def statements_during(fn) -> list[str]:
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE")):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def test_settings_page_costs_two_queries_whatever_the_number_of_sessions(app, signed_in, member):
    few = statements_during(lambda: signed_in.get("/settings"))
    for _ in range(6):
        login(app.test_client(), member)
    many = statements_during(lambda: signed_in.get("/settings"))
    assert len(few) == len(many) == 2  # the user loader, then the sessions list


def test_the_layout_adds_no_query_beyond_the_user_loader(signed_in):
    # A page that queries nothing itself: only the user loader runs, whatever base.html shows.
    response = None

    def visit():
        nonlocal response
        response = signed_in.get("/no/such/page")

    assert len(statements_during(visit)) == 1
    assert 'href="/u/member1"' in response.text


def test_course_wording_says_what_is_shown_and_what_never_is(signed_in, member):
    html = signed_in.get("/settings").text
    assert "nobody sees these dates or your dose" not in html  # the dose is shown
    assert "The dates are never shown to anyone." in html
    assert "your treatment month and daily dose" in html


def test_a_post_shows_month_and_dose_from_the_course_but_never_its_dates(
    signed_in, member, other_member
):
    from tests.factories import make_post, make_thread

    start = utcnow().date() - timedelta(days=70)
    response = signed_in.post(
        "/settings/course",
        data={"course_start": start.isoformat(), "course_dose_mg": "40", "course_end": ""},
    )
    assert response.status_code == 302
    thread = make_thread(other_member, title="How is everyone's second month")
    make_post(thread, fresh(member), body="Month three here, lips are the worst of it.")
    db.session.commit()
    page = signed_in.get(f"/t/{thread.id}").text
    assert "Month 3 · 40 mg/day" in page
    for shown in (start.isoformat(), f"{start:%d %B %Y}", f"{start.day} {start:%B %Y}"):
        assert shown not in page
