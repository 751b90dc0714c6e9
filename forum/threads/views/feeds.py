"""Atom feeds of the latest threads, and of one tag's (issue #3)."""

from flask import current_app, make_response, render_template, url_for

from forum.cache import anon_cacheable
from forum.models import utcnow
from forum.tags import services as tag_services
from forum.threads import lists
from forum.threads.links import thread_url
from forum.threads.views import bp
from forum.urls import external_url
from forum.validation import xml_safe
from forum.visibility import post_view


def _feed(entries, *, title: str, self_path: str, alternate_path: str):
    items = [
        {
            "thread": thread,
            "opening": opening,
            "url": external_url(thread_url(thread)),
            "content": opening.body_html if post_view(opening, None).show_body else "[deleted]",
            "updated": opening.edited_at or opening.created_at,
        }
        for thread, opening in entries
    ]
    updated = max((item["updated"] for item in items), default=utcnow())
    xml = render_template(
        "threads/feed.xml",
        title=title,
        feed_id=external_url(self_path),
        self_url=external_url(self_path),
        alternate_url=external_url(alternate_path),
        updated=updated,
        items=items,
    )
    # One control character in a title makes the whole feed unreadable to feed readers.
    response = make_response(xml_safe(xml))
    response.mimetype = "application/atom+xml"
    return response


@bp.route("/feeds/latest.atom")
@anon_cacheable
def feed_latest():
    entries = lists.latest_with_opening(limit=current_app.config["LIST_PAGE_SIZE"])
    return _feed(
        entries,
        title=f"Latest experiences · {current_app.config['SITE_NAME']}",
        self_path=url_for("threads.feed_latest"),
        alternate_path=url_for("pages.home"),
    )


@bp.route("/feeds/tags/<slug>.atom")
@anon_cacheable
def feed_tag(slug):
    tag = tag_services.get_tag(slug)
    entries = lists.latest_with_opening(tag=tag, limit=current_app.config["LIST_PAGE_SIZE"])
    return _feed(
        entries,
        title=f"{tag.name} · {current_app.config['SITE_NAME']}",
        self_path=url_for("threads.feed_tag", slug=tag.slug),
        alternate_path=url_for("tags.show", slug=tag.slug),
    )
