"""Threads and posts: starting, replying, editing, deleting, helpful marks (issue #3).

Plain functions: they check the rules, add and flush, and never commit. The reply tree's
mechanics live in ``tree.py``, lists in ``lists.py``, who-sees-what in ``forum/visibility.py``.

Every write also runs the moderation hooks (issue #4): new and edited text is screened
(held for review, flagged as a crisis). The search index and the page cache follow the
rows by themselves (``forum/sync.py``).

One module for each thing they do (``posting``, ``editing``, ``helpful``, ``reading``),
with what every write checks in ``checks`` and the experience details in ``experience``;
callers import them from here.
"""

from forum.threads.services.checks import (
    BODY_MAX,
    TAGS_MAX,
    TAGS_MIN,
    TITLE_MAX,
    TITLE_MIN,
    PostingRefusal,
    Screening,
    posting_refusal,
    write_refusal,
)
from forum.threads.services.editing import (
    change_refusal,
    check_author,
    delete_post,
    edit_post,
    refusal_for,
    revisions,
)
from forum.threads.services.experience import (
    Experience,
    experience_snapshot,
    explicit_experience,
    whole_months_between,
)
from forum.threads.services.helpful import toggle_helpful
from forum.threads.services.posting import create_thread, opening_post, reply
from forum.threads.services.reading import (
    get_post,
    get_thread,
    locate_post,
    locate_reply_target,
    member_replies,
    member_threads,
    page_of,
    thread_page,
    tree_settings,
)

__all__ = [
    "BODY_MAX",
    "TAGS_MAX",
    "TAGS_MIN",
    "TITLE_MAX",
    "TITLE_MIN",
    "Experience",
    "PostingRefusal",
    "Screening",
    "change_refusal",
    "check_author",
    "create_thread",
    "delete_post",
    "edit_post",
    "experience_snapshot",
    "explicit_experience",
    "get_post",
    "get_thread",
    "locate_post",
    "locate_reply_target",
    "member_replies",
    "member_threads",
    "opening_post",
    "page_of",
    "posting_refusal",
    "refusal_for",
    "reply",
    "revisions",
    "thread_page",
    "toggle_helpful",
    "tree_settings",
    "whole_months_between",
    "write_refusal",
]
