"""Every human-readable string and badge name of the moderation pages (issue #10).

The rules live in ``forum.moderation.services``; what members and moderators read about
them lives here, so a view or template never rebuilds a label from another one.
"""

from forum.models import ModAction, PostStatus, ReportReason
from forum.models.moderation import Decision, FollowUp, HoldReason

# Neutral reasons shown to the author while a post waits for a moderator.
AUTO_HIDDEN_REASON = "Hidden automatically after several reports, waiting for a moderator."
MODERATOR_REPORT_REASON = "Hidden while a moderator reviews it."
HELD_REASON = (
    "Waiting for review: a moderator checks new members' first posts, and links from new "
    "accounts, before everyone can see them."
)

HOLD_LABELS = {
    HoldReason.NEW_MEMBER: "Held: new member",
    HoldReason.LINKS: "Held: links from a new account",
}
HOLD_LABEL_DEFAULT = "Held"

REASON_BADGES = {
    ReportReason.CRISIS: "Crisis",
    ReportReason.MISINFORMATION: "Misinformation",
    ReportReason.HARASSMENT: "Harassment",
    ReportReason.SPAM: "Spam",
    ReportReason.SOURCING: "Sourcing",
    ReportReason.PERSONAL_INFO: "Personal info",
    ReportReason.OTHER: "Other",
}

# Badge names: the CSS modifier of each badge (``badge-<name>`` in style.css).
BADGE_CRISIS = "crisis"
BADGE_HIGH = "high"
BADGE_NORMAL = "normal"
BADGE_COUNT = "count"
BADGE_HELD = "held"

FILTER_HELD = "held"
QUEUE_FILTERS = {FILTER_HELD: "Held for approval"} | {
    str(reason): label for reason, label in REASON_BADGES.items()
}

# The choices of the decision form.
DECISION_LABELS = {
    Decision.APPROVE: "Approve: publish the post",
    Decision.DISMISS: "Dismiss the reports: the post stays",
    Decision.HIDE: "Hide the post (its author still sees it, with your reason)",
    Decision.REMOVE: "Remove the post (final for readers)",
    Decision.LABEL: "Label as medical misinformation (the post stays, with a label)",
    Decision.LOCK: "Lock the thread (no new replies)",
    Decision.WARN: "Warn the author",
    Decision.SUSPEND: "Suspend the author",
    Decision.BAN: "Ban the author",
    Decision.DECLINE: "Decline: the post is never published (its author sees why)",
    Decision.UNLOCK: "Unlock the thread",
    Decision.LIFT_SUSPENSION: "Lift the author's suspension now",
    Decision.UNBAN: "Unban the author",
    Decision.RESTORE: "Restore the post for readers",
    Decision.REOPEN: "Reopen: put the item back in the queue",
    Decision.FOLLOWED_UP: "Followed up (say how below)",
    Decision.PURGE_SPAMMER: "Spammer: remove every post of the author and ban them",
}

FOLLOW_UP_LABELS = {
    FollowUp.REACHED_OUT: "Reached out to the member",
    FollowUp.RESOURCES_SHOWN: "Crisis resources shown",
    FollowUp.NO_ACTION: "No action needed",
}

# Decisions that need no reason: they are not against a member (issue #16).
# A journal crisis item's decisions, where the post's words don't fit (issue #14).
JOURNAL_DECISION_LABELS = {
    Decision.HIDE: "Make the note private (the member still reads it, with your reason)",
}
REASON_OPTIONAL = frozenset({Decision.APPROVE, Decision.DISMISS, Decision.FOLLOWED_UP})

# What the moderator is told once a decision is made ("Done: Hide the post.").
DECISION_DONE = {
    Decision.APPROVE: "Approve: publish the post",
    Decision.DISMISS: "Dismiss the reports: the post stays",
    Decision.HIDE: "Hide the post",
    Decision.REMOVE: "Remove the post",
    Decision.LABEL: "Label as medical misinformation",
    Decision.LOCK: "Lock the thread",
    Decision.WARN: "Warn the author",
    Decision.SUSPEND: "Suspend the author",
    Decision.BAN: "Ban the author",
    Decision.DECLINE: "Decline the post",
    Decision.UNLOCK: "Unlock the thread",
    Decision.LIFT_SUSPENSION: "Lift the suspension",
    Decision.UNBAN: "Unban the author",
    Decision.RESTORE: "Restore the post",
    Decision.REOPEN: "Reopen the item",
    Decision.FOLLOWED_UP: "Followed up",
    Decision.PURGE_SPAMMER: "Remove every post and ban the author",
}

# Told to each reporter: the outcome in plain words, nothing more.
REPORTER_OUTCOMES = {
    Decision.APPROVE: "found that it keeps to the community guidelines, so it stays up",
    Decision.DISMISS: "found that it keeps to the community guidelines, so it stays up",
    Decision.HIDE: "hid it",
    Decision.REMOVE: "removed it",
    Decision.LABEL: "labelled it as medical misinformation",
    Decision.LOCK: "locked the thread",
    Decision.WARN: "warned its author",
    Decision.SUSPEND: "suspended its author",
    Decision.BAN: "banned its author",
    Decision.DECLINE: "declined it",
    Decision.UNLOCK: "found that it keeps to the community guidelines, so it stays up",
    Decision.LIFT_SUSPENSION: "found that it keeps to the community guidelines, so it stays up",
    Decision.UNBAN: "found that it keeps to the community guidelines, so it stays up",
    Decision.RESTORE: "found that it keeps to the community guidelines, so it stays up",
    Decision.REOPEN: "is looking at it again",
    Decision.FOLLOWED_UP: "followed it up",
    Decision.PURGE_SPAMMER: "removed it and banned its author",
}

# The moderation log, public and on the item page: "Hid a reply in “Title”".
ACTION_VERBS = {
    ModAction.POST_APPROVE: "Approved",
    ModAction.POST_HIDE: "Hid",
    ModAction.POST_REMOVE: "Removed",
    ModAction.POST_LABEL: "Labelled",
    ModAction.THREAD_LOCK: "Locked",
    ModAction.THREAD_UNLOCK: "Unlocked",
    ModAction.USER_WARN: "Warned",
    ModAction.USER_SUSPEND: "Suspended",
    ModAction.USER_BAN: "Banned",
    ModAction.USER_ROLE: "Changed the role of",
    ModAction.USER_DELETE: "Deleted, as its owner asked, the account of",
    ModAction.POST_DECLINE: "Declined",
    ModAction.POST_RESTORE: "Restored",
    ModAction.USER_UNSUSPEND: "Lifted the suspension of",
    ModAction.USER_UNBAN: "Unbanned",
    ModAction.ITEM_REOPEN: "Reopened a review of",
    ModAction.ITEM_FOLLOW_UP: "Followed up",
    ModAction.JOURNAL_HIDE: "Made private a journal note of",
    ModAction.APPEAL_UPHELD: "Appeal upheld:",
    ModAction.APPEAL_GRANTED: "Appeal granted:",
    ModAction.PHOTO_REMOVE: "Removed a photo from",
}
# Actions whose reason was written for the author, so the public log shows it; approving
# and dismissing carry at most a note between moderators.
AUTHOR_REASONS = frozenset(ACTION_VERBS) - {ModAction.POST_APPROVE}
SAFETY_ACTION = "Safety action"
AUTOMATIC = "automatic"
FORMER_MODERATOR = "a former moderator"
WITHHELD_THREADS = {
    PostStatus.HIDDEN: "a hidden thread",
    PostStatus.REMOVED: "a removed thread",
    PostStatus.PENDING: "a thread waiting for review",
}
WITHHELD_THREAD_DEFAULT = "a thread"
# A thread readers can't see is named by neither its title nor its state (issue #16: no
# "Removed a removed thread").
UNNAMED_THREAD = "a thread"
UNNAMED_REPLY = "a reply in a thread readers can't see"
PURGED_POSTS = "and removed {posts}"
FORMER_MEMBER = "a former member"

# A post's moderation state, as the item page names it.
POST_STATUS_LABELS = {
    PostStatus.PENDING: "Waiting for review",
    PostStatus.HIDDEN: "Hidden",
    PostStatus.REMOVED: "Removed",
}


def plural(count: int, noun: str) -> str:
    """ "1 reporter", "3 reporters"."""
    return f"{count} {noun}{'s' if count != 1 else ''}"


# What a member finds in their notifications (forum.notifications). ``where`` is WHERE.
WHERE = "your {kind} in “{title}”"
NOTICE_HIDDEN = "A moderator hid {where}. Reason: {reason}"
NOTICE_REMOVED = "A moderator removed {where}. Reason: {reason}"
NOTICE_LABELLED = "A moderator labelled {where} as medical misinformation. Reason: {reason}"
NOTICE_LOCKED = (
    "A moderator locked the thread “{title}”, so it takes no new replies. Reason: {reason}"
)
NOTICE_WARNED = (
    "A moderator warned you about {where}. Reason: {reason} Please read the community guidelines."
)
NOTICE_SUSPENDED = (
    "Your account is suspended until {until:%d %B %Y at %H:%M} UTC because of {where}. "
    "Reason: {reason} You can still log in and read."
)
NOTICE_BANNED = "Your account is banned because of {where}. Reason: {reason}"
NOTICE_REPORT_OUTCOME = (
    "Thanks for your report about a post in “{title}”. A moderator reviewed it and {outcome}."
)

# The ``detail`` of a log entry.
DETAIL_DISMISSED = "reports dismissed"
DETAIL_MISINFORMATION = "misinformation"
DETAIL_PURGE = "spam purge"
LABEL_LINKING = "as misinformation, linking “{title}”"
LABEL_PLAIN = "as misinformation"

# Issue #16: taking a decision back, reopening, appeals.
NOTICE_UNLOCKED = "A moderator unlocked the thread “{title}”. Reason: {reason}"
NOTICE_UNSUSPENDED = "A moderator lifted your suspension early. Reason: {reason}"
NOTICE_UNBANNED = "A moderator lifted your ban. Reason: {reason}"
NOTICE_RESTORED = "A moderator restored {where} for readers. Reason: {reason}"
NOTICE_DECLINED = "A moderator declined {where}: it won't be published. Reason: {reason}"
NOTICE_REOPENED = "A moderator is looking again at {where}. Reason: {reason}"
NOTICE_PURGED = "Your account is banned and your posts are removed. Reason: {reason}"
NOTICE_JOURNAL_HIDDEN = (
    "A moderator made your journal note of {day} private: only you can read it now. "
    "Reason: {reason}"
)
NOTICE_APPEAL_RECEIVED = "We received your appeal. Another moderator will look at it."
NOTICE_APPEAL_UPHELD = "A moderator looked at your appeal: the decision stands. Reason: {reason}"
NOTICE_APPEAL_GRANTED = (
    "A moderator looked at your appeal and took the decision back. Reason: {reason}"
)
APPEAL_STATUS = {
    "pending": "Waiting for a moderator",
    "upheld": "Upheld: the decision stands",
    "granted": "Granted: the decision was taken back",
}
