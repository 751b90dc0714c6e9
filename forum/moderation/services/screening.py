"""Held posts and crisis flags: the hooks the thread services call on creation and on every
edit (issue #4).

- ``should_hold(author, text, editing=...)`` then, if it returns a reason, ``hold_post(post,
  reason)``;
- ``flag_crisis(post, phrase)`` when the crisis matcher finds a phrase.
"""

import re
from datetime import datetime, timedelta

from sqlalchemy import func, select

from forum.extensions import db
from forum.models import ItemStatus, JournalEntry, Post, PostStatus, ReviewItem, Role, User, utcnow
from forum.models.moderation import HoldReason
from forum.moderation import labels
from forum.moderation.services.items import (
    SEVERITY_CRISIS,
    config_int,
    pending_item,
    set_status,
)

HOLD_NEW_MEMBER = HoldReason.NEW_MEMBER
HOLD_LINKS = HoldReason.LINKS
CRISIS_PHRASE_MAX = 200

# A link, for the held-post rule: a scheme, a "www." host, or Markdown link syntax (inline
# "[text](url)" or a reference definition "[id]: url"). Bare domains such as "example.com"
# are not caught on purpose: too many false positives ("month 2.5", "acne.org" in prose).
LINK_RE = re.compile(r"https?://|\bwww\.|\]\s*\(|^\s{0,3}\[[^\]]+\]:\s*\S", re.IGNORECASE | re.M)


def has_links(text: str) -> bool:
    return bool(LINK_RE.search(text or ""))


def published_count_sql(author_id, wanted):
    """How many of the author's posts are published, counted up to ``wanted`` (SQL values or
    bound parameters): what the new-member rule asks. A scalar subquery, so a write that
    runs anyway can answer it in the same statement (a reply's counter update does)."""
    published = (
        select(Post.id)
        .where(Post.author_id == author_id, Post.status == PostStatus.VISIBLE)
        .limit(wanted)
        .subquery()
    )
    return select(func.count()).select_from(published).scalar_subquery()


def published_needed(author: User) -> int:
    """How many published posts the new-member rule asks of ``author`` on a new post: 0
    when it asks nothing (staff, or the rule off)."""
    if author.has_role(Role.MODERATOR):
        return 0
    return max(config_int("NEW_MEMBER_HELD_POSTS"), 0)


def should_hold(
    author: User,
    text: str,
    now: datetime | None = None,
    *,
    editing: bool = False,
    published: int | None = None,
) -> str | None:
    """Why a new or edited post must wait for a moderator, or None to publish it.

    ``text`` is everything the author typed (title and body for a thread). Returns
    HOLD_LINKS for links from an account younger than NEW_MEMBER_DAYS (on creation and on
    edits), HOLD_NEW_MEMBER while fewer than NEW_MEMBER_HELD_POSTS of the author's posts have
    been published (on creation only: an approved post is not held again for being early).
    Moderators and admins are never held. ``published``: that count, when the caller had it
    counted already (``published_count_sql``); otherwise it is counted here, so on creation
    call it before the new post is flushed, or the post counts itself.
    """
    if author.has_role(Role.MODERATOR):
        return None
    now = now or utcnow()
    young = author.created_at is None or author.created_at > now - timedelta(
        days=config_int("NEW_MEMBER_DAYS")
    )
    if young and has_links(text):
        return HOLD_LINKS
    wanted = published_needed(author)
    if editing or wanted == 0:
        return None
    if published is None:
        with db.session.no_autoflush:
            published = db.session.scalar(select(published_count_sql(author.id, wanted)))
    return HOLD_NEW_MEMBER if published < wanted else None


def hold_post(
    post: Post, reason: str = HOLD_NEW_MEMBER, *, now: datetime | None = None
) -> ReviewItem:
    """Keep ``post`` from readers until a moderator approves it (held opening post: its whole
    thread). Its author sees HELD_REASON. Returns the pending review item."""
    item = pending_item(post, now)
    item.is_held = True
    item.held_reason = reason
    if post.status in (PostStatus.VISIBLE, PostStatus.PENDING):
        set_status(post, PostStatus.PENDING, labels.HELD_REASON)
    db.session.flush()
    return item


def flag_crisis(post: Post, phrase: str, *, now: datetime | None = None) -> ReviewItem:
    """Queue ``post`` at the top of the queue as a crisis item; the post stays published."""
    item = pending_item(post, now)
    item.is_crisis = True
    item.crisis_phrase = (phrase or "")[:CRISIS_PHRASE_MAX] or None
    item.severity = SEVERITY_CRISIS
    db.session.flush()
    return item


def flag_journal_crisis(entry: JournalEntry, phrase: str) -> ReviewItem:
    """Queue a shared journal entry whose note matched a crisis phrase, at the top of the
    queue (issue #14); one pending item an entry."""
    item = db.session.scalar(
        select(ReviewItem).where(
            ReviewItem.journal_entry_id == entry.id, ReviewItem.status == ItemStatus.PENDING
        )
    )
    if item is None:
        item = ReviewItem(journal_entry_id=entry.id, status=ItemStatus.PENDING)
        db.session.add(item)
    item.is_crisis = True
    item.crisis_phrase = (phrase or "")[:CRISIS_PHRASE_MAX] or None
    item.severity = SEVERITY_CRISIS
    db.session.flush()
    return item
