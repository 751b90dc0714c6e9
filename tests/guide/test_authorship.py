"""Who wrote each guide article and who last updated it, and when (issue #11): taken from
the file's header on a load, from the admin on an edit in the browser, shown on the page;
a reviewer line only where a reviewer is recorded."""

from datetime import date

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.guide import services
from forum.guide.content import ARTICLES_DIR, parse_article_text
from forum.models import GuideArticle, utcnow
from tests.conftest import login

pytestmark = pytest.mark.usefixtures("shipped_tags")


@pytest.fixture
def articles_dir(tmp_path):
    for name in ("managing-dryness.md", "mood-and-mental-health.md"):
        (tmp_path / name).write_bytes((ARTICLES_DIR / name).read_bytes())
    return tmp_path


def set_header(directory, slug, key, value):
    path = directory / f"{slug}.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    [index] = [n for n, line in enumerate(lines) if line.startswith(f"{key}:")]
    lines[index] = f"{key}: {value}".rstrip()
    path.write_text("\n".join(lines), encoding="utf-8")


def load(directory):
    services.load_shipped_guide(directory)
    db.session.commit()


def article(slug) -> GuideArticle:
    db.session.expire_all()
    return db.session.scalar(select(GuideArticle).where(GuideArticle.slug == slug))


def byline(html: str) -> str:
    start = html.index('<div class="guide-meta">')
    return html[start : html.index("</div>", start)]


def test_article_page_names_the_author_and_the_day_the_file_says_it_changed(client, articles_dir):
    set_header(articles_dir, "managing-dryness", "author", "Sam Editor")
    set_header(articles_dir, "managing-dryness", "updated", "2026-10-02")
    load(articles_dir)
    item = article("managing-dryness")
    assert (item.written_by, item.updated_by) == ("Sam Editor", "Sam Editor")
    line = byline(client.get("/guide/managing-dryness").text)
    assert "Written by Sam Editor · last updated" in line
    assert '<time datetime="2026-10-02T00:00:00Z">2 October 2026</time>' in line
    assert "Reviewed" not in line and "reviewed" not in line


def test_an_admins_edit_makes_them_the_last_updater_and_keeps_the_author(
    client, admin, articles_dir
):
    load(articles_dir)
    login(client, admin)
    item = article("managing-dryness")
    response = client.post(
        "/guide/managing-dryness/edit",
        data={
            "title": item.title,
            "summary": item.summary,
            "body": item.body + "\nOne more line.\n",
            "tags": [tag.slug for tag in item.tags],
            "published": "y",
        },
    )
    assert response.status_code == 302
    item = article("managing-dryness")
    assert (item.written_by, item.updated_by) == ("Forum editors", "admin1")
    assert item.updated_at.date() == utcnow().date()
    line = byline(client.get("/guide/managing-dryness").text)
    assert "Written by Forum editors · last updated" in line and "by admin1" in line
    assert f">{utcnow().day} {utcnow():%B %Y}</time>" in line


def test_an_article_without_an_author_says_only_when_it_was_updated(client, articles_dir):
    set_header(articles_dir, "mood-and-mental-health", "author", "")
    load(articles_dir)
    line = byline(client.get("/guide/mood-and-mental-health").text)
    assert "Written by" not in line and "Last updated <time" in line


def test_the_reviewer_line_appears_only_with_a_recorded_reviewer(client, articles_dir):
    set_header(articles_dir, "managing-dryness", "reviewed_by", "Dr A. Example, dermatologist")
    set_header(articles_dir, "managing-dryness", "last_reviewed", "2026-11-20")
    load(articles_dir)
    reviewed = byline(client.get("/guide/managing-dryness").text)
    assert "Reviewed by: Dr A. Example, dermatologist, <time" in reviewed
    assert "20 November 2026" in reviewed
    plain = byline(client.get("/guide/mood-and-mental-health").text)
    assert "Reviewed" not in plain and "clinician" not in plain
    hub = client.get("/guide").text
    assert hub.count("Reviewed by:") == 1


VALID = """---
slug: a-test-article
title: A test article
summary: One line.
tags: dryness
order: 1
author: Sam Editor
updated: 2026-11-20
---
Some text.
"""


def test_the_header_gives_author_and_updated():
    parsed = parse_article_text(VALID)
    assert (parsed.author, parsed.updated) == ("Sam Editor", date(2026, 11, 20))
    bare = parse_article_text(
        VALID.replace("author: Sam Editor\n", "").replace("updated: 2026-11-20\n", "")
    )
    assert (bare.author, bare.updated) == (None, None)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("2026-11-20", "yesterday"), "updated must be a date"),
        (("Sam Editor", "x" * 121), "author is longer than 120"),
    ],
)
def test_a_bad_author_or_date_names_the_file(change, message):
    with pytest.raises(ValueError, match=message):
        parse_article_text(VALID.replace(*change), name="a-test-article.md")
