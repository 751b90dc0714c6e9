"""Loading the shipped articles from their files (issue #5).

Every version of an article's text is a GuideRevision: the version a load took from its
file (source "file") and every save an admin made in the browser (source "web"), so the
history lists them all, newest first, and nothing an admin wrote is ever lost.

A load creates each article from its file, and afterwards changes an article only when its
file changed since the last load (``GuideArticle.file_hash``): the file then wins over any
edit made in the browser. The file does not say whether an article is published, so a load
keeps the admin's choice. The reviewer is an admin's field (the shipped files name none):
once an article has one, loads keep it and its review date.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forum.errors import ForumError
from forum.extensions import db
from forum.guide.content import ARTICLES_DIR, ArticleFile, load_article_files
from forum.markup import render_article_text
from forum.models import (
    GuideArticle,
    GuideRevision,
    Tag,
    User,
    utcnow,
)

SOURCE_FILE, SOURCE_WEB = "file", "web"


# --- Loading the shipped files ---------------------------------------------------------------


@dataclass
class LoadResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (
            f"Guide: {len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged."
        )


def _resolve_tags(files: Sequence[ArticleFile]) -> dict[str, Tag]:
    tags = {tag.slug: tag for tag in db.session.scalars(select(Tag))}
    for article in files:
        unknown = [slug for slug in article.tags if slug not in tags]
        if unknown:
            where = article.path.name if article.path else article.slug
            names = ", ".join(repr(slug) for slug in unknown)
            plural = "s" if len(unknown) > 1 else ""
            raise ForumError(
                f"{where}: unknown tag{plural} {names}. Load the tags first "
                "(flask --app forum tags load) or fix the article's tags line."
            )
    return tags


def _take_file(article: GuideArticle, source: ArticleFile, tags: dict[str, Tag], now) -> None:
    article.title = source.title
    article.summary = source.summary
    article.body = source.body
    article.body_html = render_article_text(source.body)
    article.tags = [tags[slug] for slug in source.tags]
    article.sort_order = source.order
    article.file_hash = source.sha256
    # The file names its author and the day its text last changed (issue #11).
    article.written_by = article.updated_by = source.author
    article.updated_at = datetime.combine(source.updated, time()) if source.updated else now
    if article.reviewed_by is None:
        article.reviewed_by = source.reviewed_by
        article.last_reviewed_on = source.last_reviewed


def _add_revision(article: GuideArticle, source: str, editor: User | None, now) -> None:
    db.session.add(
        GuideRevision(
            article_id=article.id,
            editor_id=editor.id if editor is not None else None,
            source=source,
            title=article.title,
            summary=article.summary,
            body=article.body,
            created_at=now,
        )
    )


def load_articles(files: Sequence[ArticleFile], *, now: datetime | None = None) -> LoadResult:
    """Create each article from its file, and refresh those whose file changed since the
    last load (the file wins; the text it replaces stays in the revisions).

    Raises ForumError naming the file when an article lists a tag that does not exist;
    nothing is changed then.
    """
    now = now or utcnow()
    tags = _resolve_tags(files)
    existing = {
        article.slug: article
        for article in db.session.scalars(
            select(GuideArticle).options(selectinload(GuideArticle.tags))
        )
    }
    result = LoadResult()
    for source in files:
        article = existing.get(source.slug)
        if article is not None and article.file_hash == source.sha256:
            result.unchanged.append(source.slug)
            continue
        if article is None:
            article = GuideArticle(slug=source.slug, published=True)
            db.session.add(article)
            result.added.append(source.slug)
        else:
            result.updated.append(source.slug)
        _take_file(article, source, tags, now)
        db.session.flush()
        _add_revision(article, SOURCE_FILE, None, now)
    if result.added or result.updated:
        db.session.flush()
    return result


def load_shipped_guide(directory=ARTICLES_DIR) -> LoadResult:
    """Load every article file in ``directory``. Raises ForumError for a malformed file or
    an unknown tag."""
    try:
        files = load_article_files(directory)
    except ValueError as exc:
        raise ForumError(str(exc)) from None
    return load_articles(files)


def rerender_articles() -> int:
    """Render every article's Markdown again with the current policy and re-index it;
    returns how many changed."""
    changed = 0
    for article in db.session.scalars(select(GuideArticle)):
        html = render_article_text(article.body)
        if html != article.body_html:
            article.body_html = html
            changed += 1
    db.session.flush()
    return changed
