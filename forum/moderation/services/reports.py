"""Members reporting posts to the moderators (issue #4)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from forum import ratelimit
from forum.errors import ForumError, InvalidAction, NotFound, PermissionDenied
from forum.extensions import db
from forum.models import (
    ModAction,
    Post,
    PostStatus,
    Report,
    ReportReason,
    ReviewItem,
    User,
    utcnow,
)
from forum.models.moderation import Decision
from forum.moderation import labels
from forum.moderation.services.audit import log_action
from forum.moderation.services.items import (
    config_int,
    pending_item,
    refresh_item,
    set_status,
    snapshot_text,
)
from forum.permissions import require_can_write
from forum.visibility import can_see_post

NOTE_MAX = 1000
# Reporter accuracy (issue #16): how much a reporter's report weighs, in hundredths. Until
# a reporter has TRUSTED_AFTER decided reports they count in full; after that, from
# WEIGHT_FLOOR (almost every report dismissed: never zero) up to FULL_WEIGHT when at least
# FULL_WEIGHT_SHARE of their reports led to action.
FULL_WEIGHT = 100
WEIGHT_FLOOR = 25
TRUSTED_AFTER = 5
FULL_WEIGHT_SHARE = 0.5
NO_ACTION = (str(Decision.APPROVE), str(Decision.DISMISS))


@dataclass(frozen=True)
class Accuracy:
    decided: int  # past reports a moderator decided
    acted: int  # of which led to action

    @property
    def share(self) -> float | None:
        return self.acted / self.decided if self.decided else None

    @property
    def weight(self) -> int:
        if self.decided < TRUSTED_AFTER:
            return FULL_WEIGHT
        ratio = min(1.0, (self.share or 0.0) / FULL_WEIGHT_SHARE)
        return round(WEIGHT_FLOOR + (FULL_WEIGHT - WEIGHT_FLOOR) * ratio)


def reporter_accuracy(reporter_ids) -> dict[int, Accuracy]:
    """Each reporter's share of past reports that led to action, in one query."""
    ids = set(reporter_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(
            Report.reporter_id,
            func.count(Report.id),
            func.count(case((ReviewItem.outcome.not_in(NO_ACTION), 1))),
        )
        .join(ReviewItem, ReviewItem.id == Report.item_id)
        .where(Report.reporter_id.in_(ids), ~Report.is_open, ReviewItem.outcome.is_not(None))
        .group_by(Report.reporter_id)
    ).all()
    found = {row[0]: Accuracy(int(row[1]), int(row[2])) for row in rows}
    return {reporter: found.get(reporter, Accuracy(0, 0)) for reporter in ids}


def score_item(item: ReviewItem) -> None:
    """The item's open reports weighed by their reporters' accuracy (``ReviewItem.score``)."""
    db.session.flush()
    reporters = db.session.scalars(
        select(Report.reporter_id).where(Report.post_id == item.post_id, Report.is_open)
    ).all()
    item.score = sum(accuracy.weight for accuracy in reporter_accuracy(reporters).values())


def check_can_report(post: Post, reporter: User) -> None:
    """Raise unless ``reporter`` may report ``post``.

    NotFound (404) for a post the reporter cannot see; PermissionDenied (403) for a member
    who may not write (with the reason and end date of a suspension) or for their own post;
    InvalidAction (409) for a post already removed.
    """
    if post.deleted_at is not None or not can_see_post(post, reporter):
        raise NotFound("There is no such post.")
    require_can_write(reporter)
    if post.author_id == reporter.id:
        raise PermissionDenied(
            "You can't report your own post. You can edit it or delete it instead."
        )
    if post.status == PostStatus.REMOVED:
        raise InvalidAction("A moderator has already removed this post.")


def report_post(
    post: Post, reporter: User, reason: str, note: str = "", *, now: datetime | None = None
) -> Report:
    """Report ``post`` to the moderators, or update the reporter's open report on it.

    The first report keeps the snapshot of the text as it was then: that is what the member
    saw and objected to, and moderators always see the current text beside it, so a later
    edit can neither hide nor overwrite the evidence. Reporting again updates the reason and
    note only. Raises what ``check_can_report`` raises, ForumError (422) for an unknown
    reason or a note over 1,000 characters, and RateLimited (429) past REPORT_LIMIT.
    """
    check_can_report(post, reporter)
    try:
        reason = ReportReason(reason)
    except ValueError:
        raise ForumError("Choose one of the reasons.", status=422) from None
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ForumError(f"Keep the note under {NOTE_MAX:,} characters.", status=422)
    ratelimit.hit("REPORT_LIMIT", f"user:{reporter.id}")
    now = now or utcnow()

    item = pending_item(post, now)
    report = db.session.scalar(
        select(Report).where(
            Report.post_id == post.id, Report.reporter_id == reporter.id, Report.is_open
        )
    )
    if report is None:
        report = Report(
            post_id=post.id,
            reporter_id=reporter.id,
            item_id=item.id,
            reason=str(reason),
            note=note,
            snapshot=snapshot_text(post),
            is_open=True,
            created_at=now,
            updated_at=now,
        )
        db.session.add(report)
    else:
        report.reason = str(reason)
        report.note = note
        report.item_id = item.id
        report.updated_at = now
    refresh_item(item)
    score_item(item)
    _hide_when_reported(post, item, reporter)
    return report


def _hide_when_reported(post: Post, item: ReviewItem, reporter: User) -> None:
    """Hide a post once its reports weigh as much as AUTO_HIDE_REPORTS reporters with a good
    record (reporters whose reports are mostly dismissed weigh less), or at once on a
    moderator's word."""
    if post.status != PostStatus.VISIBLE:
        return
    if reporter.is_moderator:
        reason = labels.MODERATOR_REPORT_REASON
    elif item.score >= FULL_WEIGHT * config_int("AUTO_HIDE_REPORTS"):
        reason = labels.AUTO_HIDDEN_REASON
    else:
        return
    set_status(post, PostStatus.HIDDEN, reason)
    # Logged as the site's own action: naming the moderator would name a reporter.
    log_action(
        None,
        ModAction.POST_HIDE,
        post=post,
        user=post.author,
        item=item,
        reason=reason,
        detail=labels.AUTOMATIC,
    )
    db.session.flush()
