"""Replies most helpful first (issue #11): ``?sort=helpful`` on a thread page keeps the
tree's shape and ranks siblings by their helpful marks, then age, at every level."""

from sqlalchemy import Integer, bindparam, select
from sqlalchemy.orm import aliased

from forum.errors import ForumError
from forum.models import Post

# Replies oldest first (the tree's own order), or most helpful first.
SORT_OLDEST, SORT_HELPFUL = "oldest", "helpful"
SORTS = (SORT_OLDEST, SORT_HELPFUL)


def parse_sort(raw: str | None) -> str:
    """The ``sort`` of a thread page. Raises ForumError (400) for another value."""
    sort = (raw or "").strip() or SORT_OLDEST
    if sort not in SORTS:
        raise ForumError("Replies sort oldest first or by helpful marks (sort=helpful).")
    return sort


def ranked_branches():
    """SQL: the branches of one page of a thread's top-level replies, most helpful first
    (then oldest); bound ``thread_id``, ``size`` and ``offset``."""
    top = aliased(Post)
    return (
        select(top.branch)
        .where(top.thread_id == bindparam("thread_id"), top.depth == 1)
        .order_by(top.helpful_count.desc(), top.branch)
        .limit(bindparam("size", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
        .scalar_subquery()
    )


def helpful_first(nodes) -> None:
    """Order siblings (tree.Node) by helpful marks, then age (their path), at every level,
    in place: the page's nodes all came in its one query."""
    stack = [nodes]
    while stack:
        siblings = stack.pop()
        siblings.sort(key=lambda node: (-node.post.helpful_count, node.post.path))
        stack.extend(node.children for node in siblings if node.children)
