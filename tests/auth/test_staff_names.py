"""Names that could pass for staff are refused at registration (issue #9)."""

import pytest

from forum.auth import services
from forum.extensions import db
from forum.models import User
from tests.auth.test_views import registration, user_named
from tests.factories import make_user

STAFF_LOOKALIKES = ["adm1n", "moderat0r", "site-admin", "admin-team", "mod-team", "forum-staff"]


@pytest.mark.parametrize("name", STAFF_LOOKALIKES)
def test_register_refuses_a_name_that_looks_like_staff(client, name):
    response = client.post(
        "/register", data=registration(username=name.upper(), email="someone@example.org")
    )
    assert response.status_code == 422
    html = response.text
    assert 'id="username-error"' in html
    assert "could be taken for a staff account" in html
    assert f'value="{name}"' in html  # what was typed is kept, lower-cased
    assert 'value="someone@example.org"' in html
    assert user_named(name) is None


def test_register_accepts_a_name_with_mod_inside_a_word(client):
    response = client.post(
        "/register", data=registration(username="modern_mum", email="mum@example.org")
    )
    assert response.status_code == 302
    assert user_named("modern_mum") is not None


@pytest.mark.parametrize(
    "name",
    ["0ffic1al", "staff-4-you", "m0d_team", "mod2-team", "site_ad-min", "the_m0ds", "5taff"],
)
def test_other_spellings_of_staff_names_are_refused(app, name):
    assert "staff account" in services.username_problem(name)


@pytest.mark.parametrize("name", ["modern_mum", "moderate_dose", "model-t", "kate_smith"])
def test_ordinary_names_stay_allowed(app, name):
    assert services.username_problem(name) is None


def test_registering_a_lookalike_an_old_account_holds_reveals_nothing(client, app):
    make_user("adm1n")  # made before the rule existed
    db.session.commit()
    taken = client.post("/register", data=registration(username="adm1n", email="a@example.org"))
    free = client.post("/register", data=registration(username="moderat0r", email="b@example.org"))
    assert taken.status_code == free.status_code == 422
    assert "could be taken for a staff account" in taken.text
    assert "taken. Please" not in taken.text
    assert db.session.query(User).count() == 1


def test_staff_made_on_the_command_line_may_have_a_staff_name(app):
    runner = app.test_cli_runner()
    password = "a distant purple harbour\n"
    made = runner.invoke(
        args=["users", "create", "site-admin", "--email", "sa@example.org", "--role", "admin"],
        input=password,
    )
    assert made.exit_code == 0, made.output
    refused = runner.invoke(
        args=["users", "create", "forum-staff", "--email", "fs@example.org"], input=password
    )
    assert refused.exit_code != 0
    assert "staff account" in refused.output
    db.session.expire_all()
    assert user_named("site-admin").role == "admin"
    assert user_named("forum-staff") is None
