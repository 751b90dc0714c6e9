"""The kinds of notification, and the mail setting each falls under (issue #12)."""


class Kind:
    """Values of ``Notification.kind``."""

    REPORT_OUTCOME = "report_outcome"
    POST_HIDDEN = "post_hidden"
    POST_REMOVED = "post_removed"
    POST_LABELLED = "post_labelled"
    THREAD_LOCKED = "thread_locked"
    WARNING = "warning"
    SUSPENSION = "suspension"
    BAN = "ban"
    POST_APPROVED = "post_approved"
    POST_DECLINED = "post_declined"
    # Issue #12: what members hear of, one line per thread and kind until read.
    REPLY = "reply"  # a reply to your post
    WATCHED = "watched"  # a new reply in a thread you watch
    MENTION = "mention"  # someone wrote @you
    NEW_THREAD = "new_thread"  # a new thread in a topic you follow
    # Issue #16: a decision taken back, an item looked at again, an appeal's outcome.
    UNDONE = "moderation_undone"
    REOPENED = "review_reopened"
    APPEAL = "appeal"
    # Issue #13: a moderator's answer to a message sent from the contact page (not mailed).
    CONTACT_ANSWER = "contact_answer"
    # Issue #14: a moderator made a shared journal note private.
    JOURNAL_HIDDEN = "journal_hidden"
    CHECKIN_DUE = "journal_checkin"  # a check-in after finishing has fallen due


# Kinds grouped into one line per thread until read ("3 new replies in ...").
GROUPED = frozenset({Kind.REPLY, Kind.WATCHED, Kind.MENTION, Kind.NEW_THREAD})

MODERATION_KINDS = frozenset(
    {
        Kind.REPORT_OUTCOME,
        Kind.POST_HIDDEN,
        Kind.POST_REMOVED,
        Kind.POST_LABELLED,
        Kind.THREAD_LOCKED,
        Kind.WARNING,
        Kind.SUSPENSION,
        Kind.POST_APPROVED,
        Kind.POST_DECLINED,
        Kind.UNDONE,
        Kind.REOPENED,
        Kind.APPEAL,
        Kind.JOURNAL_HIDDEN,
    }
)

# The mail setting (email_<name> on /settings/notifications) of each kind. A ban is told
# by the login page and account mail, not here.
MAIL_KIND_OF = {
    Kind.REPLY: "reply",
    Kind.WATCHED: "watched",
    Kind.NEW_THREAD: "watched",
    Kind.MENTION: "mention",
    **dict.fromkeys(MODERATION_KINDS, "moderation"),
    Kind.CHECKIN_DUE: "checkin",
}
