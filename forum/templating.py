"""Jinja filters and globals shared by every template."""

from datetime import date, datetime

from flask import Flask, current_app, request, url_for
from markupsafe import Markup, escape

from forum.dose_bands import DOSE_BAND_LABELS
from forum.models import STAGE_LABELS, utcnow
from forum.moderation.crisis import crisis_resources
from forum.urls import with_query


def timeago(value: datetime | None) -> str:
    if value is None:
        return ""
    seconds = int((utcnow() - value).total_seconds())
    if seconds < 60:
        return "just now"
    for size, unit in ((31536000, "year"), (2592000, "month"), (86400, "day"), (3600, "hour")):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    n = seconds // 60
    return f"{n} minute{'s' if n != 1 else ''} ago"


def isodate(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def longdate(value: datetime | date | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value.strftime('%B %Y')}"


def replies(count: int) -> str:
    """ "1 reply", "3 replies": a count of replies as every page writes it."""
    return f"{count} {'reply' if count == 1 else 'replies'}"


def role_badge(user) -> Markup:
    """Staff carry their role beside their name (issue #9); members nothing."""
    if user.role == "member":
        return Markup("")
    return Markup(f' <span class="role">{escape(user.role)}</span>')  # noqa: S704 - escaped


def user_link(user, css_class: str = "") -> Markup:
    """A username linked to the profile: the ``user_link`` macro (templates/macros/user.html)
    and the reply tree (forum/threads/tree_html.py) both write it here."""
    name = escape(user.username)
    attribute = f' class="{escape(css_class)}"' if css_class else ""
    return Markup(f'<a{attribute} href="/u/{name}">{name}</a>{role_badge(user)}')  # noqa: S704


def url_with(**changes) -> str:
    """The current URL with some query arguments replaced (None removes one)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    # The query is appended as is: through url_for, "?_method=POST" would be its keyword.
    return with_query(url_for(request.endpoint, **(request.view_args or {})), args)


def init_templating(app: Flask) -> None:
    app.jinja_env.filters["timeago"] = timeago
    app.jinja_env.filters["isodate"] = isodate
    app.jinja_env.filters["longdate"] = longdate
    app.jinja_env.filters["replies"] = replies
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.globals["user_link_html"] = user_link
    app.jinja_env.globals["role_badge_html"] = role_badge
    app.jinja_env.globals["STAGE_LABELS"] = STAGE_LABELS
    app.jinja_env.globals["DOSE_BAND_LABELS"] = DOSE_BAND_LABELS
    # Crisis resources for the help page, the crisis panel and the mood banner (issue #4).
    app.jinja_env.globals["crisis_resources"] = crisis_resources
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def site():
        return {"site_name": current_app.config["SITE_NAME"]}
