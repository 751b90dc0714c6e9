"""Lists of threads for the home page, tag pages and feeds, paged with cursors (issue #3).

A cursor is the sort key and id of the last thread shown, so the next page is a range scan
on the ``ix_threads_status_*`` indexes (``status, key, id``) whatever the page number,
rather than an OFFSET that reads and throws away every earlier row.

Stories are compared by stage, daily-dose band and month (issue #11): the month range reads
the treatment month, or the months since finishing when the stage is "finished". Each row
carries a short excerpt of its opening post, read in the list query itself.
"""

import base64
import binascii
import functools
import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import and_, func, select, tuple_
from sqlalchemy.orm import aliased, joinedload, selectinload

from forum.dose_bands import DOSE_BANDS, get_band
from forum.extensions import db
from forum.models import Post, PostStatus, Stage, Tag, Thread, thread_tags
from forum.validation import BadValue, int_or_none, parse_int
from forum.visibility import (
    ThreadView,
    ViewerLike,
    opening_deleted_sql,
    public_threads,
    thread_views,
)

SORTS = {
    "active": Thread.last_activity_at,
    "new": Thread.created_at,
    "top": Thread.helpful_count,
}
SORT_LABELS = {"active": "Recently active", "new": "Newest", "top": "Most helpful"}
MONTH_MIN, MONTH_MAX = 1, 24
# With stage "finished" the month range reads months since finishing (as the posting form).
MONTHS_SINCE_MIN, MONTHS_SINCE_MAX = 0, 120
# The excerpt is cut from the start of the opening post's stored HTML: enough for two lines
# of text once the markup is gone, and never the whole of a long post.
EXCERPT_CHARS = 240
EXCERPT_SOURCE_CHARS = 1500


# A reversed range is a slip, not a broken link: the list shows the range the right way
# round and says so beside the field (issue #11).
MONTHS_SWAPPED = (
    "“Treatment month from” was after “Treatment month to”, so the list shows months "
    "{low} to {high} instead."
)
MONTHS_SINCE_SWAPPED = (
    "“Treatment month from” was after “Treatment month to”, so the list shows months "
    "{low} to {high} since finishing instead."
)


class BadListRequest(BadValue):
    status = 400


@dataclass(frozen=True)
class FilterNote:
    """What a list did with a filter value it could not use as given, shown beside the
    field named ``field`` (the query argument); the list itself is still shown."""

    field: str
    message: str


def ordered_range(
    low: int | None, high: int | None, *, field: str, message: str
) -> tuple[int | None, int | None, tuple[FilterNote, ...]]:
    """``low`` and ``high`` the right way round, with a note for ``field`` when they were
    swapped; ``message`` is formatted with the ``low`` and ``high`` finally used."""
    if low is None or high is None or low <= high:
        return low, high, ()
    low, high = high, low
    return low, high, (FilterNote(field, message.format(low=low, high=high)),)


@dataclass(frozen=True)
class ListQuery:
    sort: str = "active"
    stage: str | None = None
    month_min: int | None = None
    month_max: int | None = None
    after: tuple | None = None  # (sort key, thread id) of the last thread already shown
    dose: str | None = None  # a dose band's slug (forum.dose_bands)
    notes: tuple[FilterNote, ...] = ()

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.stage or self.dose or self.month_min is not None or self.month_max is not None
        )

    @property
    def month_column(self):
        """The column the month range reads: months since finishing for finished stories."""
        return Thread.months_since if self.stage == Stage.FINISHED else Thread.treatment_month

    def note_for(self, field: str) -> str | None:
        """The message to show beside the filter field ``field``, if any."""
        return " ".join(note.message for note in self.notes if note.field == field) or None

    def url_args(self, **changes) -> dict:
        """Query arguments for a link to this list (``after`` is left to the caller)."""
        query = replace(self, **changes)
        args = {
            "sort": query.sort if query.sort != "active" else None,
            "stage": query.stage,
            "dose": query.dose,
            "month_min": query.month_min,
            "month_max": query.month_max,
        }
        return {key: value for key, value in args.items() if value is not None}


def _month_arg(args: Mapping, name: str, stage: str | None = None) -> int | None:
    if stage == Stage.FINISHED:
        low, high, what = MONTHS_SINCE_MIN, MONTHS_SINCE_MAX, "months since finishing"
    else:
        low, high, what = MONTH_MIN, MONTH_MAX, "treatment month"
    return parse_int(
        args.get(name),
        minimum=low,
        maximum=high,
        message=f"The {what} range takes whole numbers from {low} to {high}.",
    )


def parse_dose(raw: str | None) -> str | None:
    """A dose band's slug from a request, or None. Raises BadListRequest for any other."""
    dose = (raw or "").strip() or None
    if dose is not None and get_band(dose) is None:
        *others, last = (band.slug for band in DOSE_BANDS)
        raise BadListRequest(f"The daily dose band is one of {', '.join(others)} or {last}.")
    return dose


def parse_list_query(args: Mapping) -> ListQuery:
    """Read ``sort``, ``stage``, ``dose``, ``month_min``, ``month_max`` and ``after`` from a
    request's arguments. A reversed month range is swapped, with a note (``ListQuery.notes``).
    Raises BadListRequest (400) with a message for anything malformed."""
    sort = (args.get("sort") or "active").strip()
    if sort not in SORTS:
        raise BadListRequest("Sort by active, new or top.")
    stage = (args.get("stage") or "").strip() or None
    if stage is not None and stage not in set(Stage):
        raise BadListRequest("The stage is one of considering, on_treatment or finished.")
    dose = parse_dose(args.get("dose"))
    month_min, month_max, notes = ordered_range(
        _month_arg(args, "month_min", stage),
        _month_arg(args, "month_max", stage),
        field="month_max",
        message=MONTHS_SINCE_SWAPPED if stage == Stage.FINISHED else MONTHS_SWAPPED,
    )
    after = args.get("after")
    return ListQuery(
        sort=sort,
        stage=stage,
        month_min=month_min,
        month_max=month_max,
        after=decode_cursor(sort, after) if after else None,
        dose=dose,
        notes=notes,
    )


def encode_cursor(sort: str, thread: Thread) -> str:
    key = getattr(thread, SORTS[sort].key)
    value = key.isoformat() if isinstance(key, datetime) else key
    raw = json.dumps([sort, value, thread.id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(sort: str, cursor: str) -> tuple:
    """The (key, id) a cursor carries. Raises BadListRequest when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, value, thread_id = json.loads(raw)
        if cursor_sort != sort:
            raise ValueError("cursor for another sort")
        # Past 64 bits, a number would overflow the driver instead of matching nothing.
        if int_or_none(thread_id) is None:
            raise ValueError("not an id")
        if sort == "top":
            key = int_or_none(value, minimum=0)
            if key is None:
                raise ValueError("not a count")
        else:
            key = datetime.fromisoformat(value)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise BadListRequest(
            "That page link is broken or out of date. Start again from the first page."
        ) from None
    return key, thread_id


_TAG_RE = re.compile(r"<[^>]*>")
# What a cut through the HTML may leave at its end: half a tag or half an entity.
_CUT_END_RE = re.compile(r"<[^>]*$|&[#\w]*$")


def excerpt_text(html_start: str | None, *, cut: bool = False) -> str:
    """Plain text for a thread row from the start of a post's sanitised HTML, at most
    EXCERPT_CHARS long; ``cut`` says the HTML was itself cut short."""
    if not html_start:
        return ""
    text = _CUT_END_RE.sub("", html_start) if cut else html_start
    text = " ".join(html.unescape(_TAG_RE.sub(" ", text)).split())
    if len(text) > EXCERPT_CHARS:
        text, cut = text[:EXCERPT_CHARS].rsplit(" ", 1)[0], True
    return text + "…" if cut and text else text


@functools.cache  # built once: the same SQL for every list
def opening_excerpt_sql():
    """SQL: the start of the opening post's HTML, for a thread it may be shown for
    (correlated to ``Thread``); NULL once the opening post was deleted."""
    opening = aliased(Post, name="excerpt_post")
    return (
        select(func.substr(opening.body_html, 1, EXCERPT_SOURCE_CHARS))
        .where(
            opening.thread_id == Thread.id,
            opening.branch == 0,
            opening.parent_id.is_(None),
            opening.deleted_at.is_(None),
            opening.status == PostStatus.VISIBLE,
        )
        .scalar_subquery()
    )


@dataclass
class ThreadList:
    threads: list[ThreadView]
    next_cursor: str | None


def _experience_filters(stmt, query: ListQuery):
    """``stmt`` narrowed to the stage, dose band and month range of ``query``."""
    if query.stage:
        stmt = stmt.where(Thread.stage == query.stage)
    if query.dose:
        stmt = stmt.where(get_band(query.dose).clause(Thread.daily_dose_mg))
    if query.month_min is not None:
        stmt = stmt.where(query.month_column >= query.month_min)
    if query.month_max is not None:
        stmt = stmt.where(query.month_column <= query.month_max)
    return stmt


def list_threads(
    query: ListQuery, *, tag: Tag | None = None, limit: int, viewer: ViewerLike = None
) -> ThreadList:
    """Public threads (and members-only ones for a signed-in ``viewer``), newest sort key
    first, ``limit`` at a time: two queries (threads with their authors, whether their
    opening post was deleted and its excerpt, then their tags)."""
    key = SORTS[query.sort]
    listed = public_threads(viewer)
    stmt = select(Thread, opening_deleted_sql(), opening_excerpt_sql()).where(listed)
    if tag is not None:
        stmt = stmt.join(
            thread_tags, and_(thread_tags.c.thread_id == Thread.id, thread_tags.c.tag_id == tag.id)
        )
    stmt = _experience_filters(stmt, query)
    if query.after:
        stmt = stmt.where(tuple_(key, Thread.id) < tuple_(*query.after))
    stmt = (
        stmt.order_by(key.desc(), Thread.id.desc())
        .limit(limit + 1)
        .options(joinedload(Thread.author), selectinload(Thread.tags))
    )
    rows = db.session.execute(stmt).all()
    threads = thread_views((thread, deleted) for thread, deleted, _ in rows)
    for view, (*_, start) in zip(threads, rows, strict=True):
        view.excerpt = excerpt_text(start, cut=len(start or "") >= EXCERPT_SOURCE_CHARS)
    next_cursor = None
    if len(threads) > limit:
        threads = threads[:limit]
        next_cursor = encode_cursor(query.sort, threads[-1])
    return ThreadList(threads, next_cursor)


def latest_with_opening(*, tag: Tag | None = None, limit: int) -> list[tuple[ThreadView, Post]]:
    """The newest public threads with their opening posts, for the feeds; one query."""
    stmt = (
        select(Thread, Post)
        .join(Post, and_(Post.thread_id == Thread.id, Post.branch == 0, Post.parent_id.is_(None)))
        .where(public_threads())
        .options(joinedload(Thread.author), selectinload(Thread.tags))
        .order_by(Thread.created_at.desc(), Thread.id.desc())
        .limit(limit)
    )
    if tag is not None:
        stmt = stmt.join(
            thread_tags, and_(thread_tags.c.thread_id == Thread.id, thread_tags.c.tag_id == tag.id)
        )
    rows = db.session.execute(stmt).all()
    views = thread_views((thread, post.deleted_at is not None) for thread, post in rows)
    return [(view, post) for view, (_, post) in zip(views, rows, strict=True)]
