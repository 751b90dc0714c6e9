"""Admins' edits of an article in the browser, and its history (issue #5)."""

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forum.errors import FieldErrors
from forum.extensions import db
from forum.guide.services.loading import SOURCE_WEB, _add_revision
from forum.markup import render_article_text
from forum.models import (
    GuideArticle,
    GuideRevision,
    Role,
    Tag,
    User,
    utcnow,
)
from forum.permissions import require_role

TITLE_MAX = 150
SUMMARY_MAX = 600
BODY_MAX = 100_000
REVIEWER_MAX = 120


# --- Editing in the browser ------------------------------------------------------------------


def edit_values(article: GuideArticle) -> dict:
    """The article as the edit form shows it."""
    return {
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "tags": [tag.slug for tag in article.tags],
        "published": article.published,
        "reviewed_by": article.reviewed_by or "",
        "last_reviewed": article.last_reviewed_on,
    }


def _check_edit(title, summary, body, reviewed_by, last_reviewed, today) -> dict[str, str]:
    errors = {}
    if not title:
        errors["title"] = "Give the article a title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"A title is at most {TITLE_MAX} characters."
    if not summary:
        errors["summary"] = "Write a one-paragraph summary: tag pages and the hub show it."
    elif len(summary) > SUMMARY_MAX:
        errors["summary"] = f"Keep the summary under {SUMMARY_MAX} characters."
    if not body.strip():
        errors["body"] = "The article needs a body."
    elif len(body) > BODY_MAX:
        errors["body"] = f"Keep the article under {BODY_MAX:,} characters."
    if len(reviewed_by) > REVIEWER_MAX:
        errors["reviewed_by"] = f"Keep the reviewer under {REVIEWER_MAX} characters."
    if last_reviewed is not None and last_reviewed > today:
        errors["last_reviewed"] = "The review date can't be in the future."
    elif reviewed_by and last_reviewed is None:
        errors["last_reviewed"] = "Give the date the reviewer checked the article."
    return errors


def edit_article(
    article: GuideArticle,
    editor: User,
    *,
    title: str,
    summary: str,
    body: str,
    tag_slugs: Sequence[str],
    published: bool,
    reviewed_by: str | None,
    last_reviewed: date | None,
    now: datetime | None = None,
) -> bool:
    """Save an admin's edit as the article's new version (a "web" revision), re-render and
    re-index it; returns False, changing nothing, when nothing differs.

    Raises PermissionDenied (403) unless ``editor`` is an admin, FieldErrors (422) for an
    empty or over-long field, an unknown or missing tag, or a review date in the future.
    """
    require_role(editor, Role.ADMIN)
    now = now or utcnow()
    title, summary = title.strip(), summary.strip()
    body = body.replace("\r\n", "\n").strip("\n") + "\n"
    reviewed_by = (reviewed_by or "").strip()
    errors = _check_edit(title, summary, body, reviewed_by, last_reviewed, now.date())
    wanted = list(dict.fromkeys(tag_slugs))
    tags = list(
        db.session.scalars(
            select(Tag).where(Tag.slug.in_(wanted)).order_by(Tag.sort_order, Tag.name)
        )
    )
    if not wanted:
        errors["tags"] = "Link the article to at least one topic."
    elif len(tags) != len(wanted):
        errors["tags"] = "Choose topics from the list."
    if errors:
        raise FieldErrors(errors)

    new = (title, summary, body, {t.id for t in tags}, published, reviewed_by or None)
    old = (
        article.title,
        article.summary,
        article.body,
        {t.id for t in article.tags},
        article.published,
        article.reviewed_by,
    )
    if new == old and last_reviewed == article.last_reviewed_on:
        return False
    if body != article.body:
        article.body_html = render_article_text(body)
    article.title, article.summary, article.body = title, summary, body
    article.tags = tags
    article.published = published
    article.reviewed_by = reviewed_by or None
    article.last_reviewed_on = last_reviewed
    article.updated_at = now
    article.updated_by = editor.username
    db.session.flush()
    _add_revision(article, SOURCE_WEB, editor, now)
    return True


def article_history(article: GuideArticle, viewer: User) -> list[GuideRevision]:
    """Every version of the article's text, newest first, with who made it.

    Raises PermissionDenied (403) unless ``viewer`` is an admin.
    """
    require_role(viewer, Role.ADMIN)
    return list(
        db.session.scalars(
            select(GuideRevision)
            .where(GuideRevision.article_id == article.id)
            .options(joinedload(GuideRevision.editor))
            .order_by(GuideRevision.created_at.desc(), GuideRevision.id.desc())
        )
    )
