"""Who a new post tells, and in what words (issue #12): its thread's watchers (a reply) or
its topics' followers (a new thread), the members it mentions and the author of the post it
answers, a batch at a time in user id order; ``forum.notifications.fanout`` runs the
batches."""

import functools
from dataclasses import dataclass

from sqlalchemy import select, union

from forum.extensions import db
from forum.models import (
    NotificationPrefs,
    Post,
    TagFollow,
    ThreadWatch,
    User,
    UserStatus,
    thread_tags,
)
from forum.notifications import email, mentions
from forum.notifications.kinds import Kind
from forum.notifications.services import notify_grouped
from forum.visibility import Viewer, can_see_post


@dataclass
class Audience:
    """Who a post concerns, besides its watchers and its topics' followers."""

    post: Post
    parent_author_id: int | None
    mentioned: list[int]

    @classmethod
    def of(cls, post: Post, parent_author_id: int | None) -> "Audience":
        """``parent_author_id``: the author of the post it answers, unless that was deleted."""
        return cls(post, parent_author_id, mentions.mentioned_ids(post))

    def kind_for(self, user_id: int) -> str:
        if user_id in self.mentioned:
            return Kind.MENTION
        if user_id == self.parent_author_id:
            return Kind.REPLY
        return Kind.WATCHED if self.post.parent_id is not None else Kind.NEW_THREAD

    def batch(self, after: int, limit: int) -> list[tuple[User, NotificationPrefs | None]]:
        post = self.post
        if post.parent_id is not None:  # a reply: the thread's watchers
            sources = [
                select(ThreadWatch.user_id.label("uid")).where(
                    ThreadWatch.thread_id == post.thread_id
                )
            ]
        else:  # a new thread: its topics' followers
            tags = select(thread_tags.c.tag_id).where(thread_tags.c.thread_id == post.thread_id)
            sources = [select(TagFollow.user_id.label("uid")).where(TagFollow.tag_id.in_(tags))]
        direct = set(self.mentioned) | ({self.parent_author_id} if self.parent_author_id else set())
        if direct:
            sources.append(select(User.id).where(User.id.in_(direct)))
        everyone = union(*sources).subquery()
        rows = db.session.execute(
            select(User, NotificationPrefs)
            .join(everyone, everyone.c.uid == User.id)
            .outerjoin(NotificationPrefs, NotificationPrefs.user_id == User.id)
            .where(User.id > after, User.id != post.author_id, User.status != UserStatus.BANNED)
            .order_by(User.id)
            .limit(limit)
        ).all()
        return [(row[0], row[1]) for row in rows]

    def tell(self, after: int, limit: int) -> tuple[int, int, bool]:
        """Tell the next batch of members past user id ``after`` who may read the post:
        (how many were told, the batch's last user id, whether it was the last batch)."""
        batch = self.batch(after, limit)
        told = [
            (user, self.kind_for(user.id), prefs or email.default_prefs(user.id))
            for user, prefs in batch
            if can_see_post(self.post, Viewer.of(user))
        ]
        words = functools.partial(_wording, self.post)
        notify_grouped(self.post, told, words)
        return len(told), batch[-1][0].id if batch else after, len(batch) < limit


def _wording(post: Post, kind: str, count: int) -> str:
    """The inbox line telling of ``post`` for ``kind``, ``count`` of them grouped."""
    title, name = post.thread.title, post.author.username
    if kind == Kind.MENTION:
        if count == 1:
            return f"{name} mentioned you in “{title}”."
        return f"{count} mentions of you in “{title}”."
    if kind == Kind.REPLY:
        if count == 1:
            return f"{name} replied to your post in “{title}”."
        return f"{count} new replies to your posts in “{title}”."
    if kind == Kind.NEW_THREAD:
        return f"A new thread in a topic you follow: “{title}”."
    if count == 1:
        return f"A new reply in “{title}”, a thread you watch."
    return f"{count} new replies in “{title}”, a thread you watch."
