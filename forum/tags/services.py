"""The topic tags: the shipped set, counts for the index, and admins' changes (issue #3)."""

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import and_, delete, func, select

from forum.errors import ForumError, InvalidAction, NotFound
from forum.extensions import db
from forum.models import PostStatus, Tag, Thread, thread_tags
from forum.validation import single_line

SHIPPED_TAGS_FILE = Path(__file__).with_name("tags.json")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 40
NAME_MAX = 60
DESCRIPTION_MAX = 200


@dataclass(frozen=True)
class TagCount:
    tag: Tag
    thread_count: int


def all_tags() -> list[Tag]:
    """Every tag, in display order."""
    return list(db.session.scalars(select(Tag).order_by(Tag.sort_order, Tag.name)))


def tags_with_counts() -> list[TagCount]:
    """Every tag with the number of threads readers can see under it; one query.

    Counting scans every thread's tags, so the counts are kept for TAG_COUNTS_SECONDS in
    each process (they are a guide to size, not a promise) and only the tags are read.
    """
    ttl = current_app.config["TAG_COUNTS_SECONDS"]
    cached = current_app.extensions.get("tag_counts")
    if ttl and cached and cached[0] > time.monotonic():
        counts = cached[1]
        tags = db.session.scalars(select(Tag).order_by(Tag.sort_order, Tag.name))
        return [TagCount(tag, counts.get(tag.id, 0)) for tag in tags]
    visible = and_(Thread.id == thread_tags.c.thread_id, Thread.status == PostStatus.VISIBLE)
    rows = db.session.execute(
        select(Tag, func.count(Thread.id))
        .outerjoin(thread_tags, thread_tags.c.tag_id == Tag.id)
        .outerjoin(Thread, visible)
        .group_by(Tag.id)
        .order_by(Tag.sort_order, Tag.name)
    ).all()
    if ttl:
        counts = {tag.id: count for tag, count in rows}
        current_app.extensions["tag_counts"] = (time.monotonic() + ttl, counts)
    return [TagCount(tag, count) for tag, count in rows]


def get_tag(slug: str) -> Tag:
    """The tag with this slug. Raises NotFound."""
    tag = db.session.scalar(select(Tag).where(Tag.slug == slug.lower()))
    if tag is None:
        raise NotFound("There is no topic with that name.")
    return tag


def shipped_tags() -> list[dict]:
    entries = json.loads(SHIPPED_TAGS_FILE.read_text(encoding="utf-8"))
    return [
        {
            "slug": entry["slug"],
            "name": entry["name"],
            "description": entry["description"],
            "sort_order": (index + 1) * 10,
        }
        for index, entry in enumerate(entries)
    ]


def load_shipped_tags() -> tuple[int, int]:
    """Add the shipped tags that are missing and refresh the others; returns (added, updated).

    Tags an admin added at the command line are left alone.
    """
    existing = {tag.slug: tag for tag in db.session.scalars(select(Tag))}
    added = updated = 0
    for entry in shipped_tags():
        tag = existing.get(entry["slug"])
        if tag is None:
            db.session.add(Tag(**entry))
            added += 1
            continue
        changed = False
        for field in ("name", "description", "sort_order"):
            if getattr(tag, field) != entry[field]:
                setattr(tag, field, entry[field])
                changed = True
        updated += changed
    db.session.flush()
    return added, updated


def _check_fields(name: str | None, description: str | None) -> None:
    if name is not None and not 1 <= len(name.strip()) <= NAME_MAX:
        raise ForumError(f"A tag name must be 1 to {NAME_MAX} characters.")
    if description is not None and len(description) > DESCRIPTION_MAX:
        raise ForumError(f"A description must be at most {DESCRIPTION_MAX} characters.")


def add_tag(slug: str, *, name: str, description: str = "", sort_order: int | None = None) -> Tag:
    """Create a tag. Raises ForumError for a bad slug or name, InvalidAction if it exists."""
    name, description = single_line(name), single_line(description)  # feeds show them (#9)
    slug = slug.strip().lower()
    if len(slug) > SLUG_MAX or not SLUG_RE.match(slug):
        raise ForumError(
            f"A slug is 1 to {SLUG_MAX} characters of a-z and 0-9 in words joined by hyphens."
        )
    _check_fields(name, description)
    if db.session.scalar(select(Tag.id).where(Tag.slug == slug)) is not None:
        raise InvalidAction(f"The tag '{slug}' already exists.")
    if sort_order is None:
        sort_order = (db.session.scalar(select(func.max(Tag.sort_order))) or 0) + 10
    tag = Tag(slug=slug, name=name.strip(), description=description.strip(), sort_order=sort_order)
    db.session.add(tag)
    db.session.flush()
    return tag


def edit_tag(
    tag: Tag,
    *,
    name: str | None = None,
    description: str | None = None,
    sort_order: int | None = None,
) -> Tag:
    """Change a tag's name, description or position. Raises ForumError for bad values."""
    name, description = single_line(name), single_line(description)  # feeds show them (#9)
    _check_fields(name, description)
    if name is not None:
        tag.name = name.strip()
    if description is not None:
        tag.description = description.strip()
    if sort_order is not None:
        tag.sort_order = sort_order
    db.session.flush()
    return tag


def thread_count(tag: Tag) -> int:
    """Threads of any status that carry the tag."""
    return db.session.scalar(
        select(func.count()).select_from(thread_tags).where(thread_tags.c.tag_id == tag.id)
    )


def remove_tag(tag: Tag, *, force: bool = False) -> int:
    """Delete a tag; returns how many threads lost it.

    Raises InvalidAction when threads use it, unless ``force``: a thread's tags are part of
    how readers find it, so taking one away must be deliberate.
    """
    used = thread_count(tag)
    if used and not force:
        raise InvalidAction(
            f"The tag '{tag.slug}' is used by {used} thread{'s' if used != 1 else ''}; "
            "removing it would take it off them. Use --force to remove it anyway."
        )
    db.session.execute(delete(thread_tags).where(thread_tags.c.tag_id == tag.id))
    db.session.delete(tag)
    db.session.flush()
    return used
