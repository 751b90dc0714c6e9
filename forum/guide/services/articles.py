"""Reading the guide: the article list, one article, the articles of a topic (issue #5)."""

import functools

from sqlalchemy import select
from sqlalchemy.orm import defer, joinedload

from forum.errors import NotFound
from forum.extensions import db
from forum.guide.content import load_overview
from forum.markup import render_article_text
from forum.models import (
    GuideArticle,
    Tag,
    User,
    guide_article_tags,
)

HIGHLIGHT_COUNT = 3


# Lists show titles and summaries: the article texts stay in the database.
_WITHOUT_TEXT = (defer(GuideArticle.body), defer(GuideArticle.body_html))


def _is_admin(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.is_admin


# --- Reading ---------------------------------------------------------------------------------


@functools.cache
def overview_html() -> str:
    """The hub's overview (forum/guide/overview.md), rendered once per process."""
    return render_article_text(load_overview())


def list_articles(viewer: User | None) -> list[GuideArticle]:
    """The articles in guide order with their tags, in one query: the published ones, and
    for admins the unpublished ones too."""
    stmt = (
        select(GuideArticle)
        .options(joinedload(GuideArticle.tags), *_WITHOUT_TEXT)
        .order_by(GuideArticle.sort_order, GuideArticle.title)
    )
    if not _is_admin(viewer):
        stmt = stmt.where(GuideArticle.published)
    return list(db.session.scalars(stmt).unique())


def get_article(slug: str, viewer: User | None) -> GuideArticle:
    """The article with this slug and its tags. Raises NotFound, also for an unpublished
    article unless ``viewer`` is an admin."""
    article = db.session.scalars(
        select(GuideArticle)
        .where(GuideArticle.slug == slug.lower())
        .options(joinedload(GuideArticle.tags))
    ).first()
    if article is None or not (article.published or _is_admin(viewer)):
        raise NotFound("There is no guide article with that name.")
    return article


def articles_for_tag(tag: Tag) -> list[GuideArticle]:
    """The published articles linked to a tag, for the top of its page; one query."""
    return list(
        db.session.scalars(
            select(GuideArticle)
            .join(guide_article_tags, guide_article_tags.c.article_id == GuideArticle.id)
            .where(guide_article_tags.c.tag_id == tag.id, GuideArticle.published)
            .options(*_WITHOUT_TEXT)
            .order_by(GuideArticle.sort_order, GuideArticle.title)
        )
    )


def highlights(limit: int = HIGHLIGHT_COUNT) -> list[GuideArticle]:
    """The first few published articles in guide order, for the home page; one query."""
    return list(
        db.session.scalars(
            select(GuideArticle)
            .where(GuideArticle.published)
            .options(*_WITHOUT_TEXT)
            .order_by(GuideArticle.sort_order, GuideArticle.title)
            .limit(limit)
        )
    )


def article_choices() -> list[tuple[str, str]]:
    """(slug, title) of every published article, in guide order: what a moderator may link
    a misinformation label to."""
    rows = db.session.execute(
        select(GuideArticle.slug, GuideArticle.title)
        .where(GuideArticle.published)
        .order_by(GuideArticle.sort_order, GuideArticle.title)
    )
    return [(slug, title) for slug, title in rows]
