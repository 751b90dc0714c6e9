"""Loading the guide, admins' edits, and the experiences shown beside it (issue #5)."""

import shutil
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from forum.errors import FieldErrors, ForumError, NotFound, PermissionDenied
from forum.extensions import db
from forum.guide import services
from forum.guide.content import ARTICLES_DIR, load_article_files
from forum.models import GuideArticle, GuideRevision, PostStatus, Thread, utcnow
from forum.search import backend
from tests.factories import make_thread, make_user

SHIPPED = load_article_files()


@pytest.fixture
def articles_dir(tmp_path):
    """A copy of the shipped articles that a test may edit."""
    target = tmp_path / "articles"
    shutil.copytree(ARTICLES_DIR, target)
    return target


def load(directory=ARTICLES_DIR):
    result = services.load_shipped_guide(directory)
    db.session.commit()
    return result


def article(slug) -> GuideArticle:
    return db.session.scalar(select(GuideArticle).where(GuideArticle.slug == slug))


def revisions(item: GuideArticle) -> list[GuideRevision]:
    return list(
        db.session.scalars(
            select(GuideRevision)
            .where(GuideRevision.article_id == item.id)
            .order_by(GuideRevision.id)
        )
    )


def search_slugs(words: str) -> list[str]:
    page = backend.search(backend.parse_query(words))
    return [hit.guide_slug for hit in page.hits if hit.kind == backend.GUIDE]


def edit_file(directory, slug, old, new):
    path = directory / f"{slug}.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def set_header(directory, slug, key, value):
    path = directory / f"{slug}.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    [index] = [n for n, line in enumerate(lines) if line.startswith(f"{key}:")]
    lines[index] = f"{key}: {value}"
    path.write_text("\n".join(lines), encoding="utf-8")


def snapshot() -> list[tuple]:
    rows = db.session.execute(
        select(
            GuideArticle.slug,
            GuideArticle.title,
            GuideArticle.body_html,
            GuideArticle.updated_at,
            GuideArticle.file_hash,
        ).order_by(GuideArticle.slug)
    )
    return [tuple(row) for row in rows]


def revision_count() -> int:
    return db.session.scalar(select(func.count(GuideRevision.id)))


def web_edit(item, editor, **changes):
    values = {
        "title": item.title,
        "summary": item.summary,
        "body": item.body,
        "tag_slugs": [tag.slug for tag in item.tags],
        "published": item.published,
        "reviewed_by": item.reviewed_by,
        "last_reviewed": item.last_reviewed_on,
    }
    values.update(changes)
    return services.edit_article(item, editor, **values)


# --- Loading ---------------------------------------------------------------------------------


def test_first_load_creates_every_article_from_its_file(shipped_tags):
    result = load()
    assert sorted(result.added) == sorted(source.slug for source in SHIPPED)
    assert result.updated == result.unchanged == []
    for source in SHIPPED:
        item = article(source.slug)
        assert (item.title, item.summary, item.body) == (source.title, source.summary, source.body)
        assert {tag.slug for tag in item.tags} == set(source.tags)
        assert item.published and item.file_hash == source.sha256
        assert item.sort_order == source.order
        assert item.last_reviewed_on == source.last_reviewed and item.reviewed_by is None
        assert item.reviewer_label == "not yet reviewed by a clinician"
        [revision] = revisions(item)
        assert (revision.source, revision.editor_id, revision.body) == ("file", None, source.body)


def test_article_html_keeps_sections_tables_and_internal_links(shipped_tags):
    load()
    comparison = article("isotretinoin-vs-alternatives").body_html
    assert "<table>" in comparison and "<th>Who it is for</th>" in comparison
    assert "<h2>Sources</h2>" in comparison and "<h4>" not in comparison
    assert '<a href="/guide/what-is-isotretinoin" rel="nofollow ugc noopener noreferrer">' in (
        comparison
    )
    assert 'href="/help"' in article("mood-and-mental-health").body_html
    assert "<h3>" in article("pregnancy-prevention").body_html  # its ### subsections


def test_loaded_articles_are_searchable(shipped_tags):
    load()
    assert "isotretinoin-vs-alternatives" in search_slugs("spironolactone")
    assert "pregnancy-prevention" in search_slugs("iPLEDGE")


def test_loading_twice_changes_nothing_the_second_time(shipped_tags):
    load()
    before, count = snapshot(), revision_count()
    result = load()
    assert result.added == result.updated == []
    assert sorted(result.unchanged) == sorted(source.slug for source in SHIPPED)
    assert result.summary == f"Guide: 0 added, 0 updated, {len(SHIPPED)} unchanged."
    assert snapshot() == before
    assert revision_count() == count


def test_an_edited_file_replaces_the_article_and_keeps_the_old_text(shipped_tags, articles_dir):
    load(articles_dir)
    old_body = article("managing-dryness").body
    edit_file(
        articles_dir, "managing-dryness", "\n## ", "\nA new paragraph about humidifiers.\n\n## "
    )
    edit_file(articles_dir, "managing-dryness", "title: ", "title: Updated: ")
    result = load(articles_dir)
    assert result.updated == ["managing-dryness"] and result.added == []
    item = article("managing-dryness")
    assert item.title.startswith("Updated: ")
    assert "humidifiers" in item.body and "humidifiers" in item.body_html
    history = revisions(item)
    assert [r.source for r in history] == ["file", "file"]
    assert history[0].body == old_body and history[1].body == item.body
    assert "managing-dryness" in search_slugs("humidifiers")
    # The other articles did not move.
    assert revision_count() == len(SHIPPED) + 1


def test_a_file_changing_its_tags_relinks_the_article(shipped_tags, articles_dir):
    load(articles_dir)
    edit_file(articles_dir, "initial-breakout", "tags: ", "tags: mood, ")
    load(articles_dir)
    assert "mood" in {tag.slug for tag in article("initial-breakout").tags}


def test_an_admins_edit_survives_a_load_of_the_unchanged_file(shipped_tags, admin, articles_dir):
    load(articles_dir)
    item = article("managing-dryness")
    assert web_edit(item, admin, body="Rewritten by an admin.\n", title="Admin's title")
    db.session.commit()
    assert load(articles_dir).unchanged
    item = article("managing-dryness")
    assert (item.title, item.body) == ("Admin's title", "Rewritten by an admin.\n")
    assert [r.source for r in revisions(item)] == ["file", "web"]


def test_a_changed_file_wins_over_an_admins_edit_which_stays_in_the_revisions(
    shipped_tags, admin, articles_dir
):
    load(articles_dir)
    item = article("managing-dryness")
    web_edit(item, admin, body="Rewritten by an admin.\n", published=False)
    db.session.commit()
    edit_file(articles_dir, "managing-dryness", "\n## ", "\nThe file's new paragraph.\n\n## ")
    assert load(articles_dir).updated == ["managing-dryness"]
    item = article("managing-dryness")
    assert "The file's new paragraph." in item.body and "Rewritten" not in item.body
    history = revisions(item)
    assert [r.source for r in history] == ["file", "web", "file"]
    assert history[1].body == "Rewritten by an admin.\n" and history[1].editor_id == admin.id
    assert not item.published  # the file says nothing about publishing: the admin's choice


def test_a_reviewer_set_by_an_admin_is_kept_by_loads(shipped_tags, admin, articles_dir):
    load(articles_dir)
    reviewed = date.today() - timedelta(days=3)
    web_edit(
        article("managing-dryness"),
        admin,
        reviewed_by="Dr A. Example, dermatologist",
        last_reviewed=reviewed,
    )
    db.session.commit()
    set_header(articles_dir, "managing-dryness", "last_reviewed", "2026-01-05")
    set_header(articles_dir, "managing-dryness", "reviewed_by", "Someone else")
    set_header(articles_dir, "mood-and-mental-health", "last_reviewed", "2026-01-05")
    assert load(articles_dir).updated == ["managing-dryness", "mood-and-mental-health"]
    kept = article("managing-dryness")
    assert (kept.reviewed_by, kept.last_reviewed_on) == ("Dr A. Example, dermatologist", reviewed)
    # Without a reviewer, the file's review date is the article's.
    assert article("mood-and-mental-health").last_reviewed_on == date(2026, 1, 5)


def test_an_unknown_tag_is_a_clear_error_and_changes_nothing(shipped_tags, articles_dir):
    set_header(articles_dir, "managing-dryness", "tags", "dryness, hair-loss")
    with pytest.raises(ForumError, match=r"^managing-dryness.md: unknown tag 'hair-loss'\."):
        services.load_shipped_guide(articles_dir)
    db.session.rollback()
    assert db.session.scalar(select(func.count(GuideArticle.id))) == 0


def test_without_the_tags_loaded_the_error_says_to_load_them(app):
    with pytest.raises(ForumError, match=r"unknown tags? '.+'.*flask --app forum tags load"):
        services.load_shipped_guide()


def test_a_malformed_file_is_a_clear_error(shipped_tags, articles_dir):
    (articles_dir / "broken.md").write_text("no header here\n", encoding="utf-8")
    with pytest.raises(ForumError, match="broken.md"):
        services.load_shipped_guide(articles_dir)


def test_rerender_refreshes_stale_html(shipped_tags):
    load()
    item = article("managing-dryness")
    good = item.body_html
    item.body_html = "<p>stale</p>"
    db.session.commit()
    assert services.rerender_articles() == 1
    assert article("managing-dryness").body_html == good


# --- Admins' edits ---------------------------------------------------------------------------


def test_only_admins_edit_articles(shipped_tags, member, moderator):
    load()
    item = article("managing-dryness")
    for user in (member, moderator):
        with pytest.raises(PermissionDenied):
            web_edit(item, user, title="Mine now")


def test_an_edit_makes_a_web_revision_re_renders_and_re_indexes(shipped_tags, admin):
    load()
    item = article("managing-dryness")
    assert web_edit(
        item,
        admin,
        title="Dryness, revised",
        body="## Lips\n\nUse a thick balm called zinnober.\n",
        tag_slugs=["dryness", "side-effects"],
    )
    db.session.commit()
    item = article("managing-dryness")
    assert item.body_html == "<h2>Lips</h2>\n<p>Use a thick balm called zinnober.</p>"
    assert {tag.slug for tag in item.tags} == {"dryness", "side-effects"}
    last = revisions(item)[-1]
    assert (last.source, last.editor_id, last.title) == ("web", admin.id, "Dryness, revised")
    assert search_slugs("zinnober") == ["managing-dryness"]


def test_an_edit_that_changes_nothing_saves_nothing(shipped_tags, admin):
    load()
    item = article("managing-dryness")
    count = revision_count()
    assert web_edit(item, admin) is False
    assert revision_count() == count


def test_unpublishing_takes_the_article_out_of_search_and_lists(shipped_tags, admin, member):
    load()
    assert "pregnancy-prevention" in search_slugs("iPLEDGE")
    web_edit(article("pregnancy-prevention"), admin, published=False)
    db.session.commit()
    assert "pregnancy-prevention" not in search_slugs("iPLEDGE")
    assert "pregnancy-prevention" not in {a.slug for a in services.list_articles(member)}
    assert "pregnancy-prevention" in {a.slug for a in services.list_articles(admin)}
    with pytest.raises(NotFound):
        services.get_article("pregnancy-prevention", member)
    assert services.get_article("pregnancy-prevention", admin).slug == "pregnancy-prevention"
    assert "pregnancy-prevention" not in dict(services.article_choices())


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 151}, "title"),
        ({"summary": ""}, "summary"),
        ({"body": "\n\n"}, "body"),
        ({"tag_slugs": []}, "tags"),
        ({"tag_slugs": ["dryness", "no-such-topic"]}, "tags"),
        ({"reviewed_by": "Dr X", "last_reviewed": None}, "last_reviewed"),
        ({"last_reviewed": date.today() + timedelta(days=2)}, "last_reviewed"),
    ],
)
def test_invalid_edits_say_which_field_is_wrong(shipped_tags, admin, changes, field):
    load()
    with pytest.raises(FieldErrors) as caught:
        web_edit(article("managing-dryness"), admin, **changes)
    assert field in caught.value.errors


# --- Experiences beside the guide ------------------------------------------------------------


def test_experiences_come_from_the_articles_tags_visible_only(shipped_tags):
    load()
    author = make_user("storyteller")
    on_topic = make_thread(author, title="Dry lips in month two", tags=("dryness",))
    other_topic = make_thread(author, title="Low mood some days", tags=("mood",))
    make_thread(author, title="Hidden dryness story", tags=("dryness",), status=PostStatus.HIDDEN)
    make_thread(author, title="Held dryness story", tags=("dryness",), status=PostStatus.PENDING)
    make_thread(
        author,
        title="Removed dryness story",
        tags=("skincare-routine",),
        status=PostStatus.REMOVED,
    )
    db.session.commit()
    found = services.experiences_for(article("managing-dryness"))
    assert [t.title for t in found.recent] == [on_topic.title]
    assert found.helpful == []
    assert other_topic.title not in {t.title for t in found.recent}


def test_most_helpful_first_then_the_most_recent_others(shipped_tags):
    load()
    author = make_user("storyteller")
    threads = [
        make_thread(author, title=f"Dryness story number {n}", tags=("dryness",)) for n in range(8)
    ]
    threads[2].helpful_count, threads[5].helpful_count = 3, 7
    db.session.commit()
    found = services.experiences_for(article("managing-dryness"), limit=3)
    assert [t.title for t in found.helpful] == ["Dryness story number 5", "Dryness story number 2"]
    assert [t.title for t in found.recent] == [
        "Dryness story number 7",
        "Dryness story number 6",
        "Dryness story number 4",
    ]


def test_the_stage_filter(shipped_tags):
    load()
    author = make_user("storyteller")
    make_thread(author, title="Thinking about starting", tags=("dryness",), stage="considering")
    make_thread(author, title="Month three now", tags=("dryness",), treatment_month=3)
    make_thread(author, title="Done and dusted", tags=("dryness",), stage="finished")
    db.session.commit()
    item = article("managing-dryness")

    def titles(stage):
        return [t.title for t in services.experiences_for(item, stage=stage).recent]

    assert titles("considering") == ["Thinking about starting"]
    assert titles("on_treatment") == ["Month three now"]
    assert titles("finished") == ["Done and dusted"]
    assert len(titles(None)) == 3
    assert services.parse_stage("") is None and services.parse_stage("finished") == "finished"
    with pytest.raises(ForumError, match="considering, on_treatment or finished") as caught:
        services.parse_stage("after")
    assert caught.value.status == 400


def test_hub_shows_the_latest_visible_threads_of_each_core_topic(shipped_tags):
    author = make_user("storyteller")
    for n in range(5):
        make_thread(author, title=f"Dryness story number {n}", tags=("dryness",))
    make_thread(author, title="Mood and dryness", tags=("mood", "dryness"))
    make_thread(author, title="A hidden mood story", tags=("mood",), status=PostStatus.HIDDEN)
    make_thread(author, title="Breakout week", tags=("initial-breakout",))
    db.session.commit()
    # Activity order decides "latest", whatever the creation order.
    oldest = db.session.scalar(select(Thread).where(Thread.title == "Dryness story number 0"))
    oldest.last_activity_at = utcnow() + timedelta(minutes=5)
    db.session.commit()

    topics = {
        topic.tag.slug: [t.title for t in topic.threads] for topic in services.hub_experiences()
    }
    assert list(topics) == list(services.CORE_TAG_SLUGS)
    assert topics["dryness"] == [
        "Dryness story number 0",
        "Mood and dryness",
        "Dryness story number 4",
    ]
    assert topics["mood"] == ["Mood and dryness"]
    assert topics["results-after-finishing"] == topics["comparisons"] == []


def test_tag_summaries_and_home_highlights(shipped_tags, admin):
    load()
    from forum.tags.services import get_tag

    assert [a.slug for a in services.articles_for_tag(get_tag("pregnancy-prevention"))] == [
        "pregnancy-prevention"
    ]
    first = services.highlights()
    assert len(first) == services.HIGHLIGHT_COUNT
    assert [a.slug for a in first] == [s.slug for s in SHIPPED[: services.HIGHLIGHT_COUNT]]
    web_edit(article(first[0].slug), admin, published=False)
    db.session.commit()
    assert first[0].slug not in {a.slug for a in services.highlights()}
