"""Deleting an account (issue #13): what ``flask data purge`` does once the grace is over.

The member's posts stay in their threads, attributed to one shared account, "[former
member]", so every tree keeps its shape (mode "keep"); mode "erase" also empties each
post's text (a "[deleted]" node, replies below survive) and its earlier versions. Either
way the account row goes, and with it its sessions, notifications, helpful marks, exports,
journals and whatever else a later table ties to the account: each foreign key's own
``ON DELETE`` rule is applied here, row by row, from the schema (``_release``), so the result
does not hang on the engine enforcing it (SQLite does so only on connections with foreign
keys on). Besides:

- its bookmarks, watched threads, followed topics and mail preferences are deleted;
- the experience details on their threads and posts are cleared;
- reports they made keep their reason, lose the reporter and the note;
- the moderation log keeps every entry: ids to the account become NULL, and the username
  is replaced by "[former member]" wherever an entry's reason or detail names it;
- outbox rows addressed to them are deleted;
- a tombstone keeps the lower-cased username so nobody registers it again.

A banned account keeps what moderation needs: the text of posts a moderator hid or
removed, the snapshots in reports about its posts, and the ban (``was_banned`` and the
reason, on the tombstone).
"""

import re

from sqlalchemy import Table, delete, func, or_, select, update

from forum.cache import purge_after_commit
from forum.extensions import db
from forum.models import (
    FORMER_MEMBER_USERNAME,
    HelpfulMark,
    ModAction,
    ModerationAction,
    OutboxMessage,
    Post,
    PostRevision,
    PostStatus,
    Report,
    Thread,
    User,
    UsernameTombstone,
    utcnow,
)
from forum.moderation.services import log_action
from forum.photos.services import delete_member_photos

MODES = ("keep", "erase")
FORMER_EMAIL = "former-member@invalid"
DELETED_TITLE = "[deleted]"
NO_PASSWORD = "!"  # noqa: S105 - not a password: a hash no password ever matches
EXPERIENCE = ("stage", "treatment_month", "months_since", "daily_dose_mg")
# What moderation keeps of a banned account's posts.
MODERATED = (PostStatus.HIDDEN, PostStatus.REMOVED)


def former_member() -> User:
    """The account every deleted member's posts are attributed to (made when first needed).

    Its name cannot be registered and its password hash matches no password."""
    user = db.session.scalar(select(User).where(User.username == FORMER_MEMBER_USERNAME))
    if user is None:
        user = User(username=FORMER_MEMBER_USERNAME, email=FORMER_EMAIL, password_hash=NO_PASSWORD)
        db.session.add(user)
        db.session.flush()
    return user


def _clear_experience(obj) -> None:
    for name in EXPERIENCE:
        setattr(obj, name, None)


def _erase(post: Post, banned: bool, now) -> None:
    if banned and post.status in MODERATED:
        return  # moderation needs the text it acted on
    db.session.execute(delete(PostRevision).where(PostRevision.post_id == post.id))
    post.body = post.body_html = ""
    post.deleted_at = post.deleted_at or now
    if post.parent_id is None:
        post.thread.title = DELETED_TITLE


def _scrub_log(name: str) -> None:
    """Replace the username in the log's free text (the log is append-only for the ORM; this
    is the one change it gets, and only this)."""
    pattern = re.compile(rf"(?<![a-z0-9_-]){re.escape(name)}(?![a-z0-9_-])", re.IGNORECASE)
    like = f"%{name}%"
    rows = db.session.execute(
        select(ModerationAction.id, ModerationAction.reason, ModerationAction.detail).where(
            or_(
                func.lower(ModerationAction.reason).like(like),
                func.lower(ModerationAction.detail).like(like),
            )
        )
    ).all()
    for row in rows:
        db.session.execute(
            update(ModerationAction)
            .where(ModerationAction.id == row.id)
            .values(
                reason=pattern.sub(FORMER_MEMBER_USERNAME, row.reason or ""),
                detail=pattern.sub(FORMER_MEMBER_USERNAME, row.detail) if row.detail else None,
            )
            .execution_options(synchronize_session=False)
        )


def _release(table: Table, doomed) -> None:
    """Apply, for the rows of ``table`` that ``doomed`` matches, every foreign key's
    ``ON DELETE`` rule that points at them: CASCADE deletes the referring rows (and, first,
    what refers to those), SET NULL unlinks them. A rule the schema leaves out (RESTRICT)
    is left to the database, which refuses the delete."""
    for child in db.metadata.sorted_tables:
        for column in child.columns:
            for key in column.foreign_keys:
                if key.column.table is not table:
                    continue
                referring = column.in_(select(key.column).where(doomed))
                if key.ondelete == "CASCADE":
                    if child is table:
                        # A tree (a reply's parent): the deleted rows' own descendants are
                        # also theirs by author, thread or account, so caught by the caller.
                        continue
                    _release(child, referring)
                    db.session.execute(
                        delete(child).where(referring).execution_options(synchronize_session=False)
                    )
                elif key.ondelete == "SET NULL":
                    db.session.execute(
                        update(child)
                        .where(referring)
                        .values({column.name: None})
                        .execution_options(synchronize_session=False)
                    )


def purge_account(user: User, *, mode: str | None = None) -> None:
    """Delete ``user`` for good, in the caller's transaction (see the module docstring)."""
    mode = mode or user.deletion_mode or "keep"
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    now, former = utcnow(), former_member()
    name, email, banned = user.username, user.email, user.is_banned
    posts = list(db.session.scalars(select(Post).where(Post.author_id == user.id)))
    for post in posts:
        _clear_experience(post)
        post.author_id, post.nonce = former.id, None
        if post.photo_count:
            post.photo_count = 0  # the photos go in either mode (issue #15)
        if mode == "erase":
            _erase(post, banned, now)
    for thread in db.session.scalars(select(Thread).where(Thread.author_id == user.id)):
        _clear_experience(thread)
        thread.author_id = former.id
    post_ids = [post.id for post in posts]
    if mode == "erase" and not banned and post_ids:
        db.session.execute(update(Report).where(Report.post_id.in_(post_ids)).values(snapshot=""))
    db.session.execute(
        update(Report).where(Report.reporter_id == user.id).values(reporter_id=None, note="")
    )
    db.session.execute(
        update(PostRevision).where(PostRevision.editor_id == user.id).values(editor_id=None)
    )
    marked = select(HelpfulMark.post_id).where(HelpfulMark.user_id == user.id)
    db.session.execute(
        update(Post)
        .where(Post.id.in_(marked))
        .values(helpful_count=Post.helpful_count - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(delete(OutboxMessage).where(func.lower(OutboxMessage.to_address) == email))
    delete_member_photos(user.id)  # the rows now, the files once this commits
    db.session.flush()  # the posts and threads above now belong to the former member
    _release(User.__table__, User.id == user.id)
    db.session.add(
        UsernameTombstone(
            username=name,
            deleted_at=now,
            was_banned=banned,
            ban_reason=user.status_reason if banned else None,
        )
    )
    db.session.delete(user)
    db.session.flush()
    _scrub_log(name)
    purge_after_commit(db.session)  # the cached profile; forum.sync does not watch accounts


def delete_by_admin(admin: User, user: User, *, reason: str, mode: str) -> None:
    """An admin's deletion of someone's account (asked for by mail), logged with the reason
    before the account goes; the log entry names the account only by its (soon NULL) id."""
    log_action(admin, ModAction.USER_DELETE, user=user, reason=reason, detail=mode)
    db.session.flush()
    purge_account(user, mode=mode)


def purge_due_deletions(now=None) -> int:
    """Complete every deletion whose grace is over; returns how many (a periodic task)."""
    now = now or utcnow()
    due = list(
        db.session.scalars(
            select(User).where(User.deletion_due_at.is_not(None), User.deletion_due_at <= now)
        )
    )
    for user in due:
        purge_account(user)
    return len(due)
