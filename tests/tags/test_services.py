import pytest
from sqlalchemy import select

from forum.errors import ForumError, InvalidAction, NotFound
from forum.extensions import db
from forum.models import PostStatus, Tag
from forum.tags import services
from tests.factories import make_tag, make_thread

CORE_FOUR = ["dryness", "mood", "results-after-finishing", "comparisons"]
REQUIRED = CORE_FOUR + [
    "initial-breakout",
    "side-effects",
    "dosage",
    "labs-and-monitoring",
    "skincare-routine",
    "pregnancy-prevention",
]


def test_load_shipped_tags_adds_the_set_with_descriptions_core_four_first(app):
    added, updated = services.load_shipped_tags()
    db.session.commit()
    tags = services.all_tags()
    assert added == len(tags) >= 10
    assert updated == 0
    assert set(REQUIRED) <= {tag.slug for tag in tags}
    assert [tag.slug for tag in tags[:4]] == CORE_FOUR
    assert all(tag.name and tag.description for tag in tags)


def test_load_shipped_tags_is_idempotent_and_restores_shipped_text(app):
    services.load_shipped_tags()
    mood = services.get_tag("mood")
    mood.name = "Renamed"
    make_tag("hair-loss", name="Hair loss", sort_order=500)
    db.session.commit()

    added, updated = services.load_shipped_tags()
    db.session.commit()

    assert (added, updated) == (0, 1)
    assert services.get_tag("mood").name == "Mood"
    assert services.get_tag("hair-loss").name == "Hair loss"
    assert db.session.scalar(select(db.func.count(Tag.id))) == len(services.shipped_tags()) + 1


def test_tags_with_counts_counts_only_visible_threads(app):
    services.load_shipped_tags()
    make_thread(tags=("dryness",))
    make_thread(tags=("dryness", "mood"))
    hidden = make_thread(tags=("dryness",))
    hidden.status = PostStatus.HIDDEN
    db.session.commit()

    counts = {row.tag.slug: row.thread_count for row in services.tags_with_counts()}

    assert counts["dryness"] == 2
    assert counts["mood"] == 1
    assert counts["dosage"] == 0


def test_get_tag_unknown_raises_not_found(app):
    with pytest.raises(NotFound):
        services.get_tag("no-such-tag")


@pytest.mark.parametrize("slug", ["Bad Slug", "-dash", "a--b", "x" * 41, ""])
def test_add_tag_refuses_bad_slugs(app, slug):
    with pytest.raises(ForumError, match="slug"):
        services.add_tag(slug, name="Name")


def test_add_tag_refuses_duplicates_and_empty_names(app):
    services.add_tag("hair-loss", name="Hair loss")
    with pytest.raises(InvalidAction, match="already exists"):
        services.add_tag("hair-loss", name="Again")
    with pytest.raises(ForumError, match="name"):
        services.add_tag("other", name="  ")


def test_add_tag_goes_after_the_others_by_default(app):
    services.load_shipped_tags()
    tag = services.add_tag("hair-loss", name="Hair loss", description="Shedding.")
    assert services.all_tags()[-1] == tag


def test_edit_tag_changes_fields(app):
    tag = services.add_tag("hair-loss", name="Hair loss")
    services.edit_tag(tag, name="Hair", description="Thinning and shedding.", sort_order=1)
    assert (tag.name, tag.description, tag.sort_order) == ("Hair", "Thinning and shedding.", 1)


def test_remove_tag_in_use_is_refused_without_force(app):
    thread = make_thread(tags=("dryness", "mood"))
    db.session.commit()
    with pytest.raises(InvalidAction, match="used by 1 thread.*--force"):
        services.remove_tag(services.get_tag("mood"))

    assert services.remove_tag(services.get_tag("mood"), force=True) == 1
    db.session.commit()
    assert [tag.slug for tag in db.session.get(type(thread), thread.id).tags] == ["dryness"]


def test_remove_unused_tag(app):
    services.add_tag("hair-loss", name="Hair loss")
    assert services.remove_tag(services.get_tag("hair-loss")) == 0
    with pytest.raises(NotFound):
        services.get_tag("hair-loss")


def test_tag_counts_are_kept_for_a_while_when_configured(app, member):
    from forum.tags import services as tag_services

    tag = make_tag("kept", name="Kept")
    make_thread(member, title="First counted thread", tags=[tag.slug])
    app.config["TAG_COUNTS_SECONDS"] = 30
    try:
        first = {row.tag.slug: row.thread_count for row in tag_services.tags_with_counts()}
        make_thread(member, title="Second thread, not yet counted", tags=[tag.slug])
        again = {row.tag.slug: row.thread_count for row in tag_services.tags_with_counts()}
        assert first["kept"] == again["kept"] == 1
    finally:
        app.config["TAG_COUNTS_SECONDS"] = 0
        app.extensions.pop("tag_counts", None)
    fresh = {row.tag.slug: row.thread_count for row in tag_services.tags_with_counts()}
    assert fresh["kept"] == 2
