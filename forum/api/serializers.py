"""JSON shapes of what the page services return (issue #18).

Every shape here has its schema in ``openapi.py``; the contract tests and the fuzzing hold
the two together. Text a reader may not read never reaches these functions' output: a
post's view (``forum/visibility.post_view``) decides between its HTML and its placeholder.
"""

from datetime import date, datetime

from flask import url_for

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
    }
    if excerpt is not None:
        data["excerpt"] = excerpt
    return data


def post(post, view) -> dict:
    """One post as a signed-out reader sees it: its text, or the placeholder instead."""
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
