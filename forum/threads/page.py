"""A thread page, assembled in one place (issue #10).

``build_thread_page`` gathers what ``templates/threads/show.html`` shows: the tree (from the
members' shared render when it may, see ``fragments.py``), the links around it, the reply
form's target and the notices. Every name the templates read is a field of ``ThreadPage``;
something new on the page is a field there and a line in the builder.
"""

from dataclasses import dataclass, fields
from typing import Any

from flask import render_template
from markupsafe import Markup

from forum.cookie_sessions import csrf_token
from forum.guide.aside import ArticleLink, articles_for_tags
from forum.models import Thread, User
from forum.notifications.watching import watch_context
from forum.threads import footers, fragments, member_page, services
from forum.threads.audience import SOME_MEMBER
from forum.threads.links import thread_url
from forum.threads.ranking import SORT_OLDEST
from forum.threads.reply_form import reply_form_html
from forum.threads.tree import Node, TreePage, find_node
from forum.urls import external_url
from forum.visibility import ANONYMOUS, ThreadView, Viewer, thread_notice
from forum.visibility.journals import can_see_journal

# Threads with this tag carry the short support banner (issue #4).
MOOD_TAG = "mood"


class Moved(Exception):
    """The page asked for lives at another address (``url``)."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


@dataclass
class ThreadPage:
    """What the thread page's templates read, each under its field's name."""

    thread: Thread
    tree: TreePage | fragments.PageOutline
    form: Any  # the reply form (forum.threads.forms.ReplyForm)
    viewer: User | None
    viewer_id: int | None
    # Links: the thread, this page of it, the pages either side, the start of "Reply" links.
    thread_url: str
    page_url: str
    canonical_url: str
    prev_url: str | None
    next_url: str | None
    reply_query: str
    # The paths of every post's own links (footers.Paths), built once per process.
    paths: footers.Paths
    # The header: "[deleted]" for a deleted opening post's author, and only the replies this
    # reader may read counted.
    thread_view: ThreadView | None
    thread_notice: str | None
    crisis_panel: bool
    support_banner: bool
    # The reply form: who may write, and which post it answers.
    csrf: str
    write_refusal: str | None
    show_reply_form: bool
    reply_target: Any
    reply_target_view: Any
    reply_target_id: int | None
    reply_target_shown: bool
    preview_html: str | None
    # The guide's articles on the thread's topics, beside the replies (issue #11).
    guide_articles: list[ArticleLink]
    tree_html: Markup | None = None
    # The member's own state (issue #12): whether they watch the thread (None: signed out)
    # and the posts on the page they bookmarked, from the page's own queries.
    watching: bool | None = None
    bookmarked: frozenset[int] = frozenset()
    # The plain reply box, from the process's one render of it (None: the template renders).
    reply_form_html: Markup | None = None
    # Rendered for every member (forum/threads/member_page.py): the header's reply count
    # and the Watch button are left as markers.
    member_markers: bool = False

    def context(self) -> dict:
        return {field.name: getattr(self, field.name) for field in fields(self)}

    def render(self) -> str:
        return render_template("threads/show.html", **self.context())


def build_thread_page(
    thread: Thread,
    viewer: User | None,
    form,
    *,
    page: int = 1,
    root: int | None = None,
    reply_to: int | None = None,
    preview: str | None = None,
    crisis_panel: bool = False,
    answering: bool = False,
    sort: str = SORT_OLDEST,
) -> ThreadPage:
    """The page of ``thread`` that ``viewer`` asked for: page ``page``, or the subtree under
    ``root``, with the reply form answering ``reply_to``. ``answering``: the page comes
    back from a reply that was sent (refused, or a preview) rather than from a link.
    ``sort``: the replies oldest or most helpful first (issue #11).

    Raises NotFound (no such page or reply), Moved (a subtree rooted at the opening post).
    """
    refusal = services.write_refusal(viewer) if viewer else None
    csrf = csrf_token() if viewer and refusal is None else ""
    # A plain page read by a member: the tree may come from the shared render (#6).
    if answering or root is not None or reply_to:
        cached = fragments.NOT_SHARED
    else:
        cached = fragments.find(thread, viewer, page, sort)
    if cached.hit:
        tree = cached.outline()
    else:
        tree = services.thread_page(thread, viewer, page=page, root_id=root, sort=sort)
    if tree.root is not None and tree.root.post.parent_id is None:
        raise Moved(thread_url(thread))
    target = _reply_target(tree, reply_to)
    if reply_to:
        form.parent_id.data = str(reply_to)
    form.ensure_nonce()
    links = _links(thread, tree, answering=answering)
    built = ThreadPage(
        thread=thread,
        tree=tree,
        form=form,
        viewer=viewer,
        viewer_id=viewer.id if viewer else None,
        **links,
        paths=footers.paths(),
        thread_view=None,
        thread_notice=thread_notice(thread, tree.opening.post if tree.opening else None, viewer),
        crisis_panel=crisis_panel,
        support_banner=any(tag.slug == MOOD_TAG for tag in thread.tags),
        csrf=csrf,
        write_refusal=refusal,
        # A refused reply comes back with its form, so the text typed is never lost.
        show_reply_form=answering or (viewer is not None and refusal is None and not thread.locked),
        reply_target=target.post if target else None,
        reply_target_view=target.view if target else None,
        reply_target_id=target.post.id if target else None,
        reply_target_shown=target is not None,
        preview_html=preview,
        guide_articles=articles_for_tags(tag.id for tag in thread.tags),
        **watch_context(tree),
    )
    reader = footers.Reader(
        built.viewer_id,
        bool(csrf),
        thread.locked,
        built.reply_query,
        built.paths,
        staff=Viewer.of(viewer).is_staff,
        bookmarked=built.bookmarked,
    )

    def render(footer_for, *, for_anyone: bool) -> str:
        context = built.context()
        # Posts link a journal their author shares, as any reader of this kind would see it
        # (never as its owner: the shared render must match every member's own).
        audience = SOME_MEMBER if for_anyone or Viewer.of(viewer).is_signed_in else ANONYMOUS
        context["journal_shown"] = lambda author: can_see_journal(
            author.journal, audience, user_id=author.id
        )
        if for_anyone:
            # The shared render is for "a member": nothing of this reader's goes in it.
            context.update(
                viewer=None,
                viewer_id=None,
                csrf="",
                reply_target_id=None,
                watching=None,
                bookmarked=frozenset(),
            )
        return render_template("threads/_tree_fragment.html", **context, footer_for=footer_for)

    plan = member_page.planned()
    for_members = plan is not None and cached.usable
    rendered = fragments.tree_html(
        cached,
        thread,
        viewer,
        tree,
        reader,
        render,
        markers=for_members,
        found=plan.found if plan is not None else None,
    )
    built.tree_html = rendered.html
    if rendered.watching is not None:  # a hit: it came with the member's footers
        built.watching = rendered.watching
    built.thread_view = ThreadView(thread, replies=rendered.readable_replies)
    if rendered.shared is not None:  # the tree is the members' one: so is the page
        built.member_markers = True
        form.nonce.data = member_page.NONCE_STAND_IN
        member_page.built(
            member_page.Built(
                rendered.shared,
                rendered.footings,
                built.thread_view.reply_count,
                bool(built.watching),
                thread.locked,
                built.reply_query,
            )
        )
    built.reply_form_html = reply_form_html(form, built.context())
    return built


def _reply_target(tree, reply_to: int | None) -> Node | None:
    """The node the reply form sits under, when it is on this page."""
    if not reply_to:
        return None
    opening = tree.opening if tree.opening and tree.opening.post.id == reply_to else None
    found = opening or find_node(tree.nodes, reply_to)
    if found is not None and (tree.page == 1 or found is not tree.opening):
        return found
    return None


def _links(thread: Thread, tree, *, answering: bool) -> dict:
    base = thread_url(thread)
    sort = tree.sort if tree.sort != SORT_OLDEST else None
    if tree.root is not None:
        page_url = thread_url(thread, root=tree.root.post.id, sort=sort)
        reply_query = f"?root={tree.root.post.id}&"
    else:
        page_url = thread_url(thread, page=tree.page if tree.page > 1 else None, sort=sort)
        reply_query = f"?page={tree.page}&" if tree.page > 1 else "?"
    if sort:
        reply_query += f"sort={sort}&"
    if answering:
        # Re-rendered by a POST to another address: relative links would point there.
        reply_query = base + reply_query
    prev_url = next_url = None
    if tree.root is None and tree.page > 1:
        prev_url = thread_url(thread, page=tree.page - 1 if tree.page > 2 else None, sort=sort)
    if tree.root is None and tree.page < tree.pages:
        next_url = thread_url(thread, page=tree.page + 1, sort=sort)
    return {
        "thread_url": base,
        "page_url": page_url,
        "reply_query": reply_query,
        # One address for search engines whatever the order: the thread as written.
        "canonical_url": external_url(base if sort else page_url),
        "prev_url": prev_url,
        "next_url": next_url,
    }
