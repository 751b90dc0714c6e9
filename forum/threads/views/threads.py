"""A thread page, replying to it, and starting a thread (issue #3)."""

from flask import flash, redirect, render_template, request, url_for

from forum.cache import anon_cacheable
from forum.errors import ForumError, NotFound
from forum.extensions import db
from forum.markup import render_user_text
from forum.models import PostStatus, Thread
from forum.photos import uploads
from forum.tags import services as tag_services
from forum.threads import audience, services
from forum.threads.forms import ReplyForm, ThreadForm, tag_choices
from forum.threads.links import post_url, thread_url
from forum.threads.member_page import shared_thread_page
from forum.threads.page import Moved, build_thread_page
from forum.threads.ranking import parse_sort
from forum.threads.views import bp
from forum.threads.views.support import (
    current_viewer,
    login_redirect,
    remember_screening,
    retry_headers,
    take_crisis_panel,
)
from forum.urls import with_query
from forum.validation import PAGE_MAX, parse_int

PAGE_MESSAGE = "There is no such page of this thread."
LINK_MESSAGE = "That link to a reply is broken. Open the thread from its first page."


def _thread_page(thread, user, form, *, status=200, headers=None, **options):
    try:
        page = build_thread_page(thread, user, form, answering=request.method == "POST", **options)
    except Moved as moved:
        return redirect(moved.url)
    return page.render(), status, headers or {}


@bp.route("/t/<id:thread_id>")
@bp.route("/t/<id:thread_id>/<slug>")
@shared_thread_page
@anon_cacheable
def show(thread_id, slug=None):
    user = current_viewer()
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
    return _thread_page(
        thread,
        user,
        # No CSRF token for a signed-out reader: making one writes the session, and the page
        # could then never come from the page cache (nobody signed out can post anyway).
        ReplyForm(formdata=None, meta={"csrf": user is not None}),
        page=parse_int(args.get("page"), maximum=PAGE_MAX, message=PAGE_MESSAGE) or 1,
        root=parse_int(args.get("root"), message=LINK_MESSAGE),
        reply_to=parse_int(args.get("reply_to"), message=LINK_MESSAGE),
        crisis_panel=take_crisis_panel(user, thread),
        sort=parse_sort(args.get("sort")),
    )


def _teaser_page(thread_id: int, user):
    """What a signed-out reader gets of a members-only thread (issue #13): never stored
    in the page cache, never indexed."""
    thread = db.session.get(Thread, thread_id)
    if thread is None or not audience.is_teaser_for(thread, user):
        return None
    html = render_template("threads/teaser.html", teaser=audience.teaser(thread))
    return html, 200, audience.TEASER_HEADERS


@bp.route("/t/<id:thread_id>/reply", methods=["POST"])
def reply(thread_id):
    user = current_viewer()
    if user is None:
        return login_redirect(url_for("threads.show", thread_id=thread_id))
    thread = services.get_thread(thread_id, user)
    form = ReplyForm()
    parent_id = form.parent
    page, root = services.locate_reply_target(thread, user, parent_id)
    again = {"page": page, "root": root, "reply_to": parent_id}
    if not form.validate_on_submit():
        return _thread_page(thread, user, form, **again, status=422)
    if form.wants_preview:
        return _thread_page(thread, user, form, **again, preview=render_user_text(form.body.data))
    try:
        photos = uploads.prepare(form)  # every photo checked before anything is written
        post, created = services.reply(
            thread, user, body=form.body.data, parent_id=parent_id, nonce=form.nonce.data
        )
        if created and photos:
            uploads.attach(form, user, photos, post=post)
    except ForumError as exc:
        db.session.rollback()
        if not uploads.show_error(form, exc):
            form.body.errors = [*form.body.errors, str(exc)]
        return _thread_page(
            thread, user, form, **again, status=exc.status, headers=retry_headers(exc)
        )
    # Read what the answer needs before the commit expires the objects (no reloads).
    target, held, thread_id = post_url(post), post.status == PostStatus.PENDING, thread.id
    db.session.commit()
    # A held reply is told by its own notice on the page it lands on (issue #11).
    if not created:
        flash("That reply was already posted.", "success")
    elif not held:
        flash("Reply posted.", "success")
    remember_screening(post.screening if created else None, thread_id)
    return redirect(target)


@bp.route("/t/new", methods=["GET", "POST"])
def new():
    user = current_viewer()
    if user is None:
        return login_redirect(request.full_path.rstrip("?"))
    form = ThreadForm()
    tags = tag_services.all_tags()
    form.tags.choices = tag_choices(tags)
    tag_descriptions = {tag.slug: tag.description for tag in tags}
    error, preview, status, headers = None, None, 200, {}
    if request.method == "GET":
        refusal = services.posting_refusal(user)
        if refusal is not None:
            return render_template("threads/cannot_post.html", refusal=refusal), 403
        wanted = request.args.get("tag")
        if wanted in tag_descriptions:
            form.tags.data = [wanted]
    elif not form.validate_on_submit():
        status = 422
    elif form.wants_preview:
        preview = render_user_text(form.body.data)
    else:
        try:
            photos = uploads.prepare(form)
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
            if created and photos:
                uploads.attach(form, user, photos, post=services.opening_post(thread))
        except ForumError as exc:
            db.session.rollback()
            if not uploads.show_error(form, exc):
                error = str(exc)
            status, headers = exc.status, retry_headers(exc)
        else:
            target, held, thread_id = (
                thread_url(thread),
                thread.status == PostStatus.PENDING,
                thread.id,
            )
            db.session.commit()
            # A held thread is told by its opening post's notice, once (issue #11).
            if not created:
                flash("That thread was already posted.", "success")
            elif not held:
                flash("Your thread is posted.", "success")
            remember_screening(thread.screening if created else None, thread_id)
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
