"""User text becomes HTML only through forum.markup, and only allow-listed HTML comes out.

Every output is parsed with html.parser and checked structurally: each tag and attribute is
on the allow-list, every link's scheme is http, https or mailto (or it is a path on this
site), every link carries the fixed rel. The corpus in tests/data/ (see its README) holds
about 1,300 public hostile inputs.
"""

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from forum.markup import (
    ALIGN_CLASSES,
    ALLOWED_PROTOCOLS,
    ALLOWED_TAGS,
    LINK_REL,
    render_article_text,
    render_user_text,
)

DATA = Path(__file__).parent / "data"
ATTRIBUTES = {"a": {"href", "title", "rel"}, "th": {"class"}, "td": {"class"}, "ol": {"start"}}
VOID_TAGS = {"br", "hr"}


class StructureCheck(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.tags: list[str] = []
        self.links: list[dict] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
            return
        names = [name for name, _ in attrs]
        if len(names) != len(set(names)):
            self.problems.append(f"repeated attribute on <{tag}>")
        values = dict(attrs)
        for name, value in attrs:
            if name not in ATTRIBUTES.get(tag, set()):
                self.problems.append(f"attribute {name} on <{tag}>")
            elif name == "class" and value not in ALIGN_CLASSES:
                self.problems.append(f"class {value!r} on <{tag}>")
            elif name == "start" and not (value or "").isdigit():
                self.problems.append(f"start {value!r}")
        if tag == "a":
            self.links.append(values)
            if values.get("rel") != LINK_REL:
                self.problems.append(f"link without rel: {values}")
            href = values.get("href")
            if href is not None:
                self.check_href(href)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def check_href(self, href: str) -> None:
        cleaned = "".join(ch for ch in href if ord(ch) > 32 and ord(ch) != 127)
        scheme = urlsplit(cleaned).scheme.lower()
        if scheme:
            if scheme not in ALLOWED_PROTOCOLS:
                self.problems.append(f"scheme {scheme!r} in {href!r}")
        elif not cleaned.startswith(("/", "#")):
            self.problems.append(f"relative href that is not a path: {href!r}")

    def handle_comment(self, data):
        self.problems.append("comment")

    def handle_decl(self, decl):
        self.problems.append(f"declaration {decl!r}")

    def handle_pi(self, data):
        self.problems.append(f"processing instruction {data!r}")

    def unknown_decl(self, data):
        self.problems.append(f"unknown declaration {data!r}")


def check(html: str) -> StructureCheck:
    checker = StructureCheck()
    checker.feed(html)
    checker.close()
    return checker


def corpus() -> list[str]:
    lines = (DATA / "xss-public.txt").read_text(encoding="utf-8").splitlines()
    payloads = [line for line in lines if line.strip()]
    with (DATA / "xss-public-multiline.jsonl").open(encoding="utf-8") as handle:
        payloads += [json.loads(line)["payload"] for line in handle if line.strip()]
    return payloads


def test_corpus_is_the_public_one():
    payloads = corpus()
    assert len(payloads) > 1200
    assert (DATA / "README.md").exists()


def test_every_corpus_input_renders_to_allowlisted_html_only():
    failures = {}
    for payload in corpus():
        html = render_user_text(payload)
        problems = check(html).problems
        if problems:
            failures[payload[:80]] = problems[:3]
    assert failures == {}


def test_corpus_inputs_inside_markdown_links_and_code_stay_inert():
    failures = {}
    for payload in corpus()[:400]:
        for text in (f"[click]({payload})", f"> {payload}\n\n| a |\n|---|\n| {payload} |"):
            problems = check(render_user_text(text)).problems
            if problems:
                failures[text[:80]] = problems[:3]
    assert failures == {}


MARKDOWN_CASES = [
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](jav&#x61;script:alert(1))",
    "[x](jav&#97;script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x]( javascript:alert(1) )",
    "[x](java\tscript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](file:///etc/passwd)",
    "<javascript:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "[x][ref]\n\n[ref]: data:text/html,hi 'title'",
    "![a](javascript:alert(1))",
    "![a](data:image/png;base64,iVBORw0KGgo=)",
    "![a](data:image/svg+xml;base64,PHN2Zz4=)",
    '![a"onerror="alert(1)](http://example.org/x.png)',
    '[a](http://example.org/" onmouseover="alert(1))',
    '[a](http://example.org/ "title\\" onmouseover=\\"alert(1)")',
    "**<img src=x onerror=alert(1)>**",
    "*a **b <script>alert(1)</script> c** d*",
    "***__~~nested <b>html</b>~~__***",
    "| a | b |\n|:-:|--:|\n| <script>x</script> | [l](javascript:x) |",
    "```html\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<a href="javascript:alert(1)">x</a>',
    "<!-- comment --><?php echo 1 ?>",
    "www.example.org/?q=<script>alert(1)</script>",
    'http://example.org/"><script>alert(1)</script>',
    "mailto:someone@example.org and someone@example.org",
    "[x](mailto:a@example.org?subject=<script>)",
    "# h1\n## h2\n###### h6",
    "1. one\n2. two\n\n7. seven",
    "> quote\n> > nested <svg onload=alert(1)>",
    "[x](https://example.org/\u202egnp.exe)",
]


@pytest.mark.parametrize("text", MARKDOWN_CASES)
def test_markdown_specific_cases_render_to_allowlisted_html(text):
    assert check(render_user_text(text)).problems == []


@pytest.mark.parametrize(
    "text",
    [
        "[x](javascript:alert(1))",
        "[x](jav&#x61;script:alert(1))",
        "<javascript:alert(1)>",
        "[x][ref]\n\n[ref]: javascript:alert(1)",
        "[x](data:text/html,hi)",
        "[x](vbscript:x)",
    ],
)
def test_dangerous_links_do_not_become_links(text):
    assert all("href" not in link for link in check(render_user_text(text)).links)


def test_links_get_rel_and_keep_safe_schemes():
    html = render_user_text(
        "[a](https://example.org) <http://example.org/b> www.example.org x@y.org"
    )
    links = check(html).links
    assert [link["href"] for link in links] == [
        "https://example.org",
        "http://example.org/b",
        "http://www.example.org",
        "mailto:x@y.org",
    ]
    assert {link["rel"] for link in links} == {LINK_REL}


def test_images_become_links_or_text_never_img():
    html = render_user_text(
        "![a photo](https://example.org/p.png) ![inline](data:image/png;base64,AA)"
    )
    checker = check(html)
    assert "img" not in checker.tags
    assert checker.links == [{"href": "https://example.org/p.png", "rel": LINK_REL}]
    assert "a photo" in html and "inline" in html


def test_raw_html_is_shown_as_text():
    html = render_user_text("<b>bold?</b>")
    assert check(html).tags == ["p"]
    assert "&lt;b&gt;bold?&lt;/b&gt;" in html


def test_tables_keep_alignment_as_classes_not_styles():
    html = render_user_text("| left | right |\n|:--|--:|\n| 1 | 2 |")
    checker = check(html)
    assert {"table", "thead", "tbody", "tr", "th", "td"} <= set(checker.tags)
    assert 'class="align-right"' in html
    assert "style" not in html


def test_headings_start_below_the_page_headings():
    tags = check(render_user_text("# One\n\n## Two\n\n### Three")).tags
    assert tags == ["h3", "h4", "h5"]


def test_headings_never_skip_a_level_whatever_was_typed():
    html = render_user_text("#### Deep first\n\n###### Deeper\n\n# Top\n\n### Skipped one")
    assert re.findall(r"<(h[1-6])>", html) == ["h3", "h4", "h3", "h4"]
    assert re.findall(r"</(h[1-6])>", html) == ["h3", "h4", "h3", "h4"]
    assert "<h4>Skipped one</h4>" in html


def test_guide_article_headings_never_skip_a_level():
    html = render_article_text("### Part first\n\n##### Detail")
    assert re.findall(r"<(h[1-6])>", html) == ["h2", "h3"]


def test_guide_articles_keep_their_sections_as_page_headings():
    html = render_article_text("# Stray\n\n## Section\n\n### Part\n\n#### Detail")
    assert [tag for tag in check_article(html).tags] == ["h2", "h2", "h3", "h4"]


def check_article(html: str) -> StructureCheck:
    # Guide articles may carry h2 as well; everything else is the posts' allow-list.
    only_h2 = html.replace("<h2>", "<h3>").replace("</h2>", "</h3>")
    checker = check(only_h2)
    checker.tags = re.findall(r"<([a-z0-9]+)", html)
    return checker


def test_guide_articles_go_through_the_same_sanitiser_as_posts():
    # Apart from heading levels, an article renders exactly as a post would.
    def levels_erased(html):
        return re.sub(r"<(/?)h[1-6]>", r"<\1h>", html)

    failures = {}
    for payload in corpus():
        article = render_article_text(payload)
        if check_article(article).problems or levels_erased(article) != levels_erased(
            render_user_text(payload)
        ):
            failures[payload[:80]] = article[:200]
    assert failures == {}


def test_strikethrough_emphasis_and_code():
    tags = check(render_user_text("~~gone~~ **b** *i* `c`\n\n```\nblock\n```")).tags
    assert tags == ["p", "s", "strong", "em", "code", "pre", "code"]


def test_empty_text_renders_empty():
    assert render_user_text("") == ""


def test_site_paths_stay_links_but_other_relative_urls_do_not():
    links = check(render_user_text("[guide](/guide/dryness) [odd](foo:bar) [plain](page)")).links
    assert [link.get("href") for link in links] == ["/guide/dryness", None, None]
