"""The guide (issue #5): loading the shipped articles, admins' edits in the browser, and the
patients' experiences shown beside the articles.

Every version of an article's text is a GuideRevision: the version a load took from its
file (source "file") and every save an admin made in the browser (source "web"), so the
history lists them all, newest first, and nothing an admin wrote is ever lost.

A load creates each article from its file, and afterwards changes an article only when its
file changed since the last load (``GuideArticle.file_hash``): the file then wins over any
edit made in the browser. The file does not say whether an article is published, so a load
keeps the admin's choice. The reviewer is an admin's field (the shipped files name none):
once an article has one, loads keep it and its review date.
"""

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import and_, case, exists, or_, select, union_all
from sqlalchemy.orm import defer, joinedload, selectinload

from forum.errors import FieldErrors, ForumError, NotFound
from forum.extensions import db
from forum.guide.content import ARTICLES_DIR, ArticleFile, load_article_files, load_overview
from forum.guide.said import Said
from forum.markup import render_article_text
from forum.models import (
    GuideArticle,
    GuideRevision,
    Post,
    Role,
    Stage,
    Tag,
    Thread,
    User,
    guide_article_tags,
    thread_tags,
    utcnow,
)
from forum.permissions import require_role
from forum.visibility import (
    ThreadView,
    opening_deleted_sql,
    public_posts,
    public_threads,
    remember_facts,
)

# The topics whose latest experiences the hub shows (DESIGN.md, Model: Tag).
CORE_TAG_SLUGS = ("dryness", "mood", "results-after-finishing", "comparisons")
HUB_THREADS_PER_TOPIC = 3
EXPERIENCES_PER_LIST = 5
HIGHLIGHT_COUNT = 3

TITLE_MAX = 150
SUMMARY_MAX = 600
BODY_MAX = 100_000
REVIEWER_MAX = 120

SOURCE_FILE, SOURCE_WEB = "file", "web"


# Lists show titles and summaries: the article texts stay in the database.
_WITHOUT_TEXT = (defer(GuideArticle.body), defer(GuideArticle.body_html))


def _is_admin(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.is_admin


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


@dataclass
class TopicExperiences:
    tag: Tag
    threads: list[ThreadView]


def hub_experiences(per_topic: int = HUB_THREADS_PER_TOPIC) -> list[TopicExperiences]:
    """The most recently active public threads under each core topic, in two queries
    whatever the data size: each topic's few threads come from its own index range."""
    latest = [
        select(thread_tags.c.tag_id, thread_tags.c.thread_id)
        .join(Tag, Tag.id == thread_tags.c.tag_id)
        .join(Thread, Thread.id == thread_tags.c.thread_id)
        .where(Tag.slug == slug, public_threads())
        .order_by(Thread.last_activity_at.desc(), Thread.id.desc())
        .limit(per_topic)
        .subquery()
        for slug in CORE_TAG_SLUGS
    ]
    picked = union_all(*(select(part.c.tag_id, part.c.thread_id) for part in latest)).subquery()
    rows = db.session.execute(
        select(Tag, Thread, opening_deleted_sql())
        .outerjoin(picked, picked.c.tag_id == Tag.id)
        .outerjoin(Thread, Thread.id == picked.c.thread_id)
        .where(Tag.slug.in_(CORE_TAG_SLUGS))
        .options(joinedload(Thread.author), selectinload(Thread.tags))
        .order_by(Tag.sort_order, Tag.id, Thread.last_activity_at.desc(), Thread.id.desc())
    )
    topics: dict[int, TopicExperiences] = {}
    for tag, thread, opening_deleted in rows:
        topic = topics.setdefault(tag.id, TopicExperiences(tag, []))
        if thread is not None:
            remember_facts(thread, opening_deleted)
            topic.threads.append(ThreadView(thread))
    return list(topics.values())


def parse_stage(raw: str | None) -> str | None:
    """The ``stage`` filter of an article page. Raises ForumError (400) for another value."""
    stage = (raw or "").strip()
    if not stage:
        return None
    if stage not in set(Stage):
        raise ForumError("The stage is one of considering, on_treatment or finished.")
    return stage


@dataclass
class Experiences:
    helpful: list[Said]
    recent: list[Said]


def experiences_for(
    article: GuideArticle, *, stage: str | None = None, limit: int = EXPERIENCES_PER_LIST
) -> Experiences:
    """Public experiences under the article's tags ("what patients say"): the opening posts
    and replies marked helpful most often, then the most recent threads not already shown;
    two queries, each post with its thread and author.

    An opening post counts the thread's helpful marks and is filtered by the thread's stage,
    a reply by its own marks and the stage it was written at (issue #11).
    """
    tag_ids = [tag.id for tag in article.tags]
    if not tag_ids:
        return Experiences([], [])
    tagged = exists().where(thread_tags.c.thread_id == Thread.id, thread_tags.c.tag_id.in_(tag_ids))
    opening = Post.parent_id.is_(None)
    marks = case((opening, Thread.helpful_count), else_=Post.helpful_count)
    base = (
        select(Post, Thread, marks)
        .join(Thread, Thread.id == Post.thread_id)
        .where(public_threads(), tagged)
        .options(joinedload(Post.author))
    )
    if stage:
        base = base.where(
            or_(and_(opening, Thread.stage == stage), and_(~opening, Post.stage == stage))
        )
    helpful = [
        Said(post, thread, count)
        for post, thread, count in db.session.execute(
            base.where(
                or_(
                    and_(opening, Thread.helpful_count > 0),
                    and_(~opening, Post.helpful_count > 0, public_posts()),
                )
            )
            .order_by(marks.desc(), Post.id.desc())
            .limit(limit)
        )
    ]
    recent = (
        base.where(opening, Post.branch == 0)
        .order_by(Thread.created_at.desc(), Thread.id.desc())
        .limit(limit)
    )
    shown = [item.thread.id for item in helpful if not item.is_reply]
    if shown:
        recent = recent.where(Thread.id.not_in(shown))
    return Experiences(
        helpful, [Said(post, thread, count) for post, thread, count in db.session.execute(recent)]
    )


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
