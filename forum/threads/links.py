"""Addresses of threads and posts, from the route map (issue #10)."""

from flask import url_for

from forum.models import Post
from forum.threads import services


def thread_url(thread, **args) -> str:
    return url_for("threads.show", thread_id=thread.id, slug=thread.slug, **args)


def post_url(post: Post) -> str:
    """The page that shows ``post``, at its anchor."""
    page, root = services.locate_post(post)
    return thread_url(
        post.thread,
        page=page if page > 1 and root is None else None,
        root=root,
        _anchor=f"p{post.id}",
    )
