"""JSON shapes of what the page services return (issue #18).

Every shape here has its schema in ``openapi.py``; the contract tests and the fuzzing hold
the two together. Text a reader may not read never reaches these functions' output: a
post's view (``forum/visibility.post_view``) decides between its HTML and its placeholder.
"""

from datetime import date, datetime

from flask import url_for

from forum.journals.aggregate import AFTER, LABELS, MEDIANS, MIN_MEMBERS
from forum.journals.services import side_effect_slugs
from forum.threads.links import thread_url
from forum.urls import external_url
from forum.visibility import DELETED_TEXT, ThreadView


def when(value: datetime | date | None) -> str | None:
    """An ISO 8601 time in UTC ("Z"), or a date; None stays None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    return value.isoformat()


def experience(obj) -> dict:
    return {
        "stage": obj.stage,
        "treatment_month": obj.treatment_month,
        "months_since": obj.months_since,
        "daily_dose_mg": obj.daily_dose_mg,
    }


def thread(view: ThreadView, *, excerpt: str | None = None) -> dict:
    """A thread as lists show it (``view`` carries the deleted-opening-post rule)."""
    data = {
        "id": view.id,
        "title": view.title,
        "url": external_url(thread_url(view.thread)),
        "author": None if view.opening_deleted else view.author_name,
        "created_at": when(view.created_at),
        "last_activity_at": when(view.last_activity_at),
        "reply_count": view.reply_count,
        "helpful_count": view.helpful_count,
        "locked": bool(view.locked),
        "pinned": bool(view.pinned),
        "tags": [tag.slug for tag in view.tags],
        "experience": experience(view.thread),
        "visibility": str(view.thread.visibility),
    }
    if excerpt is not None:
        data["excerpt"] = excerpt
    return data


def post(post, view) -> dict:
    """One post as its reader sees it: its text, or the placeholder instead. A post readers
    don't see, shown to its own author, carries its state and the notice its page shows."""
    shown = view.show_body
    return {
        "id": post.id,
        "thread_id": post.thread_id,
        "parent_id": post.parent_id,
        "depth": post.depth,
        "url": external_url(url_for("threads.permalink", post_id=post.id)),
        "author": post.author.username if shown else None,
        "created_at": when(post.created_at),
        "edited_at": when(post.edited_at) if shown else None,
        "body_html": post.body_html if shown else None,
        "placeholder": None if shown else (view.placeholder or DELETED_TEXT),
        "helpful_count": post.helpful_count if shown else 0,
        "label": post.label if shown else None,
        "experience": experience(post) if shown else experience_none(),
        "state": view.state,
        "notice": view.notice,
    }


def experience_none() -> dict:
    return {"stage": None, "treatment_month": None, "months_since": None, "daily_dose_mg": None}


def node(item) -> dict:
    """A node of the reply tree with the replies shown below it."""
    data = post(item.post, item.view)
    data["more_replies"] = bool(item.more)
    data["replies"] = [node(child) for child in item.children]
    return data


def tag(row) -> dict:
    return {
        "slug": row.tag.slug,
        "name": row.tag.name,
        "description": row.tag.description,
        "thread_count": row.thread_count,
        "url": external_url(url_for("tags.show", slug=row.tag.slug)),
    }


def article(article, *, full: bool = False) -> dict:
    data = {
        "slug": article.slug,
        "title": article.title,
        "summary": article.summary,
        "url": external_url(url_for("guide.show", slug=article.slug)),
        "updated_at": when(article.updated_at),
    }
    if full:
        data.update(
            body_html=article.body_html,
            tags=[tag.slug for tag in article.tags],
            written_by=article.written_by,
            reviewed_by=article.reviewed_by,
            last_reviewed_on=when(article.last_reviewed_on),
        )
    return data


def search_hit(hit) -> dict:
    if hit.kind == "guide":
        url = url_for("guide.show", slug=hit.guide_slug)
    else:
        url = url_for("threads.permalink", post_id=hit.ref_id)
    return {
        "kind": hit.kind,
        "id": hit.ref_id,
        "thread_id": hit.thread_id,
        "title": hit.title,
        "thread_title": hit.thread_title,
        "guide_slug": hit.guide_slug,
        "author": hit.author.username if hit.author is not None else None,
        "created_at": when(hit.created_at),
        "snippet_html": hit.snippet_html,
        "url": external_url(url),
    }


def member(user, token) -> dict:
    """The token holder's own account, as their settings show it (never the email)."""
    return {
        "username": user.username,
        "role": user.role,
        "status": user.status,
        "created_at": when(user.created_at),
        "url": external_url(url_for("users.profile", username=user.username)),
        "token": {"name": token.name, "expires_at": when(token.expires_at)},
    }


def notification(item) -> dict:
    url = None
    if item.post_id is not None:
        url = external_url(url_for("threads.permalink", post_id=item.post_id))
    elif item.thread_id is not None:
        url = external_url(url_for("threads.show", thread_id=item.thread_id))
    return {
        "id": item.id,
        "kind": item.kind,
        "message": item.message,
        "post_id": item.post_id,
        "thread_id": item.thread_id,
        "url": url,
        "created_at": when(item.created_at),
        "read_at": when(item.read_at),
    }


def teaser(teaser) -> dict:
    """What a signed-out reader gets of a members-only thread: no author, no replies."""
    return {
        "id": teaser.thread.id,
        "title": teaser.thread.title,
        "url": external_url(thread_url(teaser.thread)),
        "tags": [tag.slug for tag in teaser.tags],
        "excerpt": teaser.excerpt,
        "truncated": teaser.truncated,
        "visibility": str(teaser.thread.visibility),
    }


def bookmark(saved) -> dict:
    """One bookmark as /bookmarks shows it: a post gone since is a placeholder."""
    post, shown = saved.post, saved.visible
    return {
        "id": saved.bookmark.id,
        "saved_at": when(saved.bookmark.created_at),
        "kind": "thread" if saved.is_thread else "reply",
        "post_id": post.id,
        "thread_id": post.thread_id if shown else None,
        "title": saved.title,
        "author": post.author.username if shown else None,
        "url": external_url(url_for("threads.permalink", post_id=post.id)) if shown else None,
        "placeholder": None if shown else saved.placeholder,
    }


def journal(row, member) -> dict:
    """The journal's settings (a member who never opened it has the defaults); whether it
    counts in the statistics is the member's one choice, ``User.contribute``."""
    return {
        "visibility": str(row.visibility) if row is not None else "private",
        "contribute": bool(member.contribute),
        "url": external_url(url_for("journals.index")),
    }


def course(course) -> dict:
    return {
        "start": when(course.start),
        "end": when(course.end),
        "days": course.days,
        "cumulative_mg": course.cumulative_mg,
        "weight_kg": course.weight_kg,
        "mg_per_kg": course.mg_per_kg,
        "dose_periods": [
            {"starts_on": when(period.starts_on), "dose_mg": period.dose_mg}
            for period in course.periods
        ],
    }


def journal_entry(entry) -> dict:
    return {
        "date": when(entry.day),
        "skin": entry.skin,
        "mood": entry.mood,
        "side_effects": {slug: getattr(entry, f"se_{slug}") for slug in side_effect_slugs()},
        "note_html": entry.note_html or "",
        "private": bool(entry.is_private),
        "updated_at": when(entry.updated_at),
    }


def insights(stats, *, disclaimer: str) -> dict:
    """Every series /insights shows; a cell from fewer than MIN_MEMBERS members is null."""
    series = []
    for measure in LABELS:
        item = stats.series(measure)
        series.append(
            {
                "measure": measure,
                "label": item.label,
                "axis": "after" if measure in AFTER else "month",
                "kind": "median" if measure in MEDIANS else "share",
                "cells": [
                    {"bucket": cell.bucket, "value": cell.value, "n": cell.n} for cell in item.cells
                ],
            }
        )
    return {
        "computed_at": when(stats.computed_at),
        "min_members": MIN_MEMBERS,
        "disclaimer": disclaimer,
        "series": series,
    }
