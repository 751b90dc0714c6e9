"""The public moderation log at /mod/log (issue #4)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from forum.errors import ForumError
from forum.extensions import db
from forum.models import ModAction, ModerationAction, Post, PostStatus
from forum.moderation import labels
from forum.validation import int_or_none

LOG_PAGE_SIZE = 50
CURSOR_FORMAT = "%Y%m%dT%H%M%S%f"


@dataclass
class LogEntry:
    id: int
    created_at: datetime
    moderator: str  # a username, "automatic" or "a former moderator"
    action: str  # "Hid", "Suspended", or "Safety action"
    target: str | None  # "a reply in “Title”", "member1", or None
    target_url: str | None
    reason: str | None
    detail: str | None
    suffix: str | None = None  # words that finish the sentence: "as misinformation, linking …"


@dataclass
class LogPage:
    entries: list[LogEntry]
    next_cursor: str | None


def _parse_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    stamp, _, raw_id = cursor.partition("_")
    entry_id = int_or_none(raw_id)
    try:
        stamp = datetime.strptime(stamp, CURSOR_FORMAT)
    except ValueError:
        entry_id = None
    if entry_id is None:
        raise ForumError("That page of the log does not exist.", status=400)
    return stamp, entry_id


def _cursor(entry: ModerationAction) -> str:
    return f"{entry.created_at.strftime(CURSOR_FORMAT)}_{entry.id}"


def public_log(*, before: str | None = None, limit: int = LOG_PAGE_SIZE) -> LogPage:
    """The public moderation log, newest first, paged by a (created_at, id) cursor.

    It shows the action, the target (the thread's title only while the thread is public,
    else "a hidden thread"; a username for actions on members), the reason, the time and the
    moderator. Never the hidden text, never a reporter; safety actions name no target and
    give no reason. Raises ForumError (400) for a cursor that is not one.
    """
    stmt = (
        select(ModerationAction)
        .options(
            joinedload(ModerationAction.moderator),
            joinedload(ModerationAction.target_user),
            joinedload(ModerationAction.target_thread),
        )
        .order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc())
    )
    position = _parse_cursor(before)
    if position is not None:
        created_at, entry_id = position
        stmt = stmt.where(
            or_(
                ModerationAction.created_at < created_at,
                and_(ModerationAction.created_at == created_at, ModerationAction.id < entry_id),
            )
        )
    rows = list(db.session.scalars(stmt.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    post_ids = {row.target_post_id for row in rows if row.target_post_id}
    opening_ids = set(
        db.session.scalars(select(Post.id).where(Post.id.in_(post_ids), Post.parent_id.is_(None)))
        if post_ids
        else []
    )
    entries = _collapse_purges([(row, _public_entry(row, opening_ids)) for row in rows])
    return LogPage(entries, _cursor(rows[-1]) if more else None)


def _collapse_purges(pairs) -> list[LogEntry]:
    """A spammer purge logs one entry per post; the public log shows them as one line:
    "Banned carol and removed 12 posts" (issue #16)."""
    entries: list[LogEntry] = []
    group = None  # (moderator id, user id, the line, posts removed)
    for row, entry in pairs:
        key = (row.moderator_id, row.target_user_id)
        if row.detail != labels.DETAIL_PURGE or row.is_safety:
            entries.append(entry)
            group = None
            continue
        if group is None or group[0] != key:
            line = LogEntry(
                id=row.id,
                created_at=row.created_at,
                moderator=entry.moderator,
                action=labels.ACTION_VERBS[ModAction.USER_BAN],
                target=row.target_user.username if row.target_user else labels.FORMER_MEMBER,
                target_url=f"/u/{row.target_user.username}" if row.target_user else None,
                reason=row.reason or None,
                detail=None,
            )
            group = [key, line, 0]
            entries.append(line)
        if row.action == ModAction.POST_REMOVE:
            group[2] += 1
            group[1].suffix = labels.PURGED_POSTS.format(posts=labels.plural(group[2], "post"))
    return entries


def _moderator_name(row: ModerationAction) -> str:
    if row.moderator is not None:
        return row.moderator.username
    if row.detail == labels.AUTOMATIC:
        return labels.AUTOMATIC
    return labels.FORMER_MODERATOR


def _public_entry(row: ModerationAction, opening_ids: set[int]) -> LogEntry:
    entry = LogEntry(
        id=row.id,
        created_at=row.created_at,
        moderator=_moderator_name(row),
        action=labels.SAFETY_ACTION,
        target=None,
        target_url=None,
        reason=None,
        detail=None,
    )
    if row.is_safety:
        return entry
    entry.action = labels.ACTION_VERBS.get(row.action, row.action)
    # A reason shows only where one was given for the author (issue #16).
    entry.reason = (row.reason or None) if row.action in labels.AUTHOR_REASONS else None
    entry.detail = row.detail if row.detail != labels.AUTOMATIC else None
    if row.action == ModAction.POST_LABEL:
        entry.suffix, entry.detail = entry.detail or labels.LABEL_PLAIN, None
    subject = row.action.split(":", 1)[0]
    thread = row.target_thread
    if subject in ("user", "appeal") and row.target_user is not None:
        entry.target = row.target_user.username
        entry.target_url = f"/u/{row.target_user.username}"
    elif thread is not None:
        # A thread readers can't see is named by neither its title nor its state.
        public = thread.status == PostStatus.VISIBLE
        is_reply = subject in ("post", "item") and row.target_post_id not in opening_ids
        if public:
            kind = "a reply in" if is_reply else "the thread"
            entry.target = f"{kind} “{thread.title}”"
        else:
            entry.target = labels.UNNAMED_REPLY if is_reply else labels.UNNAMED_THREAD
        entry.target_url = f"/t/{thread.id}" if public else None
    return entry
