"""The shipped guide articles and the hub overview (issue #5): shape, sources and links."""

import re
from datetime import date
from html.parser import HTMLParser

import pytest
from flask import render_template
from markdown_it import MarkdownIt

from forum.guide.content import ARTICLES_DIR, load_article_files, load_overview

TAGS = {
    "dryness",
    "mood",
    "results-after-finishing",
    "comparisons",
    "initial-breakout",
    "side-effects",
    "dosage",
    "labs-and-monitoring",
    "skincare-routine",
    "pregnancy-prevention",
}
CORE_TAGS = {"dryness", "mood", "results-after-finishing", "comparisons"}
COMPARISON_COLUMNS = ("efficacy", "side effects", "monitoring", "cost", "who it is for")

ARTICLES = load_article_files()
SLUGS = {article.slug for article in ARTICLES}
# A plain markdown-it-py renderer: the guide's real pipeline lives in forum/markup.py.
MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])


class TextAndTags(HTMLParser):
    """Collects the visible text, the headings (level, text) and the links of some HTML."""

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.headings: list[tuple[int, str]] = []
        self.links: list[str] = []
        self.tables: list[list[str]] = []
        self._heading: int | None = None
        self._in_th = False

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = int(tag[1])
            self.headings.append((self._heading, ""))
        elif tag == "a":
            self.links.append(dict(attrs).get("href", ""))
        elif tag == "table":
            self.tables.append([])
        elif tag == "th":
            self._in_th = True
            self.tables[-1].append("")

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = None
        elif tag == "th":
            self._in_th = False

    def handle_data(self, data):
        self.text.append(data)
        if self._heading is not None:
            level, text = self.headings[-1]
            self.headings[-1] = (level, text + data)
        if self._in_th:
            self.tables[-1][-1] += data


def parse_html(markdown: str) -> TextAndTags:
    parser = TextAndTags()
    parser.feed(MARKDOWN.render(markdown))
    return parser


def words(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9][\w'’.-]*", text))


def split_sources(body: str) -> tuple[str, str]:
    main, marker, sources = body.partition("\n## Sources\n")
    assert marker, "no '## Sources' section"
    return main, sources


def by_id(article):
    return article.slug


def test_the_guide_has_at_least_eight_articles():
    assert len(ARTICLES) >= 8
    assert sorted(path.name for path in ARTICLES_DIR.glob("*.md")) == sorted(
        f"{slug}.md" for slug in SLUGS
    )


def test_slugs_are_unique_url_safe_and_match_file_names():
    assert len(SLUGS) == len(ARTICLES)
    for article in ARTICLES:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", article.slug)
        assert article.path.name == f"{article.slug}.md"


def test_order_values_are_unique():
    orders = [article.order for article in ARTICLES]
    assert len(set(orders)) == len(orders)
    assert orders == sorted(orders)


def test_tags_come_from_the_list_and_cover_every_topic():
    used = set()
    for article in ARTICLES:
        assert article.tags, article.slug
        assert set(article.tags) <= TAGS, f"{article.slug}: unknown tags"
        used |= set(article.tags)
    assert used >= CORE_TAGS
    assert used == TAGS


@pytest.mark.parametrize("article", ARTICLES, ids=by_id)
def test_article_body_is_long_enough(article):
    main, _ = split_sources(article.body)
    count = words("".join(parse_html(main).text))
    assert count >= 400, f"{article.slug}: {count} words"


@pytest.mark.parametrize("article", ARTICLES, ids=by_id)
def test_article_cites_its_sources_with_links(article):
    main, sources = split_sources(article.body)
    assert not sources.strip().count("\n## "), "Sources must be the last section"
    links = [link for link in parse_html(sources).links if re.match(r"https?://", link)]
    assert len(links) >= 2
    assert all(link.startswith("https://") for link in links)
    assert len(set(links)) == len(links), "a source is listed twice"


@pytest.mark.parametrize("article", ARTICLES, ids=by_id)
def test_article_header_fields(article):
    assert article.title and len(article.title) <= 150
    assert article.summary and len(article.summary) < 600
    assert article.reviewed_by is None  # an admin names the clinician once one has reviewed it
    # No review date without a reviewer: the page would read as if someone had checked it.
    assert article.last_reviewed is None
    assert article.author  # who wrote it, shown on the page (issue #11)
    assert article.updated is not None and article.updated <= date.today()
    assert len(article.sha256) == 64


@pytest.mark.parametrize("article", ARTICLES, ids=by_id)
def test_article_renders_with_headings_in_order(article):
    html = parse_html(article.body)
    levels = [level for level, _ in html.headings]
    assert levels and levels[0] == 2 and 1 not in levels, "sections start at ##; no # title"
    for previous, level in zip(levels, levels[1:], strict=False):
        assert level <= previous + 1, f"{article.slug}: heading jumps to h{level}"
    assert html.headings[-1] == (2, "Sources")


@pytest.mark.parametrize("article", ARTICLES, ids=by_id)
def test_internal_links_point_at_pages_that_exist(article):
    for link in parse_html(article.body).links:
        if link.startswith("/"):
            assert link == "/help" or link.removeprefix("/guide/") in SLUGS, link
        else:
            assert link.startswith("https://"), link


@pytest.mark.parametrize("article", ARTICLES, ids=by_id)
def test_article_sends_dosing_questions_to_the_prescriber(article):
    assert "prescriber" in article.body


def test_the_comparison_article_has_the_comparison_table():
    [article] = [a for a in ARTICLES if "comparisons" in a.tags and "vs" in a.slug]
    html = parse_html(article.body)
    assert html.tables, "no table"
    header = [cell.strip().lower() for cell in html.tables[0]]
    for column in COMPARISON_COLUMNS:
        assert column in header, column
    text = " ".join(html.text).lower()
    for option in ("tretinoin", "benzoyl peroxide", "clindamycin", "doxycycline", "spironolactone"):
        assert option in text, option
    assert "combined oral contraceptive pill" in text
    assert "procedures" in text


def test_the_core_articles_cover_their_topics():
    titles = {article.slug: article.title.lower() for article in ARTICLES}
    assert any("dryness" in title for title in titles.values())
    assert any("mood" in title for title in titles.values())
    assert any("pregnancy" in title for title in titles.values())
    assert any("blood tests" in title for title in titles.values())
    assert any("breakout" in title for title in titles.values())
    assert any("after finishing" in title for title in titles.values())
    mood = next(a for a in ARTICLES if "mood" in a.tags)
    assert "(/help)" in mood.body


def test_the_pregnancy_article_covers_the_rules():
    article = next(a for a in ARTICLES if "pregnancy-prevention" in a.tags)
    text = article.body.lower()
    for fact in ("ipledge", "two forms of contraception", "pregnancy test", "donate blood"):
        assert fact in text, fact
    assert "never give your capsules to anyone else" in text


def test_the_overview_covers_what_the_hub_needs():
    overview = load_overview()
    html = parse_html(overview)
    count = words("".join(html.text))
    assert 250 <= count <= 400, count
    assert not html.headings or html.headings[0][0] >= 2
    text = " ".join(html.text).lower()
    for topic in ("retinoid", "how it works", "who it is for", "monitoring", "tretinoin", "0.025%"):
        assert topic in text, topic
    sources = [link for link in html.links if link.startswith("https://")]
    assert len(sources) >= 2


def test_the_medical_disclaimer_partial(app):
    with app.test_request_context():
        html = render_template("_partials/medical_disclaimer.html")
    assert "not medical advice" in html
    assert "prescriber" in html and 'href="/help"' in html
    assert "style=" not in html and "<script" not in html
