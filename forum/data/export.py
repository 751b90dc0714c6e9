""" "Download my data" (issue #13): the archive's contents, documented in FORMAT.md.

Everything in it is the member's own: their account, posts (every version), reports they
made, notifications, bookmarks and photos. Nothing names another member: not who replied, who
reported their posts, who edited a revision, nor any other address.
"""

import io
import json
import secrets
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app, render_template, url_for
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from forum.extensions import db
from forum.mail import queue_mail
from forum.models import (
    Bookmark,
    DataExport,
    ExportStatus,
    Notification,
    Photo,
    Post,
    PostRevision,
    Report,
    User,
    UserSession,
    utcnow,
)
from forum.photos.storage import storage
from forum.urls import external_url

FORMAT_FILE = Path(__file__).with_name("FORMAT.md")
READY_SUBJECT = "Your data is ready to download"
READY_BODY = """Hello {name},

The copy of your data you asked for is ready. Log in and download it here before
{expires:%d %B %Y} (UTC), when it is deleted:
{link}
"""


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def _experience(obj) -> dict:
    return {
        "stage": obj.stage,
        "treatment_month": obj.treatment_month,
        "months_since": obj.months_since,
        "daily_dose_mg": obj.daily_dose_mg,
    }


def account_data(user: User) -> dict:
    sessions = db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)
    )
    return {
        "username": user.username,
        "email": user.email,
        "role": user.role,
        "status": user.status,
        "status_reason": user.status_reason,
        "suspended_until": _iso(user.suspended_until),
        "created_at": _iso(user.created_at),
        "email_verified_at": _iso(user.email_verified_at),
        "accepted_terms": {
            "guidelines_version": user.guidelines_version,
            "privacy_version": user.privacy_version,
            "accepted_at": _iso(user.terms_accepted_at),
        },
        "course": {
            "start": user.course_start.isoformat() if user.course_start else None,
            "end": user.course_end.isoformat() if user.course_end else None,
            "dose_mg": user.course_dose_mg,
        },
        "privacy": {
            "hide_replies": user.hide_replies,
            "noindex": user.noindex,
            "contribute": user.contribute,
        },
        "deletion": {"mode": user.deletion_mode, "due_at": _iso(user.deletion_due_at)},
        # Browser family and days only: no address is ever stored.
        "sessions": [
            {
                "browser": s.browser,
                "started_at": _iso(s.created_at),
                "last_seen_on": s.last_seen_at.date().isoformat(),
            }
            for s in sessions
        ],
    }


def posts_data(user: User) -> list[dict]:
    posts = db.session.scalars(
        select(Post)
        .where(Post.author_id == user.id)
        .options(selectinload(Post.thread))
        .order_by(Post.created_at, Post.id)
    ).all()
    revisions: dict[int, list[PostRevision]] = {}
    for revision in db.session.scalars(
        select(PostRevision)
        .where(PostRevision.post_id.in_([p.id for p in posts]))
        .order_by(PostRevision.created_at, PostRevision.id)
    ):
        revisions.setdefault(revision.post_id, []).append(revision)
    result = []
    for post in posts:
        thread = post.thread
        result.append(
            {
                "id": post.id,
                "thread": {
                    "id": thread.id,
                    "title": thread.title,
                    "tags": [tag.slug for tag in thread.tags],
                    "visibility": thread.visibility,
                    "started_by_you": thread.author_id == user.id,
                },
                "is_opening_post": post.parent_id is None,
                "in_reply_to_post": post.parent_id,
                "created_at": _iso(post.created_at),
                "edited_at": _iso(post.edited_at),
                "deleted_at": _iso(post.deleted_at),
                "status": post.status,
                "status_reason": post.status_reason,
                "experience": _experience(post),
                "body": post.body,
                "revisions": [
                    {"saved_at": _iso(r.created_at), "title": r.title, "body": r.body}
                    for r in revisions.get(post.id, [])
                ],
            }
        )
    return result


def reports_data(user: User) -> list[dict]:
    reports = db.session.scalars(
        select(Report).where(Report.reporter_id == user.id).order_by(Report.created_at)
    )
    return [
        {
            "post_id": r.post_id,
            "reason": r.reason,
            "note": r.note,
            "created_at": _iso(r.created_at),
            "open": r.is_open,
        }
        for r in reports
    ]


def notifications_data(user: User) -> list[dict]:
    rows = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    )
    return [
        {
            "kind": n.kind,
            "message": n.message,
            "post_id": n.post_id,
            "thread_id": n.thread_id,
            "created_at": _iso(n.created_at),
            "read_at": _iso(n.read_at),
        }
        for n in rows
    ]


def bookmarks_data(user: User) -> list[dict]:
    """Bookmarked posts, oldest first."""
    rows = db.session.scalars(
        select(Bookmark).where(Bookmark.user_id == user.id).order_by(Bookmark.id)
    )
    return [{"post_id": row.post_id, "created_at": _iso(row.created_at)} for row in rows]


def photos_data(user: User) -> list[dict]:
    """The member's photos, oldest first; each one's file is in the archive (issue #15)."""
    rows = db.session.scalars(
        select(Photo).where(Photo.author_id == user.id).order_by(Photo.created_at, Photo.id)
    )
    return [
        {
            "id": photo.id,
            "file": f"photos/{photo.id}.{photo.extension}",
            "post_id": photo.post_id,
            "journal_entry_id": photo.journal_entry_id,
            "visibility": photo.visibility,
            "taken_on": photo.taken_on.isoformat(),
            "created_at": _iso(photo.created_at),
            "width": photo.width,
            "height": photo.height,
            "_key": photo.key,
        }
        for photo in rows
    ]


def build_archive(user: User) -> bytes:
    """The zip a member downloads: see FORMAT.md, which goes in it too."""
    account, posts = account_data(user), posts_data(user)
    files = {
        "account.json": account,
        "posts.json": posts,
        "reports.json": reports_data(user),
        "notifications.json": notifications_data(user),
        "bookmarks.json": bookmarks_data(user),
    }
    photos = photos_data(user)
    files["photos.json"] = [{k: v for k, v in p.items() if k != "_key"} for p in photos]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, json.dumps(content, indent=2, ensure_ascii=False))
        stored = storage()
        for photo in photos:
            data = stored.open(photo["_key"], "display")
            if data is not None:
                archive.writestr(photo["file"], data)
        archive.writestr(
            "posts.html",
            render_template("data/posts_export.html", account=account, posts=posts),
        )
        archive.writestr("FORMAT.md", FORMAT_FILE.read_text(encoding="utf-8"))
    return buffer.getvalue()


def post_count(user: User) -> int:
    return db.session.scalar(select(func.count(Post.id)).where(Post.author_id == user.id))


def is_small(user: User) -> bool:
    return post_count(user) <= int(current_app.config["EXPORT_INLINE_MAX_POSTS"])


def request_export(user: User) -> DataExport:
    """Queue an export for ``flask data exports``; an export already waiting is reused."""
    waiting = db.session.scalar(
        select(DataExport).where(
            DataExport.user_id == user.id, DataExport.status == ExportStatus.PENDING
        )
    )
    if waiting is not None:
        return waiting
    export = DataExport(user_id=user.id, token=secrets.token_urlsafe(32))
    db.session.add(export)
    db.session.flush()
    return export


def latest_exports(user: User) -> list[DataExport]:
    """The member's exports still waiting or downloadable, newest first."""
    return list(
        db.session.scalars(
            select(DataExport)
            .where(DataExport.user_id == user.id)
            .where((DataExport.expires_at.is_(None)) | (DataExport.expires_at > utcnow()))
            .order_by(DataExport.id.desc())
        )
    )


def download(user: User, token: str) -> DataExport | None:
    """The member's own ready, unexpired export with this token, else None."""
    export = db.session.scalar(select(DataExport).where(DataExport.token == token))
    if export is None or export.user_id != user.id or not export.is_ready:
        return None
    if export.expires_at is not None and export.expires_at <= utcnow():
        return None
    return export


def build_pending_exports(now: datetime | None = None) -> int:
    """Build every waiting export, mail its link, and delete expired ones; returns how many
    were built (a periodic task)."""
    now = now or utcnow()
    db.session.execute(delete(DataExport).where(DataExport.expires_at <= now))
    days = int(current_app.config["EXPORT_DAYS"])
    built = 0
    for export in db.session.scalars(
        select(DataExport).where(DataExport.status == ExportStatus.PENDING)
    ).all():
        user = db.session.get(User, export.user_id)
        export.archive = build_archive(user)
        export.size = len(export.archive)
        export.status = ExportStatus.READY
        export.ready_at = now
        export.expires_at = now + timedelta(days=days)
        with current_app.test_request_context():  # the command line has no request
            link = external_url(url_for("data.download", token=export.token))
        queue_mail(
            user.email,
            READY_SUBJECT,
            READY_BODY.format(name=user.username, expires=export.expires_at, link=link),
            kind="account",
        )
        built += 1
    db.session.flush()
    return built
