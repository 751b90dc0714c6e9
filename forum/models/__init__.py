"""The SQLAlchemy models; importing this package registers every table."""

from forum.models.base import utcnow
from forum.models.guide import GuideArticle, GuideRevision, guide_article_tags
from forum.models.journal import (
    CheckIn,
    DosePeriod,
    Journal,
    JournalEntry,
    JournalStat,
    JournalVisibility,
)
from forum.models.mail import OutboxMessage
from forum.models.moderation import (
    REPORT_REASON_LABELS,
    Appeal,
    AppealStatus,
    ItemKind,
    ItemStatus,
    MemberNote,
    ModAction,
    ModerationAction,
    Report,
    ReportReason,
    ReviewItem,
)
from forum.models.notify import (
    Bookmark,
    FanoutJob,
    JobLease,
    NotificationPrefs,
    TagFollow,
    ThreadWatch,
)
from forum.models.photo import PHOTO_VISIBILITY_LABELS, Photo, PhotoVisibility
from forum.models.privacy import DataExport, ExportStatus
from forum.models.ratelimit import DatabaseStorage, RateLimitCounter
from forum.models.tag import Tag, thread_tags
from forum.models.thread import (
    AUDIENCE_LABELS,
    STAGE_LABELS,
    Audience,
    HelpfulMark,
    Post,
    PostRevision,
    PostStatus,
    Stage,
    Thread,
)
from forum.models.token import ApiToken
from forum.models.user import (
    FORMER_MEMBER_USERNAME,
    Notification,
    Role,
    User,
    UsernameTombstone,
    UserSession,
    UserStatus,
)

__all__ = [
    "PHOTO_VISIBILITY_LABELS",
    "Photo",
    "PhotoVisibility",
    "ThreadWatch",
    "TagFollow",
    "NotificationPrefs",
    "JobLease",
    "FanoutJob",
    "Bookmark",
    "ApiToken",
    "AUDIENCE_LABELS",
    "FORMER_MEMBER_USERNAME",
    "Audience",
    "DataExport",
    "ExportStatus",
    "ItemKind",
    "UsernameTombstone",
    "REPORT_REASON_LABELS",
    "STAGE_LABELS",
    "Appeal",
    "AppealStatus",
    "CheckIn",
    "DatabaseStorage",
    "DosePeriod",
    "GuideArticle",
    "GuideRevision",
    "HelpfulMark",
    "ItemStatus",
    "Journal",
    "JournalEntry",
    "JournalStat",
    "JournalVisibility",
    "MemberNote",
    "ModAction",
    "ModerationAction",
    "Notification",
    "OutboxMessage",
    "Post",
    "PostRevision",
    "PostStatus",
    "Report",
    "ReportReason",
    "RateLimitCounter",
    "ReviewItem",
    "Role",
    "Stage",
    "Tag",
    "Thread",
    "User",
    "UserSession",
    "UserStatus",
    "guide_article_tags",
    "thread_tags",
    "utcnow",
]
