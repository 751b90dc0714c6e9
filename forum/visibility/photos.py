"""Who sees which progress photo (issue #15), beside ``can_see_post``.

A photo is never more visible than what it belongs to, and within that its author chose:
``private`` (the default) for the author alone, ``members`` for signed-in members,
``everyone`` for every reader of the post. Staff see a photo the author kept private only
while its post is before them in a report (``reported``): the queue item shows it.
"""

from forum.models import Journal, JournalEntry, Photo, PhotoVisibility, Post
from forum.visibility import ANONYMOUS, Viewer, ViewerLike, can_see_post
from forum.visibility.journals import can_see_journal_entry


def _chosen(photo: Photo, viewer: Viewer) -> bool:
    if viewer.id is not None and photo.author_id == viewer.id:
        return True
    if photo.visibility == PhotoVisibility.EVERYONE:
        return True
    return photo.visibility == PhotoVisibility.MEMBERS and viewer.is_signed_in


def can_see_photo(
    photo: Photo,
    viewer: ViewerLike,
    *,
    post: Post | None = None,
    entry: JournalEntry | None = None,
    journal: Journal | None = None,
    reported: bool = False,
) -> bool:
    """Whether ``viewer`` may see ``photo`` of ``post`` (or of journal ``entry``, whose
    member's journal row is ``journal``); ``reported``: the post is under review."""
    viewer = Viewer.of(viewer)
    if post is not None:
        if post.deleted_at is not None:
            return False
        if viewer.is_staff and reported:
            return True
        return can_see_post(post, viewer) and _chosen(photo, viewer)
    if entry is not None:
        return can_see_journal_entry(entry, journal, viewer) and _chosen(photo, viewer)
    return False


def is_public_photo(photo: Photo, **owner) -> bool:
    """Whether anyone at all may see it (so a shared cache may keep it)."""
    return can_see_photo(photo, ANONYMOUS, **owner)


def kept_from_others(photo: Photo) -> bool:
    """A photo that only its author sees on a page: it never goes in a shared render."""
    return photo.visibility == PhotoVisibility.PRIVATE
