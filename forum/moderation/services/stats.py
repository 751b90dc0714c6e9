"""How the moderators are doing, at /mod/stats (issue #16).

Each figure is one query, and each reads an index rather than the posts, so the page stays
fast at a million posts:

- items waiting by kind: ``ix_review_items_queue`` (status first);
- time to resolution: ``ix_review_items_resolved_at``;
- time to the first decision: ``ix_moderation_actions_item`` (item id, time) for each item
  created in the window (``review_items.created_at`` through the queue index's scan);
- appeals: ``ix_appeals_status``.

Percentiles are worked out in SQL with window functions (SQLite and PostgreSQL both have
them): the durations are numbered in order and the row at ceil(n·p) is taken.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, literal_column, select

from forum.extensions import db
from forum.models import (
    Appeal,
    AppealStatus,
    ItemStatus,
    ModerationAction,
    ReviewItem,
    Role,
    User,
    utcnow,
)
from forum.moderation.services.items import SEVERITY_CRISIS
from forum.permissions import require_role

WINDOWS = (7, 30)


@dataclass
class Spread:
    median: float | None  # seconds
    p90: float | None
    count: int


@dataclass
class Stats:
    waiting: dict[str, int]  # "crisis", "reported", "held", "appeals"
    first_decision: dict[int, Spread]  # by window, in days
    resolution: dict[int, Spread]
    appeals_granted: int
    appeals_decided: int


def _seconds(later, earlier):
    if db.session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _spread(durations) -> Spread:
    """Median and 90th percentile of a subquery's ``seconds`` column, in one query."""
    numbered = select(
        durations.c.seconds,
        func.row_number().over(order_by=durations.c.seconds).label("rn"),
        func.count().over().label("n"),
    ).subquery()

    def at(percent: int):
        rank = (numbered.c.n * percent + 99) // 100  # ceil(n * p) in integers
        return func.max(case((numbered.c.rn == rank, numbered.c.seconds)))

    row = db.session.execute(select(at(50), at(90), func.coalesce(func.max(numbered.c.n), 0))).one()
    return Spread(
        float(row[0]) if row[0] is not None else None,
        float(row[1]) if row[1] is not None else None,
        int(row[2]),
    )


def _resolution(since: datetime) -> Spread:
    return _spread(
        select(_seconds(ReviewItem.resolved_at, ReviewItem.created_at).label("seconds"))
        .where(ReviewItem.resolved_at >= since)
        .subquery()
    )


def _first_decision(since: datetime) -> Spread:
    first = (
        select(func.min(ModerationAction.created_at))
        .where(
            ModerationAction.item_id == ReviewItem.id, ModerationAction.moderator_id.is_not(None)
        )
        .scalar_subquery()
    )
    per_item = (
        select(ReviewItem.created_at.label("created_at"), first.label("first_at"))
        .where(ReviewItem.created_at >= since)
        .subquery()
    )
    return _spread(
        select(_seconds(per_item.c.first_at, per_item.c.created_at).label("seconds"))
        .where(per_item.c.first_at.is_not(None))
        .subquery()
    )


def _waiting() -> dict[str, int]:
    kind = case(
        (
            ReviewItem.is_crisis | (ReviewItem.severity >= SEVERITY_CRISIS),
            literal_column("'crisis'"),
        ),
        (ReviewItem.is_held, literal_column("'held'")),
        else_=literal_column("'reported'"),
    )
    rows = db.session.execute(
        select(kind.label("kind"), func.count())
        .where(ReviewItem.status == ItemStatus.PENDING)
        .group_by(kind)
    ).all()
    return {"crisis": 0, "reported": 0, "held": 0} | {row[0]: int(row[1]) for row in rows}


def moderation_stats(moderator: User, *, now: datetime | None = None) -> Stats:
    """The figures of /mod/stats. Raises PermissionDenied (403) for non-moderators."""
    require_role(moderator, Role.MODERATOR)
    now = now or utcnow()
    waiting = _waiting()
    waiting["appeals"] = db.session.scalar(
        select(func.count(Appeal.id)).where(Appeal.status == AppealStatus.PENDING)
    )
    since = {days: now - timedelta(days=days) for days in WINDOWS}
    granted, decided = db.session.execute(
        select(
            func.count(case((Appeal.status == AppealStatus.GRANTED, 1))),
            func.count(Appeal.id),
        ).where(Appeal.status != AppealStatus.PENDING, Appeal.created_at >= since[30])
    ).one()
    return Stats(
        waiting=waiting,
        first_decision={days: _first_decision(start) for days, start in since.items()},
        resolution={days: _resolution(start) for days, start in since.items()},
        appeals_granted=int(granted),
        appeals_decided=int(decided),
    )
