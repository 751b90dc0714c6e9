"""Progress photos (issue #15): taking uploads, attaching them, finding, removing, sweeping.

Plain functions: they check, add and flush, and never commit. Every upload is checked and
re-encoded in memory first (``prepare``), so a refused photo leaves no file and no row;
the files are written only once every photo of the post was accepted and the member's
daily allowance holds (``attach``). A file whose row never commits is an orphan that
``sweep`` removes.
"""

import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from forum.errors import ForumError, NotFound
from forum.extensions import db
from forum.models import (
    Journal,
    JournalEntry,
    ModAction,
    Photo,
    PhotoVisibility,
    Post,
    ReviewItem,
    Role,
    User,
    utcnow,
)
from forum.permissions import require_role
from forum.photos import images
from forum.photos.storage import delete_after_commit, new_key, storage
from forum.visibility.photos import can_see_photo, kept_from_others

REASON_MAX = 500


class PhotoRefused(ForumError):
    """A photo was not taken; the message says which and why."""

    status = 422


def _config(name: str) -> int:
    return int(current_app.config[name])


def sent_files(files: Iterable) -> list:
    """The file parts of a form that carry a file (a browser sends an empty one for an
    untouched file input)."""
    return [f for f in files if f is not None and (f.filename or f.content_length)]


def prepare(files: Iterable) -> list[images.Encoded]:
    """Check and re-encode every sent photo, in memory. Raises PhotoRefused (4xx)."""
    files = sent_files(files)
    most = _config("PHOTO_PER_POST")
    if len(files) > most:
        raise PhotoRefused(f"A post can carry at most {most} photos.")
    max_bytes, today = _config("PHOTO_MAX_BYTES"), utcnow().date()
    encoded = []
    for number, upload in enumerate(files, 1):
        which = f"Photo {number}: " if len(files) > 1 else ""
        data = upload.stream.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise PhotoRefused(
                f"{which}this file is too big: at most {max_bytes // (1024 * 1024)} MB.",
                status=413,
            )
        try:
            encoded.append(
                images.encode(
                    data,
                    max_pixels=_config("PHOTO_MAX_PIXELS"),
                    display_px=_config("PHOTO_DISPLAY_PX"),
                    thumb_px=_config("PHOTO_THUMB_PX"),
                    fmt=current_app.config["PHOTO_FORMAT"],
                    today=today,
                )
            )
        except images.Refused as exc:
            raise PhotoRefused(which + str(exc), status=exc.status) from exc
    return encoded


def check_allowance(author: User, count: int) -> None:
    """Raise PhotoRefused (429) when ``count`` more photos would pass PHOTO_PER_DAY."""
    if not count:
        return
    allowed = _config("PHOTO_PER_DAY")
    since = utcnow() - timedelta(days=1)
    sent = db.session.scalar(
        select(func.count(Photo.id)).where(Photo.author_id == author.id, Photo.created_at > since)
    )
    if sent + count > allowed:
        raise PhotoRefused(
            f"You can send {allowed} photos a day; {max(allowed - sent, 0)} more today.",
            status=429,
        )


def attach(
    author: User,
    encoded: list[images.Encoded],
    visibility: str,
    *,
    post: Post | None = None,
    entry: JournalEntry | None = None,
) -> list[Photo]:
    """Store the prepared photos and their rows on ``post`` or ``entry``.

    Raises PhotoRefused (429: the daily allowance)."""
    if not encoded:
        return []
    if entry is not None:  # an entry is saved again when its day is written again
        already = db.session.scalar(
            select(func.count(Photo.id)).where(Photo.journal_entry_id == entry.id)
        )
        most = _config("PHOTO_PER_POST")
        if already + len(encoded) > most:
            raise PhotoRefused(f"An entry can carry at most {most} photos ({already} already).")
    check_allowance(author, len(encoded))
    visibility = PhotoVisibility(visibility or PhotoVisibility.PRIVATE)
    target, now, photos = storage(), utcnow(), []
    for position, made in enumerate(encoded):
        key = new_key()
        target.put(key, "display", made.display)
        target.put(key, "thumb", made.thumb)
        photos.append(
            Photo(
                key=key,
                author_id=author.id,
                post_id=post.id if post is not None else None,
                journal_entry_id=entry.id if entry is not None else None,
                visibility=visibility,
                format=made.format,
                width=made.width,
                height=made.height,
                position=position,
                taken_on=made.taken_on,
                created_at=now,
            )
        )
    db.session.add_all(photos)
    if post is not None:
        post.photo_count = (post.photo_count or 0) + len(photos)
    db.session.flush()
    return photos


def photos_by_owner(column, ids: Iterable[int]) -> dict[int, list[Photo]]:
    """The photos of these posts or entries (``column``: Photo.post_id or .journal_entry_id),
    in their order, in one query."""
    ids = list(ids)
    found: dict[int, list[Photo]] = defaultdict(list)
    if ids:
        for photo in db.session.scalars(
            select(Photo).where(column.in_(ids)).order_by(column, Photo.position, Photo.id)
        ):
            found[getattr(photo, column.key)].append(photo)
    return found


def attach_to_tree(tree, viewer) -> None:
    """Give each node of a thread page the photos its reader may see (``node.photos``), with
    one query and only when a post on the page has photos. Authors of private photos join
    the page's ``private_authors``: the members' shared render never holds their photos."""
    nodes, stack = [], ([tree.opening] if tree.opening else []) + list(tree.nodes)
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.children)
    with_photos = [node for node in nodes if node.post.photo_count and node.view.show_body]
    if not with_photos:
        return
    found = photos_by_owner(Photo.post_id, (node.post.id for node in with_photos))
    private = set()
    for node in with_photos:
        photos = found.get(node.post.id, [])
        private.update(photo.author_id for photo in photos if kept_from_others(photo))
        node.photos = [photo for photo in photos if can_see_photo(photo, viewer, post=node.post)]
    if private:
        tree.private_authors = frozenset(tree.private_authors | private)


def photos_of_post(post: Post | None) -> list[Photo]:
    """Every photo of ``post``, in order (for the moderators' item page)."""
    if post is None or not post.photo_count:
        return []
    return photos_by_owner(Photo.post_id, [post.id]).get(post.id, [])


def photo_of_item(item: ReviewItem, photo_id: int) -> Photo:
    """A photo of the item's post. Raises NotFound."""
    photo = db.session.get(Photo, photo_id)
    if photo is None or item.post_id is None or photo.post_id != item.post_id:
        raise NotFound("That photo is not part of this post.")
    return photo


def get_photo(photo_id: int) -> Photo:
    """Raises NotFound."""
    photo = db.session.get(Photo, photo_id)
    if photo is None:
        raise NotFound("There is no such photo.")
    return photo


def is_reported(post: Post) -> bool:
    return (
        db.session.scalar(select(ReviewItem.id).where(ReviewItem.post_id == post.id).limit(1))
        is not None
    )


def visible_photo(photo_id: int, viewer) -> Photo:
    """The photo, if ``viewer`` may see it now (the one rule, asked on every request).

    Raises NotFound, also for a photo that exists but is not theirs to see."""
    photo = get_photo(photo_id)
    owner = owner_of(photo)
    if not owner:
        raise NotFound("There is no such photo.")
    staff = getattr(viewer, "is_moderator", False)
    reported = bool(staff and "post" in owner and is_reported(owner["post"]))
    if not can_see_photo(photo, viewer, **owner, reported=reported):
        raise NotFound("There is no such photo.")
    photo.owner = owner
    return photo


def owner_of(photo: Photo) -> dict:
    """What the rule needs about the photo's post or entry (as ``can_see_photo`` names it)."""
    if photo.post_id is not None:
        post = db.session.get(Post, photo.post_id)
        return {"post": post} if post is not None else {}
    entry = db.session.get(JournalEntry, photo.journal_entry_id)
    if entry is None:
        return {}
    journal = db.session.scalar(select(Journal).where(Journal.user_id == entry.user_id))
    return {"entry": entry, "journal": journal}


def remove_photo(photo: Photo, moderator: User, *, reason: str, item=None) -> Post | None:
    """Take one photo off its post, which stays; logged. Raises PermissionDenied,
    ForumError (422: no reason)."""
    from forum.moderation.services import log_action  # it imports the thread services

    require_role(moderator, Role.MODERATOR)
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise ForumError(f"Give a reason (up to {REASON_MAX} characters).", status=422)
    post = db.session.get(Post, photo.post_id) if photo.post_id is not None else None
    if post is not None:
        post.photo_count = max((post.photo_count or 1) - 1, 0)  # sync purges the pages
        log_action(
            moderator,
            ModAction.PHOTO_REMOVE,
            post=post,
            item=item,
            reason=reason,
            user=db.session.get(User, photo.author_id),
        )
    db.session.delete(photo)
    delete_after_commit(db.session, [photo.key])
    db.session.flush()
    return post


def delete_post_photos(post: Post) -> int:
    """Delete the photos of a post its author deleted; the files go once this commits."""
    keys = list(db.session.scalars(select(Photo.key).where(Photo.post_id == post.id)))
    if keys:
        db.session.execute(delete(Photo).where(Photo.post_id == post.id))
        delete_after_commit(db.session, keys)
    post.photo_count = 0
    return len(keys)


def delete_member_photos(user_id: int) -> int:
    """Delete every photo row of a member; their files go once the deletion commits."""
    keys = list(db.session.scalars(select(Photo.key).where(Photo.author_id == user_id)))
    if keys:
        db.session.execute(delete(Photo).where(Photo.author_id == user_id))
        delete_after_commit(db.session, keys)
    return len(keys)


def sweep() -> int:
    """Delete the files that no photo row names (older than PHOTO_SWEEP_GRACE_MINUTES, so
    an upload still being committed keeps its files); returns how many photos' files."""
    target = storage()
    cutoff = time.time() - 60 * _config("PHOTO_SWEEP_GRACE_MINUTES")
    candidates = [key for key, written in target.list_keys() if written < cutoff]
    removed = 0
    for start in range(0, len(candidates), 500):
        chunk = candidates[start : start + 500]
        known = set(db.session.scalars(select(Photo.key).where(Photo.key.in_(chunk))))
        for key in chunk:
            if key not in known:
                target.delete(key)
                removed += 1
    return removed
