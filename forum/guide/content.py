"""The shipped guide: Markdown article files with a small front-matter header (issue #5).

Each file under ``forum/guide/articles/`` looks like::

    ---
    slug: managing-dryness
    title: Managing dryness of skin, lips and eyes
    summary: One paragraph shown on tag pages and the hub.
    tags: dryness, skincare-routine
    order: 3
    last_reviewed:
    reviewed_by:
    author: Forum editors
    updated: 2026-11-20
    ---
    Markdown body with ## sections (no # title: the page shows it) and a final ## Sources.

Header lines are ``key: value``; ``last_reviewed`` and ``reviewed_by`` (the clinician who
reviewed the article, and when) may be empty, and so may ``author`` (the editor's name the
page shows) and ``updated`` (the day the text last changed). This
module only reads files; loading them into the database is the guide's service's job.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ARTICLES_DIR = Path(__file__).resolve().parent / "articles"
OVERVIEW_FILE = Path(__file__).resolve().parent / "overview.md"

REQUIRED_KEYS = ("slug", "title", "summary", "tags", "order")
# ``insights``: the journal statistics shown beside the article (issue #14).
OPTIONAL_KEYS = ("last_reviewed", "reviewed_by", "author", "updated", "insights")
AUTHOR_MAX = 120
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FENCE = "---"


@dataclass(frozen=True)
class ArticleFile:
    slug: str
    title: str
    summary: str
    tags: list[str]
    order: int
    last_reviewed: date | None
    reviewed_by: str | None
    body: str
    sha256: str
    author: str | None = None
    updated: date | None = None
    insights: tuple[str, ...] = ()
    path: Path | None = field(default=None, compare=False)


def _split_front_matter(text: str, name: str) -> tuple[list[tuple[int, str]], str]:
    lines = text.split("\n")
    if not lines or lines[0].strip() != FENCE:
        raise ValueError(f"{name}: the file must start with a '---' header line")
    for index in range(1, len(lines)):
        if lines[index].strip() == FENCE:
            header = [(number + 2, line) for number, line in enumerate(lines[1:index])]
            return header, "\n".join(lines[index + 1 :])
    raise ValueError(f"{name}: the header is not closed by a '---' line")


def _parse_header(header: list[tuple[int, str]], name: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for number, line in header:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, colon, value = line.partition(":")
        key = key.strip()
        if not colon or not key:
            raise ValueError(f"{name}, line {number}: expected 'key: value', got {line!r}")
        if key not in REQUIRED_KEYS + OPTIONAL_KEYS:
            raise ValueError(f"{name}, line {number}: unknown header key {key!r}")
        if key in values:
            raise ValueError(f"{name}, line {number}: {key!r} is given twice")
        values[key] = value.strip()
    missing = [key for key in REQUIRED_KEYS if not values.get(key)]
    if missing:
        raise ValueError(f"{name}: missing header value(s): {', '.join(missing)}")
    return values


def _date(values: dict[str, str], key: str, name: str) -> date | None:
    if not values.get(key):
        return None
    try:
        return date.fromisoformat(values[key])
    except ValueError:
        raise ValueError(f"{name}: {key} must be a date like 2026-11-20") from None


def parse_article_text(text: str, *, name: str = "<text>", sha256: str = "") -> ArticleFile:
    """Parse one article file's text; raises ValueError naming the file."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    header, body = _split_front_matter(text, name)
    values = _parse_header(header, name)

    slug = values["slug"]
    if not SLUG.match(slug) or len(slug) > 80:
        raise ValueError(f"{name}: slug {slug!r} must be lower-case words joined by '-'")
    tags = [tag.strip() for tag in values["tags"].split(",") if tag.strip()]
    bad = [tag for tag in tags if not SLUG.match(tag)]
    if not tags or bad:
        raise ValueError(f"{name}: tags must be a comma-separated list of tag slugs")
    if len(set(tags)) != len(tags):
        raise ValueError(f"{name}: a tag is listed twice")
    try:
        order = int(values["order"])
    except ValueError:
        raise ValueError(f"{name}: order must be a whole number") from None
    last_reviewed = _date(values, "last_reviewed", name)
    updated = _date(values, "updated", name)
    author = values.get("author") or None
    if author is not None and len(author) > AUTHOR_MAX:
        raise ValueError(f"{name}: the author is longer than {AUTHOR_MAX} characters")
    if len(values["title"]) > 150:
        raise ValueError(f"{name}: the title is longer than 150 characters")
    body = body.strip("\n")
    if not body.strip():
        raise ValueError(f"{name}: the article has no body")
    if re.search(r"^# ", body, re.M):
        raise ValueError(f"{name}: the body must not have a '# ' title; the page shows it")
    return ArticleFile(
        slug=slug,
        title=values["title"],
        summary=values["summary"],
        tags=tags,
        order=order,
        last_reviewed=last_reviewed,
        reviewed_by=values.get("reviewed_by") or None,
        body=body + "\n",
        sha256=sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest(),
        author=author,
        updated=updated,
        insights=tuple(m.strip() for m in values.get("insights", "").split(",") if m.strip()),
    )


def parse_article(path: Path | str) -> ArticleFile:
    """Read and parse one article file; raises ValueError naming the file."""
    path = Path(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: the file is not UTF-8") from None
    article = parse_article_text(text, name=str(path), sha256=hashlib.sha256(raw).hexdigest())
    return ArticleFile(**{**article.__dict__, "path": path})


def load_article_files(directory: Path | str = ARTICLES_DIR) -> list[ArticleFile]:
    """Every ``*.md`` article in ``directory``, sorted by order then slug."""
    articles = [parse_article(path) for path in sorted(Path(directory).glob("*.md"))]
    seen: dict[str, Path | None] = {}
    for article in articles:
        if article.slug in seen:
            raise ValueError(
                f"{article.path}: slug {article.slug!r} is also used by {seen[article.slug]}"
            )
        seen[article.slug] = article.path
    return sorted(articles, key=lambda article: (article.order, article.slug))


def load_overview(path: Path | str = OVERVIEW_FILE) -> str:
    """The Markdown overview shown at the top of /guide."""
    return Path(path).read_text(encoding="utf-8").strip() + "\n"
