"""Moderation rules (issues #4 and #10): reports, held posts, crisis flags, the review queue,
moderators' decisions and the public log, one module each:

- ``audit``: ``log_action``, the only writer of the moderation log;
- ``items``: review items and post status changes, shared by the modules below;
- ``reports``: members reporting posts;
- ``screening``: held posts and crisis flags (hooks for the thread services);
- ``queue``: the review queue, one item in full, claiming;
- ``decisions``: a moderator's decision on an item, one handler per ``Decision``;
- ``public_log``: the log everyone may read.

Human-readable strings and badge names live in ``forum.moderation.labels``; who may read
what lives in ``forum.visibility``.

Every function here checks its own permissions, adds and flushes, and never commits: the
caller (a view, a command, the thread services) commits once. Search and the signed-out
page cache follow the rows they change by themselves (``forum/sync.py``). Callers import
this package (``from forum.moderation import services``); the names below are its public
surface.
"""

from forum.models.moderation import Decision
from forum.moderation.labels import (
    ACTION_VERBS,
    AUTO_HIDDEN_REASON,
    DECISION_LABELS,
    FILTER_HELD,
    HELD_REASON,
    HOLD_LABELS,
    MODERATOR_REPORT_REASON,
    QUEUE_FILTERS,
    REASON_BADGES,
    REPORTER_OUTCOMES,
    WITHHELD_THREADS,
)
from forum.moderation.services.appeals import (
    APPEAL_MAX,
    appeal_of,
    appealable_action,
    decide_appeal,
    file_appeal,
    get_appeal,
    pending_appeals,
)
from forum.moderation.services.audit import log_action
from forum.moderation.services.decisions import (
    HANDLERS,
    REASON_MAX,
    SUSPEND_MAX_DAYS,
    act_on_item,
    find_article,
    label_articles,
    moderate_post,
)
from forum.moderation.services.items import (
    SEVERITY,
    SEVERITY_CRISIS,
    SEVERITY_OTHER,
    excerpt,
    is_crisis_item,
    snapshot_text,
)
from forum.moderation.services.notes import NOTE_BODY_MAX, add_note, notes_about
from forum.moderation.services.offers import offered_decisions
from forum.moderation.services.public_log import LOG_PAGE_SIZE, LogEntry, LogPage, public_log
from forum.moderation.services.queue import (
    AUTHOR_HISTORY_SIZE,
    MAX_PAGE,
    QUEUE_PAGE_SIZE,
    Badge,
    ItemDetail,
    QueuePage,
    QueueRow,
    badges,
    claim_is_active,
    claim_item,
    get_item,
    item_detail,
    queue_page,
    release_item,
)
from forum.moderation.services.reports import (
    NOTE_MAX,
    check_can_report,
    report_post,
    reporter_accuracy,
)
from forum.moderation.services.screening import (
    HOLD_LINKS,
    HOLD_NEW_MEMBER,
    LINK_RE,
    flag_crisis,
    has_links,
    hold_post,
    published_count_sql,
    published_needed,
    should_hold,
)
from forum.moderation.services.stats import moderation_stats

__all__ = [
    "APPEAL_MAX",
    "NOTE_BODY_MAX",
    "add_note",
    "appeal_of",
    "appealable_action",
    "decide_appeal",
    "file_appeal",
    "get_appeal",
    "moderate_post",
    "moderation_stats",
    "notes_about",
    "offered_decisions",
    "pending_appeals",
    "reporter_accuracy",
    "ACTION_VERBS",
    "AUTHOR_HISTORY_SIZE",
    "AUTO_HIDDEN_REASON",
    "DECISION_LABELS",
    "FILTER_HELD",
    "HANDLERS",
    "HELD_REASON",
    "HOLD_LABELS",
    "HOLD_LINKS",
    "HOLD_NEW_MEMBER",
    "LINK_RE",
    "LOG_PAGE_SIZE",
    "MAX_PAGE",
    "MODERATOR_REPORT_REASON",
    "NOTE_MAX",
    "QUEUE_FILTERS",
    "QUEUE_PAGE_SIZE",
    "REASON_BADGES",
    "REASON_MAX",
    "REPORTER_OUTCOMES",
    "SEVERITY",
    "SEVERITY_CRISIS",
    "SEVERITY_OTHER",
    "SUSPEND_MAX_DAYS",
    "WITHHELD_THREADS",
    "Badge",
    "Decision",
    "ItemDetail",
    "LogEntry",
    "LogPage",
    "QueuePage",
    "QueueRow",
    "act_on_item",
    "badges",
    "check_can_report",
    "claim_is_active",
    "claim_item",
    "excerpt",
    "find_article",
    "flag_crisis",
    "get_item",
    "has_links",
    "hold_post",
    "is_crisis_item",
    "item_detail",
    "label_articles",
    "log_action",
    "public_log",
    "queue_page",
    "release_item",
    "report_post",
    "published_count_sql",
    "published_needed",
    "should_hold",
    "snapshot_text",
]
