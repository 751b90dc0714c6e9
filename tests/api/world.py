"""A small forum for the API tests: public, held, hidden, removed and deleted content.

Every secret word below is in text a signed-out reader must never get from the API.
"""

from dataclasses import dataclass

from sqlalchemy import select

from forum.extensions import db
from forum.models import GuideArticle, ItemStatus, Post, ReviewItem, Role, Thread
from forum.moderation import services as moderation
from forum.tags.services import load_shipped_tags
from forum.threads import services as threads
from tests.factories import make_post, make_thread, make_user

SECRETS = ("HELDWORD", "HIDDENWORD", "REMOVEDWORD", "DELETEDWORD", "HIDDENTHREADWORD")


@dataclass
class World:
    thread: Thread
    opening: Post
    reply: Post
    nested: Post
    held: Post
    hidden: Post
    removed: Post
    deleted: Post
    hidden_thread: Thread
    held_thread: Thread
    article: GuideArticle
    draft: GuideArticle
    author: object
    moderator: object


def _pending(post) -> ReviewItem:
    return db.session.scalar(
        select(ReviewItem).where(
            ReviewItem.post_id == post.id, ReviewItem.status == ItemStatus.PENDING
        )
    )


def _moderate(post, reporter, moderator, action: str) -> None:
    moderation.report_post(post, reporter, "spam")
    moderation.act_on_item(_pending(post), moderator, action, "Against the rules.")


def build_world() -> World:
    load_shipped_tags()
    author, other, reporter = make_user("author"), make_user("other"), make_user("reporter")
    moderator = make_user("mod", role=Role.MODERATOR)
    thread = make_thread(
        author,
        title="Lips in month two",
        body="Dry lips, **balm** helps.",
        stage="on_treatment",
        treatment_month=2,
        daily_dose_mg=40,
    )
    opening = threads.opening_post(thread)
    reply = make_post(thread, other, body="Same here, lips cracked.")
    nested = make_post(thread, author, parent=reply, body="Try a thicker balm.")
    held = make_post(thread, other, body="HELDWORD waiting for a moderator.")
    moderation.hold_post(held)
    hidden = make_post(thread, other, parent=reply, body="HIDDENWORD personal details.")
    make_post(thread, author, parent=hidden, body="A reply below the hidden one.")
    _moderate(hidden, reporter, moderator, "hide")
    removed = make_post(thread, other, body="REMOVEDWORD buy pills here.")
    _moderate(removed, reporter, moderator, "remove")
    deleted = make_post(thread, other, body="DELETEDWORD I changed my mind.")
    threads.delete_post(deleted, other)
    hidden_thread = make_thread(author, title="HIDDENTHREADWORD title", body="HIDDENTHREADWORD")
    _moderate(threads.opening_post(hidden_thread), reporter, moderator, "hide")
    held_thread = make_thread(other, title="HELDWORD thread", body="HELDWORD body")
    moderation.hold_post(threads.opening_post(held_thread))
    article = GuideArticle(
        slug="managing-dryness",
        title="Managing dryness",
        summary="Lips first.",
        body="Use balm.",
        body_html="<p>Use balm.</p>",
    )
    draft = GuideArticle(slug="a-draft", title="HELDWORD draft", summary="x", published=False)
    db.session.add_all([article, draft])
    db.session.commit()
    return World(
        thread,
        opening,
        reply,
        nested,
        held,
        hidden,
        removed,
        deleted,
        hidden_thread,
        held_thread,
        article,
        draft,
        author,
        moderator,
    )
