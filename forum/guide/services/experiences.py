"""The patients' experiences shown beside the guide's articles (issue #5)."""

from dataclasses import dataclass

from sqlalchemy import exists, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from forum.errors import ForumError
from forum.extensions import db
from forum.models import (
    GuideArticle,
    Stage,
    Tag,
    Thread,
    thread_tags,
)
from forum.visibility import (
    ThreadView,
    opening_deleted_sql,
    public_threads,
    remember_facts,
    thread_views,
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
    helpful: list[ThreadView]
    recent: list[ThreadView]


def experiences_for(
    article: GuideArticle, *, stage: str | None = None, limit: int = EXPERIENCES_PER_LIST
) -> Experiences:
    """Public threads under the article's tags ("what patients say"): the most helpful
    (marked helpful at least once), then the most recent of the others; two queries."""
    tag_ids = [tag.id for tag in article.tags]
    if not tag_ids:
        return Experiences([], [])
    tagged = exists().where(thread_tags.c.thread_id == Thread.id, thread_tags.c.tag_id.in_(tag_ids))
    base = (
        select(Thread, opening_deleted_sql())
        .where(public_threads(), tagged)
        .options(joinedload(Thread.author))
    )
    if stage:
        base = base.where(Thread.stage == stage)
    helpful = thread_views(
        db.session.execute(
            base.where(Thread.helpful_count > 0)
            .order_by(Thread.helpful_count.desc(), Thread.id.desc())
            .limit(limit)
        )
    )
    recent = base.order_by(Thread.created_at.desc(), Thread.id.desc()).limit(limit)
    if helpful:
        recent = recent.where(Thread.id.not_in([thread.id for thread in helpful]))
    return Experiences(helpful, thread_views(db.session.execute(recent)))
