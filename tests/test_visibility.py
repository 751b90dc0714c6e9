"""One rule for who sees what (issues #9 and #10): the Python predicates of forum.visibility
against their SQL clauses on every combination, and every page that lists posts against the
predicates."""

import itertools
import re

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.guide import services as guide_services
from forum.models import Audience, Post, PostStatus, ReviewItem, Role, Thread, User
from forum.moderation import services as moderation
from forum.search import backend as search
from forum.threads import services
from forum.threads.audience import is_teaser_for
from forum.visibility import (
    ANONYMOUS,
    Viewer,
    can_see_post,
    can_see_thread,
    is_public_post,
    is_public_thread,
    public_posts,
    public_threads,
    threads_visible_to,
    visible_to,
)
from tests.conftest import login
from tests.factories import make_post, make_thread, make_user

STATUSES = [PostStatus.VISIBLE, PostStatus.PENDING, PostStatus.HIDDEN, PostStatus.REMOVED]


@pytest.fixture(autouse=True)
def shipped(shipped_tags):
    guide_services.load_shipped_guide()
    db.session.commit()


def text(response) -> str:
    return response.get_data(as_text=True)


def fresh(model, ids):
    """Objects loaded anew, so no fact a query left on them is reused."""
    db.session.expunge_all()
    return list(db.session.scalars(select(model).where(model.id.in_(ids))))


def build_world():
    """A thread per (thread status, audience), each with a reply per (status, deleted);
    and, for each of those, a thread whose opening post was deleted, with and without a
    readable reply. Thread authors and reply authors are different members."""
    starter, replier = make_user("starter"), make_user("replier")
    threads = []
    n = itertools.count(1)
    for thread_status, audience, opening_deleted, with_reply in itertools.product(
        STATUSES, list(Audience), [False, True], [False, True]
    ):
        if not opening_deleted and not with_reply:
            continue
        k = next(n)
        thread = make_thread(
            starter, title=f"Story number {k}", body=f"openingword{k}", treatment_month=3
        )
        if opening_deleted:
            replies = [make_post(thread, replier, body=f"replyword{k}x0")] if with_reply else []
        else:
            replies = []
            for m, (status, deleted) in enumerate(itertools.product(STATUSES, [False, True])):
                reply = make_post(thread, replier, body=f"replyword{k}x{m}")
                if deleted:
                    services.delete_post(reply, replier)
                reply.status = status
                replies.append(reply)
        if opening_deleted:
            services.delete_post(services.opening_post(thread), starter)
        opening = services.opening_post(thread)
        opening.status = thread.status = thread_status
        thread.visibility = audience
        db.session.flush()
        search.refresh_thread(thread)
        threads.append(thread)
    db.session.commit()
    return starter, replier, threads


def viewers(starter, replier):
    return {
        "anonymous": None,
        "member": make_user("bystander"),
        "thread author": starter,
        "reply author": replier,
        "moderator": make_user("warden", role=Role.MODERATOR),
    }


def test_predicates_and_sql_agree_on_every_combination(app):
    starter, replier, threads = build_world()
    people = viewers(starter, replier)
    db.session.commit()
    thread_ids = [thread.id for thread in threads]
    post_ids = list(db.session.scalars(select(Post.id).where(Post.thread_id.in_(thread_ids))))
    assert len(post_ids) == 2 * (4 * 9 + 4 * 2 + 4)  # every combination is there
    kinds = {name: Viewer.of(user) for name, user in people.items()}
    for name, viewer in kinds.items():
        sql_threads = set(db.session.scalars(select(Thread.id).where(threads_visible_to(viewer))))
        sql_posts = set(
            db.session.scalars(
                select(Post.id).join(Thread, Thread.id == Post.thread_id).where(visible_to(viewer))
            )
        )
        py_threads = {t.id for t in fresh(Thread, thread_ids) if can_see_thread(t, viewer)}
        py_posts = {p.id for p in fresh(Post, post_ids) if can_see_post(p, viewer)}
        assert sql_threads == py_threads, name
        assert sql_posts == py_posts, name
    public_sql = set(db.session.scalars(select(Thread.id).where(public_threads())))
    assert public_sql == {t.id for t in fresh(Thread, thread_ids) if is_public_thread(t)}
    public_post_sql = set(
        db.session.scalars(
            select(Post.id).join(Thread, Thread.id == Post.thread_id).where(public_posts())
        )
    )
    assert public_post_sql == {p.id for p in fresh(Post, post_ids) if is_public_post(p)}
    assert public_post_sql == set(
        db.session.scalars(
            select(Post.id).join(Thread, Thread.id == Post.thread_id).where(visible_to(ANONYMOUS))
        )
    )
    # Spelled out: staff see every thread; a thread left with nothing a member can read is
    # gone even for its author; signed-out readers see no members-only thread at all.
    everything = set(thread_ids)
    assert (
        set(db.session.scalars(select(Thread.id).where(threads_visible_to(kinds["moderator"]))))
        == everything
    )
    lonely = [
        t
        for t in fresh(Thread, thread_ids)
        if services.opening_post(t).deleted_at is not None
        and not any(can_see_post(p, kinds["member"]) for p in t_replies(t))
    ]
    assert lonely and not any(can_see_thread(t, kinds["thread author"]) for t in lonely)
    members_only = [t for t in fresh(Thread, thread_ids) if t.visibility == Audience.MEMBERS]
    assert not any(can_see_thread(t, ANONYMOUS) for t in members_only)
    assert any(can_see_thread(t, kinds["member"]) for t in members_only)


def t_replies(thread):
    return db.session.scalars(
        select(Post).where(Post.thread_id == thread.id, Post.parent_id.is_not(None))
    ).all()


def results(html: str) -> str:
    """The search results of a search page (the query box repeats what was typed)."""
    return html.split('class="plain-list search-results"', 1)[1] if "search-results" in html else ""


def titles(html: str) -> set[str]:
    return set(re.findall(r"Story number \d+", html))


def reply_words(html: str) -> set[str]:
    return set(re.findall(r"replyword\d+x\d+", html))


def test_every_page_that_lists_posts_shows_what_the_predicates_allow(app, client):
    starter, replier, threads = build_world()
    people = viewers(starter, replier)
    db.session.commit()
    kinds = {name: Viewer.of(user) for name, user in people.items()}
    starter_name, replier_name, replier_id = starter.username, replier.username, replier.id
    thread_ids = [thread.id for thread in threads]
    public = {t.title for t in fresh(Thread, thread_ids) if is_public_thread(t)}
    assert public and public != {t.title for t in fresh(Thread, thread_ids)}

    for path in ("/", "/tags/dryness", "/feeds/latest.atom", "/feeds/tags/dryness.atom"):
        assert titles(text(client.get(path))) == public, path
    guide = text(client.get("/guide/managing-dryness"))
    assert titles(guide) == public
    for thread in fresh(Thread, thread_ids):
        k = thread.title.split()[-1]
        hits = titles(results(text(client.get(f"/search?q=openingword{k}"))))
        assert hits == ({thread.title} if is_public_post(services.opening_post(thread)) else set())

    # The profile: other readers see public threads whose opening post is still there.
    profile = text(client.get(f"/u/{starter_name}"))
    expected = {
        t.title
        for t in fresh(Thread, thread_ids)
        if is_public_thread(t) and services.opening_post(t).deleted_at is None
    }
    assert titles(profile) == expected
    replies_profile = text(client.get(f"/u/{replier_name}"))
    expected_replies = {
        p.body
        for p in fresh(Post, list(db.session.scalars(select(Post.id))))
        if p.author_id == replier_id and is_public_post(p)
    }
    assert reply_words(replies_profile) == expected_replies

    # The thread page, for each kind of viewer.
    for name, viewer in kinds.items():
        reader = app.test_client()
        if viewer.is_signed_in:
            login(reader, db.session.get(User, viewer.id))
        for thread in fresh(Thread, thread_ids):
            response = reader.get(f"/t/{thread.id}")
            if not can_see_thread(thread, viewer):
                if not is_teaser_for(thread, viewer):
                    assert response.status_code == 404, (name, thread.title)
                    continue
                # A members-only thread: its teaser, with no author and no reply.
                teaser = text(response)
                assert response.status_code == 200, (name, thread.title)
                assert reply_words(teaser) == set(), (name, thread.title)
                assert starter_name not in teaser and 'content="noindex"' in teaser
                continue
            assert response.status_code == 200, (name, thread.title)
            posts = db.session.scalars(select(Post).where(Post.thread_id == thread.id)).all()
            allowed = {p.body for p in posts if p.parent_id and can_see_post(p, viewer)}
            assert reply_words(text(response)) == allowed, (name, thread.title)


def test_search_shows_every_public_reply_and_nothing_else(app, client):
    starter, replier, threads = build_world()
    db.session.commit()
    public = {
        p.body
        for p in fresh(Post, list(db.session.scalars(select(Post.id))))
        if p.parent_id and is_public_post(p)
    }
    assert public
    for body in public | {f"replyword{k}x{m}" for k in range(1, 27) for m in range(8)}:
        hits = reply_words(results(text(client.get(f"/search?q={body}"))))
        assert hits == ({body} if body in public else set()), body


# --- Wording -------------------------------------------------------------------------------


def report_three_times(app, post):
    """Three members report the post through the report form (CSRF is off in tests)."""
    for n in range(3):
        reporter = login(app.test_client(), make_user(f"worried{n}"))
        response = reporter.post(f"/p/{post.id}/report", data={"reason": "spam"})
        assert response.status_code == 302


def test_a_post_hidden_by_reports_says_it_waits_for_a_moderator(app, client):
    thread = make_thread(title="Eye drops thread")
    reply = make_post(thread, make_user("helper"), body="Use eye drops every hour.")
    db.session.commit()
    report_three_times(app, reply)
    html = text(client.get(f"/t/{thread.id}"))
    assert "Use eye drops every hour." not in html
    assert "[hidden after reports, waiting for a moderator]" in html
    assert "[hidden by a moderator]" not in html
    author_page = text(login(app.test_client(), reply.author).get(f"/t/{thread.id}"))
    assert "Hidden after reports, waiting for a moderator." in author_page

    reply = db.session.get(Post, reply.id)
    item = db.session.scalar(
        select(ReviewItem).where(ReviewItem.post_id == reply.id, ReviewItem.status == "pending")
    )
    moderation.act_on_item(item, make_user(role=Role.MODERATOR), "hide", "Unsafe advice.")
    db.session.commit()
    html = text(client.get(f"/t/{thread.id}"))
    assert "[hidden by a moderator]" in html
    assert "[hidden after reports" not in html


def test_the_thread_header_counts_the_replies_its_reader_can_read(app, client):
    starter, replier = make_user("starter"), make_user("replier")
    thread = make_thread(starter, title="Counting replies")
    make_post(thread, make_user(), body="Visible one.")
    make_post(thread, make_user(), body="Visible two.")
    make_post(thread, replier, body="Hidden one.", status=PostStatus.HIDDEN)
    make_post(thread, make_user(), body="Held one.", status=PostStatus.PENDING)
    gone = make_post(thread, make_user(), body="Deleted one.")
    services.delete_post(gone, gone.author)
    db.session.commit()
    assert db.session.get(Thread, thread.id).reply_count == 5

    def header(reader):
        html = text(reader.get(f"/t/{thread.id}"))
        return re.search(r"· (\d+) repl(?:y|ies)", html).group(1)

    assert header(client) == "2"
    assert header(login(app.test_client(), make_user("reader"))) == "2"
    assert header(login(app.test_client(), replier)) == "3"  # and their own hidden reply
    assert header(login(app.test_client(), make_user(role=Role.MODERATOR))) == "4"


# --- Deleted opening posts (issue #9) ------------------------------------------------------


@pytest.fixture
def orphaned(app):
    """A thread whose author deleted the opening post after someone answered it."""
    author = make_user("vanishing")
    thread = make_thread(
        author, title="Lips peeling month three", body="secret opening", treatment_month=3
    )
    make_post(thread, make_user("answerer"), body="Lanolin helped me a lot.")
    services.delete_post(services.opening_post(thread), author)
    db.session.commit()
    return author, thread


def assert_anonymous(html: str, author) -> None:
    assert author.username not in html
    assert "Month 3" not in html
    assert "secret opening" not in html


@pytest.mark.parametrize(
    "path",
    ["/t/{id}", "/", "/tags/dryness", "/feeds/latest.atom", "/feeds/tags/dryness.atom"],
)
def test_a_deleted_opening_post_leaves_no_author_or_badge(client, orphaned, path):
    author, thread = orphaned
    html = text(client.get(path.format(id=thread.id)))
    assert "Lips peeling month three" in html  # a readable reply keeps the title
    assert "[deleted]" in html
    assert_anonymous(html, author)


def test_a_deleted_opening_post_leaves_no_author_in_the_guide_or_search(client, orphaned):
    author, thread = orphaned
    guide = text(client.get("/guide/managing-dryness"))
    assert "Lips peeling month three" in guide and "by [deleted]" in guide
    assert_anonymous(guide, author)
    hits = text(client.get("/search?q=lanolin"))
    assert "Lips peeling month three" in hits
    assert_anonymous(hits, author)
    assert "Lips peeling" not in text(client.get("/search?q=secret"))


def test_a_deleted_opening_post_is_not_traced_to_its_author(app, client, orphaned):
    author, thread = orphaned
    assert "Lips peeling month three" not in text(client.get(f"/u/{author.username}"))
    own = text(login(app.test_client(), author).get(f"/u/{author.username}"))
    assert "Lips peeling month three" in own and "by [deleted]" in own


def test_a_thread_left_with_nothing_readable_is_gone(app, client):
    author = make_user("vanishing")
    thread = make_thread(author, title="Nobody answered this one", treatment_month=3)
    services.delete_post(services.opening_post(thread), author)
    db.session.commit()
    for path in ("/", "/tags/dryness", "/feeds/latest.atom", "/feeds/tags/dryness.atom"):
        assert "Nobody answered" not in text(client.get(path)), path
    assert "Nobody answered" not in text(client.get("/guide/managing-dryness"))
    assert "Nobody answered" not in text(client.get("/search?q=nobody"))
    assert client.get(f"/t/{thread.id}").status_code == 404
    assert login(app.test_client(), author).get(f"/t/{thread.id}").status_code == 404
    staff = login(app.test_client(), make_user(role=Role.MODERATOR))
    page = text(staff.get(f"/t/{thread.id}"))
    assert "Nobody answered" in page and "readers don&#39;t see this thread" in page


# --- Treatment journals (issue #14) --------------------------------------------------------


def test_journal_predicates_and_sql_agree_on_every_combination(app):
    from datetime import date

    from forum.journals import services as journals
    from forum.models import Journal, JournalEntry
    from forum.visibility.journals import (
        can_see_journal,
        can_see_journal_entry,
        journal_entries_visible_to,
        journals_visible_to,
    )

    owners = []
    for n, visibility in enumerate([None, "private", "members", "everyone"]):
        owner = make_user(f"keeper{n}")
        for private in (False, True):
            journals.save_entry(
                owner, day=date(2025, 1, 1 + private), skin=3, mood=3, levels={}, private=private
            )
        if visibility is None:
            db.session.execute(Journal.__table__.delete().where(Journal.user_id == owner.id))
        else:
            journals.update_settings(owner, visibility=visibility, contribute=False)
        owners.append(owner)
    people = {"anonymous": None, "member": make_user("bystander"), "owner": owners[2]}
    people["moderator"] = make_user("warden", role=Role.MODERATOR)
    db.session.commit()
    for name, user in people.items():
        viewer = Viewer.of(user)
        rows = db.session.execute(
            select(JournalEntry, Journal).outerjoin(
                Journal, Journal.user_id == JournalEntry.user_id
            )
        ).all()
        py_entries = {e.id for e, j in rows if can_see_journal_entry(e, j, viewer)}
        sql_entries = set(
            db.session.scalars(
                select(JournalEntry.id)
                .outerjoin(Journal, Journal.user_id == JournalEntry.user_id)
                .where(journal_entries_visible_to(viewer))
            )
        )
        assert py_entries == sql_entries, name
        journals_rows = db.session.scalars(select(Journal)).all()
        py_journals = {j.id for j in journals_rows if can_see_journal(j, viewer, user_id=j.user_id)}
        sql_journals = set(
            db.session.scalars(select(Journal.id).where(journals_visible_to(viewer)))
        )
        assert py_journals == sql_journals, name
    # Spelled out: a private journal is its owner's alone, staff included.
    staff = Viewer.of(people["moderator"])
    assert not can_see_journal(None, staff, user_id=owners[0].id)
