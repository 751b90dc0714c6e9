"""Threads, posts and feeds (issue #3): /t/..., /p/..., /feeds/...."""

from dataclasses import dataclass

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from forum.cache import anon_cacheable
from forum.errors import ForumError, NotFound
from forum.extensions import db
from forum.markup import render_user_text
from forum.models import Post, PostStatus, Thread, utcnow
from forum.tags import services as tag_services
from forum.threads import audience, fragments, lists, services
from forum.threads.forms import ConfirmForm, EditPostForm, ReplyForm, ThreadForm, tag_choices
from forum.threads.history import post_history
from forum.threads.tree import find_node
from forum.urls import external_url, with_query
from forum.validation import PAGE_MAX, parse_int, xml_safe
from forum.visibility import ThreadView, post_view, thread_notice

bp = Blueprint("threads", __name__)

PAGE_MESSAGE = "There is no such page of this thread."
LINK_MESSAGE = "That link to a reply is broken. Open the thread from its first page."


def _viewer():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _login_redirect(target: str):
    flash("Please log in to continue.", "info")
    return redirect(url_for("auth.login", next=target))


# The author of text that matched a crisis phrase sees the crisis panel on the page they
# land on next (issue #4): a one-shot flag in their session, consumed by the thread page.
# Signed-in pages never come from the page cache, so nobody else can be shown it.
CRISIS_PANEL_KEY = "crisis_panel"
# Threads with this tag carry the short support banner (issue #4).
MOOD_TAG = "mood"


def _remember_screening(screening, thread_id: int) -> None:
    if screening is not None and screening.crisis:
        session[CRISIS_PANEL_KEY] = thread_id


def _take_crisis_panel(user, thread) -> bool:
    """Whether to show the crisis panel now (once, to the author who just wrote)."""
    if user is None or session.get(CRISIS_PANEL_KEY) != thread.id:
        return False
    session.pop(CRISIS_PANEL_KEY)
    return True


def _retry_headers(exc: ForumError) -> dict:
    retry_after = getattr(exc, "retry_after", None)
    return {"Retry-After": str(retry_after)} if retry_after is not None else {}


def thread_url(thread, **args) -> str:
    return url_for("threads.show", thread_id=thread.id, slug=thread.slug, **args)


def post_url(post: Post) -> str:
    page, root = services.locate_post(post)
    return thread_url(
        post.thread,
        page=page if page > 1 and root is None else None,
        root=root,
        _anchor=f"p{post.id}",
    )


@dataclass
class _PageOutline:
    """What the page around the tree needs when the tree itself came from the cache."""

    page: int
    pages: int
    root: None = None
    readable_replies: int | None = None  # filled in from the member's footings


def _page_links(thread, tree) -> dict:
    base = thread_url(thread)
    if tree.root is not None:
        page_url = thread_url(thread, root=tree.root.post.id)
        reply_query = f"?root={tree.root.post.id}&"
    else:
        page_url = thread_url(thread, page=tree.page if tree.page > 1 else None)
        reply_query = f"?page={tree.page}&" if tree.page > 1 else "?"
    if request.endpoint != "threads.show":
        # Re-rendered by a POST to another address: relative links would point there.
        reply_query = base + reply_query
    prev_url = next_url = None
    if tree.root is None and tree.page > 1:
        prev_url = thread_url(thread, page=tree.page - 1 if tree.page > 2 else None)
    if tree.root is None and tree.page < tree.pages:
        next_url = thread_url(thread, page=tree.page + 1)
    return {
        "thread_url": base,
        "page_url": page_url,
        "reply_query": reply_query,
        "canonical_url": external_url(page_url),
        "prev_url": prev_url,
        "next_url": next_url,
    }


def _footer_for(context: dict, *, markers: bool = False):
    """The footer of a plain post for this page's reader (or a marker to fill in later)."""

    def footer_for(post, marked, item_id=None):
        if markers:
            return fragments.footer_marker(post.id)
        return fragments.plain_footer(
            post.id,
            post.author_id,
            post.edited_at is not None,
            post.helpful_count,
            marked,
            viewer_id=context["viewer_id"],
            can_write=bool(context["csrf"]),
            locked=context["thread"].locked,
            reply_query=context["reply_query"],
            item_id=item_id,
        )

    return footer_for


def _shared_tree(tree, context: dict) -> fragments.SharedTree:
    """Render the tree once for "a member", a marker in place of each plain footer."""
    generic = {**context, "viewer": None, "viewer_id": None, "csrf": "", "reply_target_id": None}
    html = render_template(
        "threads/_tree_fragment.html", **generic, footer_for=_footer_for(generic, markers=True)
    )
    footers = {
        node.post.id: (node.post.author_id, node.post.edited_at is not None)
        for node in _walk(tree)
        if node.view.is_plain
    }
    opening_id = tree.opening.post.id if tree.opening else None
    return fragments.SharedTree(
        html,
        footers,
        tree.private_authors,
        tree.page,
        tree.pages,
        opening_id,
        readable_replies=tree.readable_replies,
    )


def _render_thread(
    thread,
    user,
    form,
    *,
    page=1,
    root=None,
    reply_to=None,
    preview=None,
    status=200,
    crisis_panel=False,
    headers=None,
):
    refusal = services.write_refusal(user) if user else None
    csrf = generate_csrf() if user and refusal is None else ""
    # A plain page read by a member: the tree may come from the shared render (#6).
    shareable = (
        request.method == "GET" and root is None and not reply_to
    ) and fragments.usable_for(user, thread)
    generation = shared = None
    if shareable:
        generation, shared = fragments.lookup(thread, page)
        if shared is not None and user.id in shared.private_authors:
            shared, shareable = None, False
    tree = (
        _PageOutline(shared.page, shared.pages)
        if shared is not None
        else services.thread_page(thread, user, page=page, root_id=root)
    )
    if tree.root is not None and tree.root.post.parent_id is None:
        return redirect(thread_url(thread))
    target = None
    if reply_to:
        form.parent_id.data = str(reply_to)
        found = tree.opening if tree.opening and tree.opening.post.id == reply_to else None
        found = found or find_node(tree.nodes, reply_to)
        if found is not None and (tree.page == 1 or found is not tree.opening):
            target = found
    form.ensure_nonce()
    opening = tree.opening.post if shared is None and tree.opening else None
    context = {
        "thread": thread,
        "tree": tree,
        "form": form,
        **_page_links(thread, tree),
        "thread_notice": thread_notice(thread, opening, user),
        # The header: "[deleted]" for a deleted opening post's author, and only the replies
        # this reader may read counted.
        "thread_view": ThreadView(thread, replies=tree.readable_replies),
        "viewer": user,  # for moderation/_post_status.html
        "viewer_id": user.id if user else None,
        "crisis_panel": crisis_panel,
        "support_banner": any(tag.slug == MOOD_TAG for tag in thread.tags),
        "csrf": csrf,
        "write_refusal": refusal,
        # A refused POST comes back with its form, so the text typed is never lost.
        "show_reply_form": request.method == "POST"
        or (user is not None and refusal is None and not thread.locked),
        "reply_target": target.post if target else None,
        "reply_target_view": target.view if target else None,
        "reply_target_id": target.post.id if target else None,
        "reply_target_shown": target is not None,
        "preview_html": preview,
    }
    if shareable and shared is None and user.id not in tree.private_authors:
        shared = _shared_tree(tree, context)
        fragments.store(thread, page, generation, shared)
        footings = {
            node.post.id: fragments.Footing(node.post.helpful_count, node.marked)
            for node in _walk(tree)
        }
    elif shared is not None:
        found = fragments.member_footings(thread, user, page, **services.tree_settings())
        footings = found.by_post
        readable = found.readable_replies
        context["thread_view"] = ThreadView(
            thread, replies=shared.readable_replies if readable is None else readable
        )
    if shared is not None:
        tree_html = fragments.fill_footers(
            shared,
            footings,
            viewer_id=user.id,
            can_write=bool(csrf),
            locked=thread.locked,
            reply_query=context["reply_query"],
        )
    else:
        tree_html = Markup(  # noqa: S704 - this app's own template, rendered just now
            render_template(
                "threads/_tree_fragment.html", **context, footer_for=_footer_for(context)
            )
        )
    html = render_template("threads/show.html", **context, tree_html=tree_html)
    return html, status, headers or {}


def _walk(tree):
    nodes = ([tree.opening] if tree.opening else []) + list(tree.nodes)
    while nodes:
        node = nodes.pop()
        yield node
        nodes.extend(node.children)


@bp.route("/t/<id:thread_id>")
@bp.route("/t/<id:thread_id>/<slug>")
@anon_cacheable
def show(thread_id, slug=None):
    user = _viewer()
    try:
        thread = services.get_thread(thread_id, user)
    except NotFound:
        if (page := _teaser_page(thread_id, user)) is None:
            raise
        return page
    if slug is not None and slug != thread.slug:
        # The query is appended, not given to url_for, where "?_method=POST" would be its
        # keyword; arguments named like the path's own are dropped.
        args = [
            (key, value)
            for key, value in request.args.items(multi=True)
            if key not in ("thread_id", "slug")
        ]
        return redirect(with_query(thread_url(thread), args), 301)
    args = request.args
    return _render_thread(
        thread,
        user,
        # No CSRF token for a signed-out reader: making one writes the session, and the page
        # could then never come from the page cache (nobody signed out can post anyway).
        ReplyForm(formdata=None, meta={"csrf": user is not None}),
        page=parse_int(args.get("page"), maximum=PAGE_MAX, message=PAGE_MESSAGE) or 1,
        root=parse_int(args.get("root"), message=LINK_MESSAGE),
        reply_to=parse_int(args.get("reply_to"), message=LINK_MESSAGE),
        crisis_panel=_take_crisis_panel(user, thread),
    )


@bp.route("/t/<id:thread_id>/reply", methods=["POST"])
def reply(thread_id):
    user = _viewer()
    if user is None:
        return _login_redirect(url_for("threads.show", thread_id=thread_id))
    thread = services.get_thread(thread_id, user)
    form = ReplyForm()
    parent_id = form.parent
    page, root = services.locate_reply_target(thread, user, parent_id)
    again = {"page": page, "root": root, "reply_to": parent_id}
    if not form.validate_on_submit():
        return _render_thread(thread, user, form, **again, status=422)
    if form.wants_preview:
        return _render_thread(thread, user, form, **again, preview=render_user_text(form.body.data))
    try:
        post, created = services.reply(
            thread, user, body=form.body.data, parent_id=parent_id, nonce=form.nonce.data
        )
    except ForumError as exc:
        db.session.rollback()
        form.body.errors = [*form.body.errors, str(exc)]
        return _render_thread(
            thread, user, form, **again, status=exc.status, headers=_retry_headers(exc)
        )
    # Read what the answer needs before the commit expires the objects (no reloads).
    target, held, thread_id = post_url(post), post.status == PostStatus.PENDING, thread.id
    db.session.commit()
    if not created:
        flash("That reply was already posted.", "success")
    elif held:
        flash(
            "Your reply is saved and waiting for review: a moderator will look at it soon.",
            "info",
        )
    else:
        flash("Reply posted.", "success")
    _remember_screening(post.screening if created else None, thread_id)
    return redirect(target)


@bp.route("/t/new", methods=["GET", "POST"])
def new():
    user = _viewer()
    if user is None:
        return _login_redirect(request.full_path.rstrip("?"))
    form = ThreadForm()
    tags = tag_services.all_tags()
    form.tags.choices = tag_choices(tags)
    tag_descriptions = {tag.slug: tag.description for tag in tags}
    error, preview, status, headers = None, None, 200, {}
    if request.method == "GET":
        services.check_can_post(user)
        wanted = request.args.get("tag")
        if wanted in tag_descriptions:
            form.tags.data = [wanted]
    elif not form.validate_on_submit():
        status = 422
    elif form.wants_preview:
        preview = render_user_text(form.body.data)
    else:
        try:
            thread, created = services.create_thread(
                user,
                title=form.title.data,
                body=form.body.data,
                tag_slugs=form.tags.data,
                details=services.explicit_experience(
                    form.stage.data,
                    form.treatment_month.data,
                    form.months_since.data,
                    form.daily_dose_mg.data,
                ),
                nonce=form.nonce.data,
                visibility=form.visibility.data,
            )
        except ForumError as exc:
            db.session.rollback()
            error, status, headers = str(exc), exc.status, _retry_headers(exc)
        else:
            target, held, thread_id = (
                thread_url(thread),
                thread.status == PostStatus.PENDING,
                thread.id,
            )
            db.session.commit()
            if not created:
                flash("That thread was already posted.", "success")
            elif held:
                flash(
                    "Your thread is saved and waiting for review: a moderator will look at "
                    "it soon.",
                    "info",
                )
            else:
                flash("Your thread is posted.", "success")
            _remember_screening(thread.screening if created else None, thread_id)
            return redirect(target)
    form.ensure_nonce()
    return (
        render_template(
            "threads/new.html",
            form=form,
            error=error,
            preview_html=preview,
            tag_descriptions=tag_descriptions,
        ),
        status,
        headers,
    )


def _teaser_page(thread_id: int, user):
    """What a signed-out reader gets of a members-only thread (issue #13): never stored
    in the page cache, never indexed."""
    thread = db.session.get(Thread, thread_id)
    if thread is None or not audience.is_teaser_for(thread, user):
        return None
    html = render_template("threads/teaser.html", teaser=audience.teaser(thread))
    return html, 200, audience.TEASER_HEADERS


@bp.route("/p/<id:post_id>")
def permalink(post_id):
    try:
        post = services.get_post(post_id, _viewer())
    except NotFound:
        post = db.session.get(Post, post_id)
        if post is None or not audience.teaser_target(post, _viewer()):
            raise
        return redirect(thread_url(post.thread))
    return redirect(post_url(post))


def _own_post(post_id):
    """The post in the URL, for its author; others get the error page that says why."""
    user = _viewer()
    post = services.get_post(post_id, user)
    services.check_author(post, user)
    return user, post


@bp.route("/p/<id:post_id>/edit", methods=["GET", "POST"])
def edit(post_id):
    if not current_user.is_authenticated:
        return _login_redirect(request.path)
    user, post = _own_post(post_id)
    is_opening = post.parent_id is None
    form = EditPostForm(
        data={"title": post.thread.title, "body": post.body, "visibility": post.thread.visibility}
    )
    if not is_opening:
        del form.title, form.visibility, form.confirm_public
    error, preview, status = None, None, 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 422
        elif form.wants_preview:
            preview = render_user_text(form.body.data)
        else:
            try:
                changed = services.edit_post(
                    post,
                    user,
                    body=form.body.data,
                    title=form.title.data if is_opening else None,
                )
                if is_opening:
                    changed |= audience.set_audience(
                        post.thread, form.visibility.data, confirmed=form.confirm_public.data
                    )
            except ForumError as exc:
                db.session.rollback()
                error, status = str(exc), exc.status
            else:
                db.session.commit()
                if not changed:
                    flash("Nothing changed.", "success")
                elif post.status == PostStatus.PENDING:
                    flash(
                        "Your changes are saved and waiting for review: a moderator will "
                        "look at them soon.",
                        "info",
                    )
                else:
                    flash("Your changes are saved.", "success")
                _remember_screening(post.screening if changed else None, post.thread_id)
                return redirect(post_url(post))
    return render_template(
        "threads/edit.html",
        form=form,
        post=post,
        error=error,
        preview_html=preview,
        replies_for_members=audience.replies_for_members(post.thread) if is_opening else 0,
    ), status


@bp.route("/p/<id:post_id>/delete", methods=["GET", "POST"])
def delete(post_id):
    if not current_user.is_authenticated:
        return _login_redirect(request.path)
    user, post = _own_post(post_id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        services.delete_post(post, user)
        db.session.commit()
        flash("Your post is deleted.", "success")
        return redirect(post_url(post))
    return render_template("threads/delete.html", form=form, post=post)


@bp.route("/p/<id:post_id>/history")
def history(post_id):
    user = _viewer()
    post = services.get_post(post_id, user)
    return render_template(
        "threads/history.html",
        post=post,
        view=post_view(post, user),
        history=post_history(post, user),
        post_url=post_url(post),
    )


@bp.route("/p/<id:post_id>/helpful", methods=["POST"])
def helpful(post_id):
    user = _viewer()
    if user is None:
        return _login_redirect(url_for("threads.permalink", post_id=post_id))
    post = services.get_post(post_id, user)
    form = ConfirmForm()
    if not form.validate_on_submit():
        raise ForumError("The form expired; reload the page and try again.")
    marked = services.toggle_helpful(post, user)
    db.session.commit()
    flash("Marked as helpful." if marked else "Your helpful mark is taken back.", "success")
    return redirect(post_url(post))


# --- Feeds --------------------------------------------------------------------------------


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
