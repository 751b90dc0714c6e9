"""The reply box under a thread, rendered once per process (issue #17).

Rendering the box through WTForms and its macros cost about a tenth of a signed-in thread
page. The box a member gets on a plain page read is the same for everyone but for three
values: the thread it posts to, the member's CSRF token and the form's one-time nonce. It
is rendered once with stand-ins for those and each page puts its own values in, escaped
as the template would. Anything else (a preview, errors, text typed, a reply target, a
refusal) renders the template as before. Nothing of a member's is ever stored here.
"""

from flask import render_template, request, url_for
from markupsafe import Markup, escape

TEMPLATE = "threads/_reply_form.html"
SENTINEL_THREAD = 987_654_321
SENTINEL_CSRF = "reply-form-csrf-stand-in"
SENTINEL_NONCE = "reply-form-nonce-stand-in"

_rendered: dict[tuple, str] = {}


class _StandIn:
    id = SENTINEL_THREAD
    locked = False


def _is_plain(form, context: dict) -> bool:
    return (
        context["show_reply_form"]
        and not context["reply_target_shown"]
        and context["reply_target"] is None
        and context["preview_html"] is None
        and not form.errors
        and not form.body.data
        and not form.parent_id.data
    )


def _blank(form, context: dict, with_csrf: bool) -> str:
    key = (request.script_root, with_csrf)
    if key not in _rendered:
        blank = type(form)(formdata=None, meta={"csrf": with_csrf})
        blank.nonce.data = SENTINEL_NONCE
        if with_csrf:
            blank.csrf_token.current_token = SENTINEL_CSRF
        _rendered[key] = render_template(
            TEMPLATE, **{**context, "form": blank, "thread": _StandIn(), "viewer": None}
        )
    return _rendered[key]


def reply_form_html(form, context: dict) -> Markup | None:
    """The plain reply box for this page, or None when the template must render it."""
    if not _is_plain(form, context):
        return None
    with_csrf = hasattr(form, "csrf_token")
    html = _blank(form, context, with_csrf)
    html = html.replace(
        url_for("threads.reply", thread_id=SENTINEL_THREAD),
        url_for("threads.reply", thread_id=context["thread"].id),
    )
    html = html.replace(SENTINEL_NONCE, str(escape(form.nonce.data)))
    if with_csrf:
        html = html.replace(SENTINEL_CSRF, str(escape(form.csrf_token.current_token)))
    return Markup(html)  # noqa: S704 - our own template's output, values escaped above
