"""`flask --app forum users ...` and `flask --app forum setup`, through Flask's CliRunner."""

import contextlib
from datetime import timedelta

import pytest
from werkzeug.security import check_password_hash

from forum.auth import commands
from forum.auth.sessions import create_session, hash_token
from forum.extensions import db
from forum.models import ModAction, ModerationAction, User, UserSession, utcnow
from tests.conftest import USING_PG

STRONG = "a distant purple harbour"


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def run(*args, input=None):
        result = runner.invoke(args=list(args), input=input)
        db.session.expire_all()
        return result

    return run


def user_named(name):
    return db.session.query(User).filter_by(username=name).one_or_none()


def test_create_admin_from_stdin_with_confirmation(cli):
    result = cli(
        "users",
        "create",
        "Boss",
        "--email",
        "Boss@Example.org",
        "--role",
        "admin",
        input=f"{STRONG}\n{STRONG}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created boss (admin)." in result.output
    user = user_named("boss")
    assert user.role == "admin" and user.email == "boss@example.org"
    assert user.is_verified
    assert check_password_hash(user.password_hash, STRONG)


def test_create_reads_a_single_line(cli):
    result = cli("users", "create", "solo", "--email", "solo@example.org", input=f"{STRONG}\n")
    assert result.exit_code == 0, result.output
    assert user_named("solo").role == "member"


def test_create_refuses_mismatched_second_line(cli):
    result = cli("users", "create", "boss", "--email", "b@example.org", input=f"{STRONG}\nother\n")
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert user_named("boss") is None


def test_create_prompts_twice_on_a_terminal(cli, monkeypatch):
    monkeypatch.setattr(commands, "stdin_is_tty", lambda: True)
    result = cli(
        "users",
        "create",
        "boss",
        "--email",
        "b@example.org",
        "--role",
        "moderator",
        input=f"{STRONG}\n{STRONG}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password" in result.output and "Password again" in result.output
    assert STRONG not in result.output  # hidden input
    assert user_named("boss").role == "moderator"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["admin", "--email", "a@example.org"], STRONG, "reserved"),
        (["x", "--email", "a@example.org"], STRONG, "between 3 and 30"),
        (["bad name", "--email", "a@example.org"], STRONG, "lower-case letters"),
        (["boss", "--email", "not-an-email"], STRONG, "valid email"),
        (["boss", "--email", "b@example.org"], "password1234", "too easy to guess"),
        (["boss", "--email", "b@example.org"], "short", "at least 10"),
        (["boss", "--email", "b@example.org"], "", "No password"),
        (["boss", "--email", "b@example.org", "--role", "king"], STRONG, "king"),
    ],
)
def test_create_refuses_bad_input_with_a_clear_message(cli, args, stdin, message):
    result = cli("users", "create", *args, input=stdin + "\n")
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.query(User).count() == 0


def test_create_refuses_taken_name_or_email(cli, member):
    taken_name = cli("users", "create", "MEMBER1", "--email", "n@example.org", input=STRONG)
    assert taken_name.exit_code != 0 and "taken" in taken_name.output
    taken_email = cli("users", "create", "fresh", "--email", "member1@example.org", input=STRONG)
    assert taken_email.exit_code != 0 and "already uses that email" in taken_email.output
    assert db.session.query(User).count() == 1


def test_set_role_records_it_in_the_audit_log(cli, member):
    result = cli("users", "set-role", "Member1", "moderator")
    assert result.exit_code == 0, result.output
    assert "member1 is now moderator (was member)." in result.output
    assert user_named("member1").role == "moderator"
    [entry] = db.session.query(ModerationAction).all()
    assert entry.action == ModAction.USER_ROLE and entry.target_user_id == member.id
    assert entry.moderator_id is None
    assert (entry.reason, entry.detail) == ("Changed from the command line.", "member → moderator")
    assert entry.created_at is not None and not entry.is_safety


def test_set_role_keeps_the_reason_given(cli, member):
    result = cli("users", "set-role", "member1", "admin", "--reason", "The site's first admin.")
    assert result.exit_code == 0, result.output
    [entry] = db.session.query(ModerationAction).all()
    assert (entry.reason, entry.detail) == ("The site's first admin.", "member → admin")


def test_set_role_follows_the_role_rule(cli, banned_user):
    result = cli("users", "set-role", "banned1", "moderator")
    assert result.exit_code != 0
    assert "A banned member can't be made a moderator or an admin." in result.output
    assert user_named("banned1").role == "member"
    assert db.session.query(ModerationAction).count() == 0
    blank = cli("users", "set-role", "banned1", "member", "--reason", " ")
    assert blank.exit_code != 0 and "Give a reason" in blank.output


def test_set_role_errors(cli, member):
    unknown = cli("users", "set-role", "ghost", "admin")
    assert unknown.exit_code != 0 and "There is no user called 'ghost'." in unknown.output
    bad_role = cli("users", "set-role", "member1", "king")
    assert bad_role.exit_code != 0
    same = cli("users", "set-role", "member1", "member")
    assert same.exit_code == 0 and "already member" in same.output
    assert db.session.query(ModerationAction).count() == 0


def test_list_users(cli, member, unverified, admin):
    result = cli("users", "list")
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == ["admin1", "member1", "newbie"]
    assert "newbie\tmember\tactive\tunconfirmed" in lines
    assert "@" not in result.output  # no addresses
    admins = cli("users", "list", "--role", "admin")
    assert admins.output.strip().splitlines() == ["admin1\tadmin\tactive\tconfirmed"]


def test_purge_sessions_deletes_only_idle_ones(app, cli, member):
    with app.test_request_context():
        create_session(member, remember=False, user_agent="a")
        old = create_session(member, remember=True, user_agent="b")
        db.session.commit()
    stale = db.session.query(UserSession).filter_by(token_hash=hash_token(old)).one()
    stale.last_seen_at = utcnow() - timedelta(days=app.config["SESSION_IDLE_DAYS"] + 1)
    db.session.commit()
    result = cli("users", "purge-sessions")
    assert result.exit_code == 0 and "Deleted 1 idle session." in result.output
    assert db.session.query(UserSession).count() == 1


def test_setup_is_idempotent(cli):
    for _ in range(2):
        result = cli("setup")
        assert result.exit_code == 0, result.output
        assert "Setup complete." in result.output


@pytest.mark.skipif(USING_PG, reason="a SQLite pragma: PostgreSQL always enforces foreign keys")
def test_setup_leaves_every_pooled_connection_enforcing_foreign_keys(cli):
    # A migration run that had nothing to do once returned its connection with foreign keys
    # off, and a later account deletion left rows behind.
    assert cli("setup").exit_code == 0
    db.session.remove()
    with contextlib.ExitStack() as stack:
        # Raw checkouts: no BEGIN, so five at once do not queue for the write lock.
        pooled = [
            stack.enter_context(contextlib.closing(db.engine.raw_connection())) for _ in range(5)
        ]
        pragmas = [c.driver_connection.execute("PRAGMA foreign_keys").fetchone()[0] for c in pooled]
        assert pragmas == [1] * 5
