"""Editing and deleting one's own posts, and the earlier versions they keep."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forum.errors import ForumError, InvalidAction, NotFound, PermissionDenied
from forum.extensions import db
from forum.models import Post, PostRevision, PostStatus, User, utcnow
from forum.moderation import services as moderation
from forum.notifications.mentions import render_post
from forum.permissions import require_can_write
from forum.photos.services import delete_post_photos
from forum.threads.details import apply_details, details_change
from forum.threads.services.checks import TITLE_MAX, TITLE_MIN, check_body, screen, thread_text
from forum.threads.services.experience import Experience
from forum.threads.services.posting import tags_from_slugs
from forum.visibility import Viewer, can_see_thread, post_view

# Deleting still works in a locked thread; editing is for moderators only there.
LOCKED_EDIT = "This thread is locked: its posts can't be edited."


def change_refusal(post: Post) -> str | None:
    """Why ``post`` can no longer be edited or deleted, even by its author; None while it
    can. The thread page shows it in place of Edit and Delete (issue #11)."""
    return refusal_for(post.status, deleted=post.deleted_at is not None)


def refusal_for(status: str, *, deleted: bool) -> str | None:
    """``change_refusal`` for a post in ``status``, deleted or not (for the footer builder,
    which has the post's columns rather than the post)."""
    if deleted:
        return "This post was deleted."
    if status in (PostStatus.HIDDEN, PostStatus.REMOVED):
        return "A moderator took this post down, so it can't be edited or deleted."
    return None


def _require_author(post: Post, user: User, what: str) -> None:
    require_can_write(user)
    if not Viewer.of(user).is_author_of(post):
        raise PermissionDenied(f"You can only {what} your own posts.")
    refusal = change_refusal(post)
    if refusal is not None:
        raise InvalidAction(refusal)


def check_author(post: Post, user: User) -> None:
    """Raise unless ``user`` may change ``post`` (edit or delete it)."""
    _require_author(post, user, "change")


def edit_post(
    post: Post,
    editor: User,
    *,
    body: str,
    title: str | None = None,
    tag_slugs: list[str] | None = None,
    details: Experience | None = None,
) -> bool:
    """Change a post's text (and for an opening post the thread's title, and with
    ``tag_slugs`` and ``details`` its topics and experience details, issue #11), keeping
    the previous version as a revision; returns False when nothing changed.

    Changed text is screened again (links from a young account are held, crisis phrases
    queued; ``post.screening``); search and cached pages follow (``forum/sync.py``).
    Raises PermissionDenied (not the author), InvalidAction (deleted, taken down, locked),
    ForumError (422: title, text, or not 1 to 3 known topics).
    """
    _require_author(post, editor, "edit")
    thread = post.thread
    if thread.locked and not Viewer.of(editor).is_staff:
        raise InvalidAction(LOCKED_EDIT)
    check_body(body)
    new_title = None
    if post.parent_id is None and title is not None:
        new_title = title.strip()
        if not TITLE_MIN <= len(new_title) <= TITLE_MAX:
            raise ForumError(f"A title is {TITLE_MIN} to {TITLE_MAX} characters.", status=422)
    title_changed = new_title is not None and new_title != thread.title
    change = None
    if post.parent_id is None and tag_slugs is not None:
        columns = (details or Experience()).columns()
        change = details_change(thread, tags_from_slugs(tag_slugs), columns)
    text_changed = body != post.body or title_changed
    if not text_changed and change is None:
        return False
    db.session.add(
        PostRevision(
            post_id=post.id,
            editor_id=editor.id,
            title=thread.title if post.parent_id is None else None,
            body=post.body,
            details=change.previous(thread) if change else None,
        )
    )
    if body != post.body:
        post.body = body
        post.body_html = render_post(body)
    post.edited_at = utcnow()
    if title_changed:
        thread.title = new_title
    if change is not None:
        apply_details(thread, post, change)
    db.session.flush()
    if text_changed:
        text = thread_text(thread.title, body) if post.parent_id is None else body
        post.screening = screen(post, text, moderation.should_hold(editor, text, editing=True))
    return True


def delete_post(post: Post, user: User) -> None:
    """Delete one's own post: the node stays as "[deleted]" so the replies below it keep
    their place; an opening post's thread stays with its replies.

    The last text is kept as a revision that only moderators can read (the audit trail).
    Raises PermissionDenied (not the author), InvalidAction (already deleted, taken down).
    """
    _require_author(post, user, "delete")
    db.session.add(
        PostRevision(
            post_id=post.id,
            editor_id=user.id,
            title=post.thread.title if post.parent_id is None else None,
            body=post.body,
        )
    )
    post.deleted_at = utcnow()
    post.body = ""
    post.body_html = ""
    if post.photo_count:  # a member's photos go with their post, files and all (#15)
        delete_post_photos(post)
    db.session.flush()


def revisions(post: Post, viewer: User | None) -> list[PostRevision]:
    """A post's earlier versions, newest first.

    Raises NotFound when the viewer can't read the post; once it is deleted, only
    moderators can read them.
    """
    view = post_view(post, viewer)
    if view is None or not can_see_thread(post.thread, viewer):
        raise NotFound("There is no such post.")
    if not view.show_body and not Viewer.of(viewer).is_staff:
        raise NotFound("This post's history is no longer available.")
    return list(
        db.session.scalars(
            select(PostRevision)
            .where(PostRevision.post_id == post.id)
            .options(joinedload(PostRevision.editor))
            .order_by(PostRevision.created_at.desc(), PostRevision.id.desc())
        )
    )
