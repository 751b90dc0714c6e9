"""The patients' experiences shown beside the guide's articles (issue #5)."""

from dataclasses import dataclass

from sqlalchemy import and_, case, exists, or_, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from forum.errors import ForumError
from forum.extensions import db
from forum.guide.said import Said
from forum.models import (
    GuideArticle,
    Post,
    Stage,
    Tag,
    Thread,
    thread_tags,
)
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
