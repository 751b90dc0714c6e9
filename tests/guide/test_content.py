"""The guide article file parser (issue #5)."""

import hashlib
from datetime import date

import pytest

from forum.guide.content import load_article_files, load_overview, parse_article

VALID = """---
slug: managing-dryness
title: Managing dryness of skin, lips and eyes
summary: A short summary.
tags: dryness, skincare-routine
order: 3
last_reviewed: 2026-11-20
reviewed_by:
---
Some text.

## Sources
- [NHS](https://www.nhs.uk/)
"""


def write(tmp_path, text, name="article.md"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_parses_every_header_field_and_the_body(tmp_path):
    path = write(tmp_path, VALID)
    article = parse_article(path)
    assert article.slug == "managing-dryness"
    assert article.title == "Managing dryness of skin, lips and eyes"
    assert article.summary == "A short summary."
    assert article.tags == ["dryness", "skincare-routine"]
    assert article.order == 3
    assert article.last_reviewed == date(2026, 11, 20)
    assert article.reviewed_by is None
    assert article.body.startswith("Some text.\n\n## Sources")
    assert article.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert article.path == path


def test_a_title_may_contain_a_colon_and_a_reviewer_may_be_named(tmp_path):
    text = VALID.replace("title: Managing", "title: Dryness: managing").replace(
        "reviewed_by:", "reviewed_by: Dr A. Example, dermatologist"
    )
    article = parse_article(write(tmp_path, text))
    assert article.title == "Dryness: managing dryness of skin, lips and eyes"
    assert article.reviewed_by == "Dr A. Example, dermatologist"


def test_optional_fields_may_be_left_out_and_windows_line_endings_work(tmp_path):
    text = VALID.replace("last_reviewed: 2026-11-20\n", "").replace("reviewed_by:\n", "")
    article = parse_article(write(tmp_path, text.replace("\n", "\r\n")))
    assert article.last_reviewed is None and article.reviewed_by is None
    assert "\r" not in article.body


def test_the_hash_changes_when_the_file_changes(tmp_path):
    first = parse_article(write(tmp_path, VALID, "a.md")).sha256
    second = parse_article(write(tmp_path, VALID.replace("Some text", "Other text"), "b.md")).sha256
    assert first != second


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (VALID.removeprefix("---\n"), "must start with a '---' header line"),
        (VALID.replace("---\nSome", "Some"), "not closed"),
        (VALID.replace("order: 3", "order 3"), "line 6: expected 'key: value'"),
        (VALID.replace("order: 3", "colour: blue"), "unknown header key 'colour'"),
        (VALID.replace("order: 3", "order: 3\norder: 4"), "'order' is given twice"),
        (
            VALID.replace("summary: A short summary.", "summary:"),
            "missing header value(s): summary",
        ),
        (VALID.replace("slug: managing-dryness", "slug: Managing Dryness"), "slug"),
        (VALID.replace("tags: dryness, skincare-routine", "tags: dryness, Skin Care"), "tags"),
        (VALID.replace("tags: dryness, skincare-routine", "tags: dryness, dryness"), "twice"),
        (VALID.replace("order: 3", "order: third"), "order must be a whole number"),
        (VALID.replace("2026-11-20", "20/11/2026"), "last_reviewed must be a date"),
        (VALID.replace("Some text.", "# A title\n\nSome text."), "must not have a '# ' title"),
        (VALID.split("---\nSome")[0] + "---\n\n", "no body"),
    ],
)
def test_a_malformed_file_is_a_value_error_naming_it(tmp_path, text, message):
    path = write(tmp_path, text, "broken-article.md")
    with pytest.raises(ValueError) as excinfo:
        parse_article(path)
    assert str(path) in str(excinfo.value)
    assert message in str(excinfo.value)


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin.md"
    path.write_bytes(VALID.replace("Some text", "Caf\u00e9").encode("latin-1"))
    with pytest.raises(ValueError, match="latin.md: the file is not UTF-8"):
        parse_article(path)


def test_load_sorts_by_order_and_ignores_other_files(tmp_path):
    write(tmp_path, VALID.replace("order: 3", "order: 9"), "late.md")
    write(
        tmp_path,
        VALID.replace("managing-dryness", "early-one").replace("order: 3", "order: 1"),
        "early.md",
    )
    write(tmp_path, "not an article", "notes.txt")
    assert [article.slug for article in load_article_files(tmp_path)] == [
        "early-one",
        "managing-dryness",
    ]


def test_load_refuses_two_files_with_one_slug(tmp_path):
    write(tmp_path, VALID, "one.md")
    write(tmp_path, VALID, "two.md")
    with pytest.raises(ValueError, match="is also used by"):
        load_article_files(tmp_path)


def test_load_names_the_broken_file(tmp_path):
    write(tmp_path, VALID, "good.md")
    write(tmp_path, "no header", "bad.md")
    with pytest.raises(ValueError, match="bad.md"):
        load_article_files(tmp_path)


def test_load_overview_reads_markdown(tmp_path):
    path = write(tmp_path, "\nSome **overview**.\n\n", "overview.md")
    assert load_overview(path) == "Some **overview**.\n"
