"""Server-side login sessions (forum/auth/sessions.py)."""

from datetime import timedelta

import pytest

from forum.auth.sessions import (
    active_sessions,
    browser_family,
    create_session,
    end_other_sessions,
    load_user_from_token,
)
from forum.extensions import db
from forum.models import UserSession, utcnow


@pytest.mark.parametrize(
    ("agent", "family"),
    [
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
            "Firefox on Linux",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
            "Safari on iOS",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
            "Edge on Windows",
        ),
        ("curl/8.0", "Unknown browser"),
        (None, "Unknown browser"),
    ],
)
def test_browser_family_keeps_only_browser_and_system(agent, family):
    assert browser_family(agent) == family


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def test_token_loads_the_user_and_marks_the_current_session(ctx, member):
    token = create_session(member, remember=False, user_agent=None)
    db.session.commit()
    loaded = load_user_from_token(token)
    row = db.session.query(UserSession).one()
    assert loaded == member and loaded.current_session.id == row.id
    assert load_user_from_token("not-a-token") is None
    # Only the token's hash is stored.
    assert db.session.query(UserSession).filter_by(token_hash=token).count() == 0


def test_idle_sessions_stop_working(app, ctx, member):
    token = create_session(member, remember=True, user_agent=None)
    db.session.commit()
    row = db.session.query(UserSession).one()
    row.last_seen_at = utcnow() - timedelta(days=app.config["SESSION_IDLE_DAYS"] + 1)
    db.session.commit()
    assert load_user_from_token(token) is None
    assert active_sessions(member) == []


def test_banned_members_sessions_stop_working(ctx, member):
    token = create_session(member, remember=False, user_agent=None)
    member.status = "banned"
    db.session.commit()
    assert load_user_from_token(token) is None


def test_end_other_sessions_keeps_the_given_one(ctx, member, other_member):
    create_session(member, remember=False, user_agent=None)
    create_session(member, remember=False, user_agent=None)
    keep = member.current_session.id
    create_session(other_member, remember=False, user_agent=None)
    assert end_other_sessions(member, keep) == 1
    assert [s.id for s in active_sessions(member)] == [keep]
    assert len(active_sessions(other_member)) == 1
