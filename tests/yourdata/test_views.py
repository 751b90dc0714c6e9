"""Your data (issue #13): export, deletion, profile privacy, contact, the notice."""

import io
import json
import re
import zipfile
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from forum import cache
from forum.data.deletion import purge_due_deletions
from forum.data.export import build_pending_exports
from forum.extensions import db
from forum.journals import services as journals
from forum.models import (
    FORMER_MEMBER_USERNAME,
    DataExport,
    ItemKind,
    ModAction,
    ModerationAction,
    Notification,
    OutboxMessage,
    Post,
    Report,
    ReviewItem,
    Role,
    User,
    utcnow,
)
from forum.moderation import services as moderation
from forum.threads import services as threads
from tests.conftest import USING_PG, login
from tests.factories import PASSWORD, make_post, make_tag, make_thread, make_user


def text(response) -> str:
    return response.get_data(as_text=True)


def world():
    """A member with a thread, an edited reply, a report and a notification; another
    member who replies to them and reports their post."""
    me = make_user("mira", email="mira@example.org")
    other = make_user("otto", email="otto.secret@example.org")
    mine = make_thread(me, title="My dry lips diary", body="Lips peel every day.")
    theirs = make_thread(other, title="Otto's thread", body="Otto writes here.")
    reply = make_post(theirs, me, body="First version of my reply.")
    threads.edit_post(reply, me, body="Second version of my reply.")
    make_post(mine, other, body="Otto answers here.")
    moderation.report_post(threads.opening_post(theirs), me, "spam", "Looks like an ad.")
    moderation.report_post(threads.opening_post(mine), other, "other", "Otto reported this.")
    db.session.add(Notification(user_id=me.id, kind="warning", message="A note for Mira."))
    journals.add_dose_period(me, starts_on=date(2026, 1, 1), dose_mg=40)
    journals.save_entry(me, day=date(2026, 2, 1), skin=3, mood=3, levels={}, note="Mira's lips.")
    db.session.commit()
    return me, other, mine, theirs, reply


@pytest.fixture(params=["on"] if USING_PG else ["on", "off"])
def foreign_keys(request, app):
    """On SQLite, "off" runs the test on connections that do not enforce foreign keys (what
    a connection made outside the app's setup does): deletion must not depend on them."""
    if request.param == "on":
        yield request.param
        return

    def off(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA foreign_keys = OFF")

    db.session.remove()
    db.engine.dispose()
    event.listen(db.engine, "connect", off)
    try:
        yield request.param
    finally:
        db.session.remove()
        event.remove(db.engine, "connect", off)
        db.engine.dispose()


def test_an_export_holds_everything_of_the_member_and_nothing_of_another(app):
    me, other, mine, theirs, reply = world()
    reader = login(app.test_client(), me)
    assert 'action="/settings/data"' in text(reader.get("/settings/data"))
    response = reader.post("/settings/data")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert set(archive.namelist()) == {
        "account.json",
        "posts.json",
        "reports.json",
        "notifications.json",
        "bookmarks.json",
        "photos.json",
        "posts.html",
        "FORMAT.md",
    }
    account = json.loads(archive.read("account.json"))
    assert account["username"] == "mira" and account["email"] == "mira@example.org"
    assert account["sessions"] and "ip" not in json.dumps(account["sessions"]).lower()
    posts = json.loads(archive.read("posts.json"))
    bodies = {p["body"] for p in posts}
    assert bodies == {"Lips peel every day.", "Second version of my reply."}
    edited = next(p for p in posts if p["body"].startswith("Second"))
    assert [r["body"] for r in edited["revisions"]] == ["First version of my reply."]
    assert edited["thread"]["title"] == "Otto's thread"
    assert [r["note"] for r in json.loads(archive.read("reports.json"))] == ["Looks like an ad."]
    assert [n["message"] for n in json.loads(archive.read("notifications.json"))] == [
        "A note for Mira."
    ]
    assert json.loads(archive.read("bookmarks.json")) == []
    assert "Second version of my reply." in archive.read("posts.html").decode()
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode()
    assert "otto.secret@example.org" not in everything
    assert "Otto reported this" not in everything and "Otto answers here" not in everything
    assert '"otto"' not in everything


def test_a_large_account_gets_its_export_by_mail_and_only_while_signed_in(app, client):
    me, *_ = world()
    app.config["EXPORT_INLINE_MAX_POSTS"] = 1
    try:
        reader = login(app.test_client(), me)
        response = reader.post("/settings/data")
        assert response.status_code == 202 and "being prepared" in text(response)
        assert build_pending_exports() == 1
        db.session.commit()
    finally:
        app.config["EXPORT_INLINE_MAX_POSTS"] = 300
    mail = db.session.scalars(select(OutboxMessage)).all()[-1]
    link = re.search(r"http\S+/settings/data/(\S+)", mail.body_text)
    assert mail.to_address == "mira@example.org" and link
    path = f"/settings/data/{link.group(1)}"
    assert client.get(path).status_code == 302  # to the login page
    other = login(app.test_client(), make_user("nosy"))
    assert other.get(path).status_code == 404
    download = reader.get(path)
    assert download.status_code == 200 and download.headers["Content-Type"] == "application/zip"
    export = db.session.scalar(select(DataExport))
    export.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert reader.get(path).status_code == 404


def every_row_mentioning(user_id: int, username: str, email: str) -> list[tuple[str, str]]:
    """(table, column) of every value left that names the account: its email or username
    in any text, or its id in any column pointing at users."""
    found = []
    for table in db.metadata.sorted_tables:
        user_columns = {
            column.name
            for column in table.columns
            if any(fk.column.table.name == "users" for fk in column.foreign_keys)
        }
        if table.name == "users":
            user_columns.add("id")
        for row in db.session.execute(select(table)).mappings():
            for name, value in row.items():
                if (
                    name in user_columns
                    and value == user_id
                    or isinstance(value, str)
                    and (email in value.lower() or re.search(rf"\b{username}\b", value.lower()))
                ):
                    found.append((table.name, name))
    return found


def delete_account(app, user, mode: str):
    client = login(app.test_client(), user)
    page = text(client.get("/settings/delete"))
    assert 'name="password"' in page and 'value="erase"' in page
    wrong = client.post("/settings/delete", data={"password": "nope", "mode": mode})
    assert wrong.status_code == 422 and "not your current password" in text(wrong)
    response = client.post("/settings/delete", data={"password": PASSWORD, "mode": mode})
    assert response.status_code == 302
    assert client.get("/settings").status_code == 302  # logged out everywhere
    return client


@pytest.mark.parametrize("mode", ["keep", "erase"])
def test_deletion_keeps_the_tree_and_leaves_nothing_personal(app, mode, foreign_keys):
    me, other, mine, theirs, reply = world()
    user_id = me.id
    moderation.log_action(None, ModAction.USER_WARN, user=me, reason="Warned mira about links.")
    db.session.commit()
    shape = [
        (p.id, p.parent_id, p.path) for p in db.session.scalars(select(Post).order_by(Post.id))
    ]
    delete_account(app, me, mode)
    mail = db.session.scalars(select(OutboxMessage)).all()[-1]
    assert "Log in again before then" in mail.body_text
    assert purge_due_deletions(utcnow() + timedelta(days=8)) == 1
    db.session.commit()
    assert [
        (p.id, p.parent_id, p.path) for p in db.session.scalars(select(Post).order_by(Post.id))
    ] == shape
    left = every_row_mentioning(user_id, "mira", "mira@example.org")
    assert left == [("username_tombstones", "username")], (mode, foreign_keys)
    former = db.session.scalar(select(User).where(User.username == FORMER_MEMBER_USERNAME))
    kept_reply = db.session.get(Post, reply.id)
    assert kept_reply.author_id == former.id
    report = db.session.scalar(select(Report).where(Report.note == ""))
    assert report.reporter_id is None and report.reason == "spam"
    page = text(app.test_client().get(f"/t/{theirs.id}"))
    if mode == "keep":
        assert "Second version of my reply." in page and "[former member]" in page
    else:
        assert "Second version of my reply." not in page and "[deleted]" in page
        assert "Otto answers here." in text(app.test_client().get(f"/t/{mine.id}"))
    assert "mira@example.org" not in text(app.test_client().get("/mod/log"))
    # The name can never be registered again.
    again = app.test_client().post(
        "/register",
        data={
            "username": "Mira",
            "email": "new@example.org",
            "password": "another long passphrase",
            "password_confirm": "another long passphrase",
            "age_confirm": "y",
            "accept_terms": "y",
        },
    )
    assert again.status_code == 422


def test_logging_in_again_within_the_grace_cancels_the_deletion(app):
    me, *_ = world()
    client = delete_account(app, me, "erase")
    response = client.post(
        "/login", data={"login": "mira", "password": PASSWORD}, follow_redirects=True
    )
    assert "your account will not be deleted" in text(response)
    assert purge_due_deletions(utcnow() + timedelta(days=30)) == 0
    user = db.session.scalar(select(User).where(User.username == "mira"))
    assert user is not None and user.deletion_due_at is None


def test_an_admin_deletes_an_account_from_the_command_line_with_a_logged_reason(app):
    me, *_ = world()
    admin = make_user("boss", role=Role.ADMIN)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["data", "delete", "mira", "--admin", "boss", "--reason", "Asked by mail."]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.username == "mira")) is None
    entry = db.session.scalars(select(ModerationAction))
    assert any(e.action == ModAction.USER_DELETE and e.moderator_id == admin.id for e in entry)
    refused = runner.invoke(args=["data", "delete", "otto", "--admin", "otto", "--reason", "x"])
    assert refused.exit_code != 0 and "not an admin" in refused.output


def test_staff_cannot_delete_someone_else_through_the_web(app):
    me, *_ = world()
    admin = make_user("boss", role=Role.ADMIN)
    db.session.commit()
    client = login(app.test_client(), admin)
    client.post("/settings/delete", data={"password": PASSWORD, "mode": "erase"})
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.username == "mira")).deletion_due_at is None


def test_profile_privacy_hides_replies_and_mood_replies_and_asks_for_noindex(app, client):
    me = make_user("mira")
    make_tag("mood")
    mood = make_thread(make_user("sam"), title="Feeling low", tags=("mood",))
    dry = make_thread(make_user("lee"), title="Dry eyes", tags=("dryness",))
    make_post(mood, me, body="moodreplytext")
    make_post(dry, me, body="dryreplytext")
    db.session.commit()
    profile = text(client.get("/u/mira"))
    assert "dryreplytext" in profile and "moodreplytext" not in profile
    own = login(app.test_client(), me)
    assert "moodreplytext" in text(own.get("/u/mira"))
    form = text(own.get("/settings/privacy"))
    assert all(f'name="{name}"' in form for name in ("hide_replies", "noindex", "contribute"))
    saved = own.post("/settings/privacy", data={"hide_replies": "y", "noindex": "y"})
    assert saved.status_code == 302
    profile = text(client.get("/u/mira"))
    assert "dryreplytext" not in profile and 'content="noindex"' in profile
    user = db.session.get(User, me.id)
    assert user.hide_replies and user.noindex and not user.contribute


def test_a_privacy_choice_reaches_signed_out_readers_through_the_page_cache(make_app, tmp_path):
    cached = make_app()
    cached.config.update(ANON_CACHE_SECONDS=60, REDIS_URL="")
    cached.instance_path = str(tmp_path)
    cache.init_store(cached)
    me = make_user("mira")
    make_post(make_thread(make_user("lee"), title="Dry eyes"), me, body="dryreplytext")
    db.session.commit()
    own = login(cached.test_client(), me)
    db.session.remove()
    outsider = cached.test_client()
    assert "dryreplytext" in text(outsider.get("/u/mira"))
    assert outsider.get("/u/mira").headers["X-Cache"] == "hit"
    assert own.post("/settings/privacy", data={"hide_replies": "y"}).status_code == 302
    assert "dryreplytext" not in text(outsider.get("/u/mira"))


def test_a_message_to_the_moderators_is_queued_and_answered_in_the_inbox(app):
    me = make_user("mira")
    mod = make_user("warden", role=Role.MODERATOR)
    db.session.commit()
    writer = login(app.test_client(), me)
    assert writer.post("/contact", data={"body": ""}).status_code == 422
    assert writer.post("/contact", data={"body": "Please delete my old thread."}).status_code == 302
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.kind == ItemKind.CONTACT))
    moderator = login(app.test_client(), mod)
    queue = text(moderator.get("/mod/queue"))
    assert "Please delete my old thread." in queue and f"/mod/messages/{item.id}" in queue
    assert moderator.get(f"/mod/items/{item.id}").status_code == 404
    assert writer.get(f"/mod/messages/{item.id}").status_code == 403
    answered = moderator.post(f"/mod/messages/{item.id}/answer", data={"body": "Done for you."})
    assert answered.status_code == 302
    assert "Done for you." in text(writer.get("/notifications"))
    again = moderator.post(f"/mod/messages/{item.id}/answer", data={"body": "Again."})
    assert again.status_code == 409


def test_every_route_the_privacy_notice_names_exists(app, client):
    page = text(client.get("/privacy"))
    named = set(re.findall(r"<code>(/[a-z/_-]*)</code>", page))
    assert {"/settings/data", "/settings/delete", "/settings/privacy", "/contact"} <= named
    adapter = app.url_map.bind("localhost")
    for path in named:
        adapter.match(path, method="GET")
    assert "Third parties" in page and "None." in page
