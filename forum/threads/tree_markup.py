"""The reply tree's markup, written in Python for the common post (issue #17).

A page holds up to thousands of posts, and nearly all of them are plain: shown to everyone
as written, with no label and no photos. Written out by the template, each cost a dozen
macro and filter calls, more than the markup itself and the largest part of a page a
reader opens cold (a crawler, a link from elsewhere). Here a plain post is a few string
formats; every other post (a placeholder, a notice, a label, photos) is rendered by the
template's own ``post_article`` macro, so there is one home for each kind of post. The
template (``templates/threads/_tree.html``) calls ``tree_nodes`` and the output is the
same, byte for byte, as the template's own loop gave.
"""

from flask import url_for
from jinja2 import pass_context
from markupsafe import Markup, escape

from forum.models import Role
from forum.templating import isodate, replies, timeago


def user_link(user, css_class: str) -> str:
    """``macros/user.html``'s ``user_link``: the name linked to the profile, staff with
    their role beside it."""
    name = escape(user.username)
    role = "" if user.role == Role.MEMBER else f' <span class="role">{escape(user.role)}</span>'
    return f'<a class="{css_class}" href="/u/{name}">{name}</a>{role}'


@pass_context
def tree_nodes(context, nodes, post_article, reply_form=None) -> Markup:
    """The ``<li>`` of each node and, nested below, its replies.

    ``post_article(node)`` is the template's markup of a post that is not plain (or that
    carries a label or photos); ``reply_form()`` the reply form, placed under the post the
    page's ``reply_target_id`` names.
    """
    paths = context["paths"]
    footer_for = context["footer_for"]
    journal_shown = context.get("journal_shown")
    thread_href = escape(context["thread_url"])
    target_id = context.get("reply_target_id")
    parts: list[str] = []

    def write(nodes) -> None:
        for node in nodes:
            post, view = node.post, node.view
            post_id = post.id
            parts.append(f'<li class="node" id="p{post_id}"><article class="post">')
            if view.is_plain and not post.label and not node.photos:
                author = post.author
                journal = ""
                if journal_shown is not None and journal_shown(author):
                    href = escape(url_for("journals.member", username=author.username))
                    journal = f' <a class="journal-link small" href="{href}">journal</a>'
                badge = post.badge
                parts.append(
                    f'<header class="post-meta">{user_link(author, "author")}{journal}'
                    + (f' <span class="badge">{escape(badge)}</span>' if badge else "")
                    + f' <a class="when" href="{paths.permalink(post_id)}">'
                    f'<time datetime="{escape(isodate(post.created_at))}">'
                    f"{escape(timeago(post.created_at))}</time></a>"
                    + (' <span class="edited">edited</span>' if post.edited_at else "")
                    + '</header><div class="post-body">'
                )
                # Sanitised when it was written (forum/markup.py), as the template's |safe.
                parts.append(post.body_html)
                parts.append("</div>")
                parts.append(footer_for(post, view, node.marked, node.item_id))
            else:
                parts.append(post_article(node))
            parts.append("</article>")
            if reply_form is not None and target_id == post_id:
                parts.append(reply_form())
            if node.children:
                parts.append(
                    '<details class="replies" open><summary>'
                    f'{escape(replies(len(node.children)))}</summary><ol class="tree">'
                )
                write(node.children)
                parts.append("</ol></details>")
            if node.more:
                parts.append(
                    f'<p class="continue"><a href="{thread_href}?root={post_id}#p{post_id}">'
                    "Continue this thread</a></p>"
                )
            parts.append("</li>\n")

    write(nodes)
    # Fixed markup, escaped values, sanitised bodies and the template's own macros.
    return Markup("".join(parts))  # noqa: S704
