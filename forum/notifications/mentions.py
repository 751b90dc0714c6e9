"""@mentions (issue #12): "@username" in a post links to the member's profile and tells
them, at most ``MENTION_LIMIT`` members a post.

The link is made when the text is rendered (``forum.markup``), which for posts is when they
are written or edited (and by ``flask posts rerender``): the names that belong to members
then become links, every other name stays plain text. A member who registers later under
a name written earlier gets a link at the next re-render, never a notification.

The notification itself is part of the post's fan-out (``forum.notifications.fanout``):
never for a post readers cannot see (a held post's mentions go out when it is approved),
never for a suspended or banned author.
"""

from sqlalchemy import select

from forum.extensions import db
from forum.markup import find_mentions, render_user_text
from forum.models import Post, User, UserStatus

MENTION_LIMIT = 10


def existing_usernames(names: list[str]) -> set[str]:
    """Those of ``names`` that belong to an account."""
    if not names:
        return set()
    return set(db.session.scalars(select(User.username).where(User.username.in_(names))))


def render_post(body: str) -> str:
    """A post's HTML, with a link for each "@name" of a member (one query when it has any)."""
    return render_user_text(body, mentions=existing_usernames(find_mentions(body)))


def author_may_mention(author: User) -> bool:
    return not (author.is_banned or author.is_suspended)


def mentioned_ids(post: Post) -> list[int]:
    """The members ``post`` mentions (its author aside, at most ``MENTION_LIMIT``), in the
    order they are first named; none when the author may not mention anyone."""
    if not author_may_mention(post.author):
        return []
    names = [name for name in find_mentions(post.body) if name != post.author.username]
    names = names[:MENTION_LIMIT]
    if not names:
        return []
    rows = db.session.execute(
        select(User.id, User.username).where(
            User.username.in_(names), User.status != UserStatus.BANNED
        )
    ).all()
    by_name = {row.username: row.id for row in rows}
    return [by_name[name] for name in names if name in by_name]
