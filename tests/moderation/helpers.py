"""Small builders for threads and posts, local to the moderation tests."""

import html

from forum.extensions import db
from forum.models import Post, PostStatus, Thread
from forum.search import backend


def _html(body: str) -> str:
    return f"<p>{html.escape(body)}</p>"


def make_thread(author, title="A thread", body="The opening post.", *, status=PostStatus.VISIBLE):
    """A thread and its opening post (parent None, depth 0, path "", branch 0), indexed."""
    thread = Thread(title=title, author=author, status=status)
    db.session.add(thread)
    db.session.flush()
    post = Post(
        thread=thread,
        author=author,
        body=body,
        body_html=_html(body),
        status=status,
        parent_id=None,
        depth=0,
        path="",
        branch=0,
    )
    db.session.add(post)
    db.session.flush()
    backend.index_post(post)
    return thread, post


def make_reply(thread, author, body="A reply.", *, parent=None, status=PostStatus.VISIBLE):
    """A reply under ``parent`` (the opening post by default), with a distinct tree path."""
    if parent is None:
        parent = db.session.scalar(
            db.select(Post).where(Post.thread_id == thread.id, Post.parent_id.is_(None))
        )
    parent.child_count += 1
    ordinal = parent.child_count
    post = Post(
        thread=thread,
        author=author,
        body=body,
        body_html=_html(body),
        status=status,
        parent_id=parent.id,
        depth=parent.depth + 1,
        path=f"{parent.path}{ordinal:04d}",
        branch=ordinal if parent.depth == 0 else parent.branch,
    )
    db.session.add(post)
    thread.reply_count += 1
    db.session.flush()
    backend.index_post(post)
    return post


def searchable(post) -> bool:
    """Whether the search index would show ``post`` to readers."""
    return bool(
        db.session.execute(
            db.text(
                "SELECT visible FROM search_documents"
                " WHERE kind IN ('thread', 'reply') AND ref_id = :id"
            ),
            {"id": post.id},
        ).scalar()
    )
