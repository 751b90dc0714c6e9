"""A member's notifications: ``services`` (tell a member something, read the inbox) and
``views`` (the inbox at /notifications)."""

from forum.notifications.services import (
    Inbox,
    Kind,
    inbox,
    mark_all_read,
    mark_read,
    notify,
    notify_grouped,
    unread_count,
)

__all__ = [
    "Inbox",
    "Kind",
    "inbox",
    "mark_all_read",
    "mark_read",
    "notify",
    "notify_grouped",
    "unread_count",
]
