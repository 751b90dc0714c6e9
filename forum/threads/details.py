"""Correcting a thread's topics and experience details after posting (issue #11).

A wrong badge ("Month 3" for month 8) or topic should not be permanent: the opening post's
author changes them on the post's edit page. The thread and its opening post carry the
same details (the badge on lists and the one in the tree), so both change together; the
earlier values go into the edit's revision; cached pages and the search index (stage is a
search filter) follow the rows (``forum/sync.py``). Tag counts are recounted at once here.
"""

from dataclasses import dataclass

from flask import current_app

from forum.models import Post, Tag, Thread
from forum.models.thread import DETAIL_COLUMNS


@dataclass(frozen=True)
class DetailsChange:
    tags: list[Tag]
    columns: dict  # the four experience columns, as they will be

    def previous(self, thread: Thread) -> dict:
        """What the revision keeps: the thread's topics and details before the change."""
        return {
            "tags": [{"slug": tag.slug, "name": tag.name} for tag in thread.tags],
            **{name: getattr(thread, name) for name in DETAIL_COLUMNS},
        }


def edit_values(post: Post) -> dict:
    """The post as its edit form shows it: the text, and for an opening post the thread's
    title, topics and details."""
    values = {"body": post.body, "details": "1"}
    if post.parent_id is None:
        thread = post.thread
        values.update(
            title=thread.title,
            tags=[tag.slug for tag in thread.tags],
            stage=thread.stage or "",
            **{name: getattr(thread, name) for name in DETAIL_COLUMNS[1:]},
        )
    return values


def details_change(thread: Thread, tags: list[Tag], columns: dict) -> DetailsChange | None:
    """The change to make, or None when the topics and details are the ones it has."""
    same_tags = {tag.id for tag in tags} == {tag.id for tag in thread.tags}
    same_columns = all(getattr(thread, name) == columns[name] for name in DETAIL_COLUMNS)
    return None if same_tags and same_columns else DetailsChange(tags, columns)


def apply_details(thread: Thread, opening: Post, change: DetailsChange) -> None:
    """Give the thread and its opening post the new topics and details."""
    if {tag.id for tag in change.tags} != {tag.id for tag in thread.tags}:
        thread.tags = change.tags
        # This process's counts are recounted on the tag index's next visit.
        current_app.extensions.pop("tag_counts", None)
    for name, value in change.columns.items():
        setattr(thread, name, value)
        setattr(opening, name, value)
