from forum.extensions import db
from forum.tags import services
from tests.factories import make_thread


def run(app, *args):
    return app.test_cli_runner().invoke(args=["tags", *args])


def test_tags_load_then_list(app):
    result = run(app, "load")
    assert result.exit_code == 0
    assert "added" in result.output

    result = run(app, "list")
    assert result.exit_code == 0
    assert "results-after-finishing" in result.output
    assert "pregnancy-prevention" in result.output


def test_setup_loader_is_idempotent(app):
    from forum.tags.commands import load_tags

    first = load_tags()
    db.session.commit()
    assert first == f"Tags: {len(services.shipped_tags())} added, 0 updated."
    assert load_tags() == "Tags: 0 added, 0 updated."


def test_tags_add_edit_remove(app):
    result = run(app, "add", "hair-loss", "--name", "Hair loss", "--description", "Shedding.")
    assert result.exit_code == 0, result.output
    assert services.get_tag("hair-loss").description == "Shedding."

    result = run(app, "edit", "hair-loss", "--name", "Hair")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert services.get_tag("hair-loss").name == "Hair"

    result = run(app, "remove", "hair-loss")
    assert result.exit_code == 0, result.output
    assert "Removed tag 'hair-loss'" in result.output


def test_tags_add_bad_slug_fails_with_reason(app):
    result = run(app, "add", "Not A Slug", "--name", "X")
    assert result.exit_code != 0
    assert "slug" in result.output


def test_tags_edit_needs_a_change_and_a_known_tag(app):
    assert run(app, "edit", "dryness").exit_code != 0
    result = run(app, "edit", "nope", "--name", "X")
    assert result.exit_code != 0
    assert "no topic" in result.output


def test_tags_remove_in_use_refuses_unless_forced(app):
    make_thread(tags=("dryness",))
    db.session.commit()

    result = run(app, "remove", "dryness")
    assert result.exit_code != 0
    assert "used by 1 thread" in result.output and "--force" in result.output

    result = run(app, "remove", "dryness", "--force")
    assert result.exit_code == 0, result.output
    assert "took it off 1 thread" in result.output
