"""Who may give whom which role, and the log entry each change leaves (issue #10)."""

import pytest
from sqlalchemy import select

from forum.errors import ForumError, InvalidAction, PermissionDenied
from forum.extensions import db
from forum.models import ModAction, ModerationAction, Role
from forum.moderation import services as moderation
from forum.users import services
from forum.users.services import SYSTEM


def log_entries():
    return list(db.session.scalars(select(ModerationAction).order_by(ModerationAction.id)))


def test_an_admin_makes_a_member_a_moderator_and_the_log_names_them(admin, member):
    previous = services.set_role(admin, member, "moderator", reason="Helps in the mood tag.")
    db.session.commit()
    assert previous == Role.MEMBER and member.role == Role.MODERATOR
    [entry] = log_entries()
    assert (entry.action, entry.moderator_id, entry.target_user_id) == (
        ModAction.USER_ROLE,
        admin.id,
        member.id,
    )
    assert entry.reason == "Helps in the mood tag."
    assert entry.detail == "member → moderator"
    public = moderation.public_log().entries[0]
    assert (public.moderator, public.action, public.target) == (
        "admin1",
        "Changed the role of",
        "member1",
    )


def test_an_admin_can_make_another_admin_and_take_a_role_back(admin, moderator):
    services.set_role(admin, moderator, Role.ADMIN, reason="Second admin.")
    services.set_role(admin, moderator, Role.MEMBER, reason="Stepped down.")
    assert moderator.role == Role.MEMBER
    assert [entry.detail for entry in log_entries()] == ["moderator → admin", "admin → member"]


@pytest.mark.parametrize("role", ["member", "moderator", "admin"])
def test_moderators_and_members_cannot_give_roles(moderator, member, other_member, role):
    for actor in (moderator, member):
        with pytest.raises(PermissionDenied, match="Only an admin"):
            services.set_role(actor, other_member, role, reason="Because.")
    with pytest.raises(PermissionDenied):
        services.set_role(None, other_member, role, reason="Because.")
    assert other_member.role == Role.MEMBER and log_entries() == []


def test_an_admin_cannot_change_their_own_role(admin):
    with pytest.raises(PermissionDenied, match="your own role"):
        services.set_role(admin, admin, "member", reason="Retiring.")
    assert admin.role == Role.ADMIN and log_entries() == []


def test_a_banned_member_cannot_be_made_staff(admin, banned_user):
    with pytest.raises(InvalidAction, match="banned member"):
        services.set_role(admin, banned_user, "moderator", reason="Second chance.")
    with pytest.raises(InvalidAction):
        services.set_role(SYSTEM, banned_user, "admin", reason="Second chance.")
    assert banned_user.role == Role.MEMBER and log_entries() == []


def test_the_system_actor_gives_any_role_and_is_logged_without_a_moderator(member):
    services.set_role(SYSTEM, member, "admin", reason="First admin of the site.")
    [entry] = log_entries()
    assert member.role == Role.ADMIN and entry.moderator_id is None
    assert entry.detail == "member → admin"


def test_role_and_reason_are_checked(admin, member):
    with pytest.raises(ForumError, match="Choose a role") as unknown:
        services.set_role(admin, member, "king", reason="Because.")
    with pytest.raises(ForumError, match="Give a reason") as blank:
        services.set_role(admin, member, "moderator", reason="   ")
    assert unknown.value.status == blank.value.status == 422
    assert member.role == Role.MEMBER and log_entries() == []


def test_giving_the_same_role_again_changes_and_logs_nothing(admin, moderator):
    assert services.set_role(admin, moderator, "moderator", reason="Again.") == Role.MODERATOR
    assert log_entries() == []
