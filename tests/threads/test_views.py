"""The thread pages through the test client: what a reader and a member see and can do."""

from html import unescape

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import HelpfulMark, Post, PostRevision, PostStatus, Thread
from forum.threads import services
from tests.conftest import login
from tests.factories import make_post, make_thread, make_user, set_post_status
from tests.threads.pages import head_link, input_value, is_checked, textarea, tree_of

pytestmark = pytest.mark.usefixtures("shipped_tags")


@pytest.fixture
def author(app):
    user = make_user("storyteller")
    db.session.commit()
    return user


@pytest.fixture
def thread(author):
    thread = make_thread(author, title="Month three: lips and mood", body="Opening **story**.")
    db.session.commit()
    return thread


def url(thread, **args):
    query = "&".join(f"{key}={value}" for key, value in args.items())
    return f"/t/{thread.id}/{thread.slug}" + (f"?{query}" if query else "")


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- Reading a thread -----------------------------------------------------------------------


def test_thread_page_shows_the_opening_post_and_a_canonical_link(client, thread):
    response = client.get(f"/t/{thread.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Month three: lips and mood" in html
    assert "Opening <strong>story</strong>." in html
    assert head_link(html, "canonical").endswith(f"/t/{thread.id}/month-three-lips-and-mood")


def test_wrong_slug_redirects_to_the_right_one(client, thread):
    response = client.get(f"/t/{thread.id}/old-title?page=1")
    assert response.status_code == 301
    assert response.location == f"/t/{thread.id}/{thread.slug}?page=1"
    odd = client.get(f"/t/{thread.id}/old-title?slug=x&thread_id=3")
    assert odd.status_code == 301 and odd.location == f"/t/{thread.id}/{thread.slug}"


def test_unknown_thread_is_404(client):
    assert client.get("/t/424242").status_code == 404


def test_replies_nest_under_the_post_they_answer(client, thread, author):
    first = make_post(thread, author, body="first reply")
    nested = make_post(thread, make_user(), parent=first, body="answer to first")
    second = make_post(thread, author, body="second reply")
    db.session.commit()

    html = client.get(url(thread)).get_data(as_text=True)

    assert tree_of(html) == {
        f"p{first.id}": None,
        f"p{nested.id}": f"p{first.id}",
        f"p{second.id}": None,
    }
    assert '<details class="replies" open>' in html


def test_reply_link_shows_the_form_under_that_post(member_client, thread, author):
    reply = make_post(thread, author, body="reply with an answer")
    db.session.commit()

    html = member_client.get(url(thread, reply_to=reply.id)).get_data(as_text=True)

    assert input_value(html, "parent_id") == str(reply.id)
    assert tree_of(html) == {f"p{reply.id}": None}
    assert html.index('id="reply"') > html.index(f'id="p{reply.id}"')
    assert "Reply to storyteller" in html


def test_reply_link_works_for_anonymous_readers_with_a_login_prompt(client, thread):
    html = client.get(url(thread)).get_data(as_text=True)
    assert "reply_to=" in html
    assert "log in</a> or" in html
    assert 'name="body"' not in html


def test_pages_of_top_level_replies_link_to_each_other(app, client, thread, author, monkeypatch):
    monkeypatch.setitem(app.config, "THREAD_PAGE_SIZE", 2)
    replies = [make_post(thread, author, body=f"reply {n}") for n in range(1, 6)]
    db.session.commit()

    first = client.get(url(thread)).get_data(as_text=True)
    second = client.get(url(thread, page=2)).get_data(as_text=True)

    assert head_link(first, "next") == url(thread, page=2)
    assert head_link(first, "prev") is None
    assert head_link(second, "prev") == url(thread)
    assert head_link(second, "next") == url(thread, page=3)
    assert "Page 2 of 3" in second and ">Next page</a>" in second
    assert list(tree_of(second)) == [f"p{replies[2].id}", f"p{replies[3].id}"]
    assert "Opening <strong>story</strong>" not in second
    assert client.get(url(thread, page=4)).status_code == 404


def test_deep_chains_continue_on_a_subtree_page(app, client, thread, author):
    parent, chain = None, []
    for n in range(1, 9):
        parent = make_post(thread, author, parent=parent, body=f"level {n}")
        chain.append(parent)
    db.session.commit()

    html = client.get(url(thread)).get_data(as_text=True)
    assert f"p{chain[5].id}" in tree_of(html)
    assert f"p{chain[6].id}" not in tree_of(html)
    assert f"?root={chain[5].id}" in html and "Continue this thread" in html

    deep = client.get(url(thread, root=chain[5].id)).get_data(as_text=True)
    assert tree_of(deep) == {
        f"p{chain[5].id}": None,
        f"p{chain[6].id}": f"p{chain[5].id}",
        f"p{chain[7].id}": f"p{chain[6].id}",
    }
    assert "Back to the whole thread" in deep


def test_subtree_page_of_the_opening_post_or_another_thread(client, thread, author):
    other_post = make_post(make_thread(author, title="Some other thread"), author)
    db.session.commit()
    opening_id = services.opening_post(thread).id
    response = client.get(url(thread, root=opening_id))
    assert response.status_code == 302 and response.location == url(thread)
    assert client.get(url(thread, root=other_post.id)).status_code == 404


def test_permalink_redirects_into_the_thread(app, client, thread, author, monkeypatch):
    monkeypatch.setitem(app.config, "THREAD_PAGE_SIZE", 2)
    monkeypatch.setitem(app.config, "THREAD_VISIBLE_DEPTH", 2)
    top = [make_post(thread, author, body=f"top {n}") for n in range(3)]
    child = make_post(thread, author, parent=top[2])
    grandchild = make_post(thread, author, parent=child)
    db.session.commit()

    assert client.get(f"/p/{top[0].id}").location == url(thread) + f"#p{top[0].id}"
    assert client.get(f"/p/{child.id}").location == url(thread, page=2) + f"#p{child.id}"
    assert (
        client.get(f"/p/{grandchild.id}").location
        == url(thread, root=child.id) + f"#p{grandchild.id}"
    )
    assert client.get("/p/999999").status_code == 404


def test_hidden_thread_is_404_for_readers_but_open_to_its_author(client, thread, author, moderator):
    opening = services.opening_post(thread)
    set_post_status(opening, PostStatus.HIDDEN, reason="Personal details in the text.")
    db.session.commit()

    assert client.get(url(thread)).status_code == 404
    login(client, make_user("reader"))
    assert client.get(url(thread)).status_code == 404

    login(client, author)
    html = client.get(url(thread)).get_data(as_text=True)
    assert "hidden by a moderator" in html and "Personal details in the text." in html

    login(client, moderator)
    assert client.get(url(thread)).status_code == 200


def test_held_hidden_and_deleted_replies_as_readers_and_authors_see_them(client, thread, author):
    replier = make_user("replier")
    held = make_post(thread, replier, body="held text")
    hidden = make_post(thread, replier, body="hidden text")
    below = make_post(thread, author, parent=hidden, body="answer below hidden")
    deleted = make_post(thread, replier, body="deleted text")
    set_post_status(held, PostStatus.PENDING)
    set_post_status(hidden, PostStatus.HIDDEN, reason="Rude.")
    services.delete_post(deleted, replier)
    db.session.commit()

    html = client.get(url(thread)).get_data(as_text=True)
    assert "held text" not in html and f"p{held.id}" not in tree_of(html)
    assert "hidden text" not in html and "[hidden by a moderator]" in html
    assert tree_of(html)[f"p{below.id}"] == f"p{hidden.id}"
    assert "answer below hidden" in html
    assert "deleted text" not in html and "[deleted]" in html

    login(client, replier)
    html = client.get(url(thread)).get_data(as_text=True)
    assert "held text" in html and "Waiting for review" in html
    assert "hidden text" in html and "Rude." in html


# --- Replying -------------------------------------------------------------------------------


def test_member_replies_to_the_thread(member_client, thread, member):
    response = member_client.post(
        f"/t/{thread.id}/reply", data={"body": "Same for me.", "nonce": "n-000000001"}
    )
    post = db.session.scalar(select(Post).where(Post.author_id == member.id))
    assert response.status_code == 302
    assert response.location == url(thread) + f"#p{post.id}"
    assert post.depth == 1 and post.body == "Same for me."
    page = member_client.get(response.location).get_data(as_text=True)
    assert "Reply posted." in page and "Same for me." in page


def test_member_replies_to_a_reply(member_client, thread, author, member):
    first = make_post(thread, author, body="first")
    db.session.commit()
    member_client.post(
        f"/t/{thread.id}/reply", data={"body": "nested answer", "parent_id": first.id}
    )
    post = db.session.scalar(select(Post).where(Post.author_id == member.id))
    assert post.parent_id == first.id and post.depth == 2


def test_double_submit_creates_one_reply(member_client, thread, member):
    data = {"body": "Clicked twice.", "nonce": "same-nonce-123"}
    first = member_client.post(f"/t/{thread.id}/reply", data=data)
    second = member_client.post(f"/t/{thread.id}/reply", data=data)
    assert count(Post, Post.author_id == member.id) == 1
    assert second.status_code == 302 and second.location == first.location


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ("", 422, "Write something first."),
        ("x" * 20_001, 422, "Keep it under 20,000 characters."),
    ],
)
def test_bad_reply_comes_back_with_the_text(member_client, thread, body, status, message):
    response = member_client.post(f"/t/{thread.id}/reply", data={"body": body})
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert message in html
    assert textarea(html) == body
    assert count(Post) == 1
    assert f'href="{url(thread)}?reply_to=' in html  # links still lead to the thread


def test_reply_to_a_post_of_another_thread_is_400_with_text_kept(member_client, thread, author):
    elsewhere = make_post(make_thread(author, title="Another thread here"), author)
    db.session.commit()
    response = member_client.post(
        f"/t/{thread.id}/reply", data={"body": "My words.", "parent_id": elsewhere.id}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "You can only reply to posts in this thread." in html
    assert textarea(html) == "My words."


def test_reply_to_a_missing_parent_is_404_with_text_kept(member_client, thread):
    response = member_client.post(
        f"/t/{thread.id}/reply", data={"body": "My words.", "parent_id": "99999"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "The post you are replying to no longer exists." in html
    assert textarea(html) == "My words."


def test_reply_with_a_broken_parent_id_is_422(member_client, thread):
    response = member_client.post(
        f"/t/{thread.id}/reply", data={"body": "Words.", "parent_id": "abc"}
    )
    assert response.status_code == 422
    assert "That reply link is broken" in response.get_data(as_text=True)


def test_reply_to_a_locked_thread_is_409_with_text_kept(member_client, thread):
    thread.locked = True
    db.session.commit()
    response = member_client.post(f"/t/{thread.id}/reply", data={"body": "Too late?"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "This thread is locked" in html
    assert textarea(html) == "Too late?"


def test_unverified_member_gets_403_with_the_reason_and_text_kept(client, thread, unverified):
    login(client, unverified)
    html_before = client.get(url(thread)).get_data(as_text=True)
    assert "confirm your email" in html_before and 'name="body"' not in html_before

    response = client.post(f"/t/{thread.id}/reply", data={"body": "Hello all."})
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Please confirm your email address before posting" in html
    assert textarea(html) == "Hello all."


def test_anonymous_reply_is_sent_to_log_in(client, thread):
    response = client.post(f"/t/{thread.id}/reply", data={"body": "hi"})
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def test_reply_preview_renders_markdown_and_posts_nothing(member_client, thread):
    response = member_client.post(
        f"/t/{thread.id}/reply", data={"body": "**Preview** me", "preview": "Preview"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>Preview</strong> me" in html
    assert textarea(html) == "**Preview** me"
    assert count(Post) == 1


# --- Starting a thread ----------------------------------------------------------------------


def thread_form(**changes):
    data = {
        "title": "Dry lips in week two",
        "body": "What *helped* me.",
        "tags": ["dryness", "skincare-routine"],
        "stage": "on_treatment",
        "treatment_month": "1",
        "daily_dose_mg": "30",
        "nonce": "thread-nonce-1",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_new_thread_form_preselects_the_tag(member_client):
    html = member_client.get("/t/new?tag=mood").get_data(as_text=True)
    assert is_checked(html, "tags", "mood")
    assert not is_checked(html, "tags", "dryness")
    assert input_value(html, "nonce")


def test_new_thread_needs_login_and_verification(client, unverified):
    response = client.get("/t/new")
    assert response.status_code == 302 and response.location.startswith("/login?next=/t/new")
    login(client, unverified)
    response = client.get("/t/new")
    assert response.status_code == 403
    assert "confirm your email" in response.get_data(as_text=True)


def test_member_starts_a_thread(member_client, member):
    response = member_client.post("/t/new", data=thread_form())
    thread = db.session.scalar(select(Thread))
    assert response.status_code == 302
    assert response.location == f"/t/{thread.id}/dry-lips-in-week-two"
    assert [tag.slug for tag in thread.tags] == ["dryness", "skincare-routine"]
    assert thread.badge == "Month 1 · 30 mg/day"
    html = member_client.get(response.location).get_data(as_text=True)
    assert "What <em>helped</em> me." in html and "Month 1 · 30 mg/day" in html


def test_new_thread_double_submit_creates_one(member_client):
    first = member_client.post("/t/new", data=thread_form())
    second = member_client.post("/t/new", data=thread_form())
    assert count(Thread) == 1
    assert second.location == first.location


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "Hey"}, "A title is 5 to 150 characters."),
        ({"title": "x" * 151}, "A title is 5 to 150 characters."),
        ({"body": "x" * 20_001}, "Keep it under 20,000 characters."),
        ({"tags": None}, "Choose 1 to 3 topics."),
        ({"tags": ["dryness", "mood", "dosage", "side-effects"]}, "Choose 1 to 3 topics."),
        ({"tags": ["no-such-topic"]}, "Choose topics from the list."),
        ({"daily_dose_mg": "0"}, "The daily dose is from 1 to 200 mg."),
        ({"daily_dose_mg": "201"}, "The daily dose is from 1 to 200 mg."),
        ({"daily_dose_mg": "lots"}, "Enter a whole number."),
        ({"treatment_month": "25"}, "The treatment month is from 1 to 24."),
        ({"months_since": "121", "treatment_month": None, "stage": "finished"}, "from 0 to 120"),
        ({"months_since": "3"}, "Months since finishing goes with the stage"),
        ({"stage": "finished"}, "A treatment month goes with the stage"),
        ({"stage": "cured"}, "Choose a stage from the list."),
    ],
)
def test_bad_thread_form_comes_back_422_with_everything_typed(member_client, changes, message):
    data = thread_form(**changes)
    response = member_client.post("/t/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert textarea(html) == data["body"]
    assert input_value(html, "title") == data["title"]
    for slug in data.get("tags", []):
        if slug != "no-such-topic":
            assert is_checked(html, "tags", slug)
    assert count(Thread) == 0


def test_new_thread_preview_renders_and_posts_nothing(member_client):
    response = member_client.post("/t/new", data=thread_form(preview="Preview"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "What <em>helped</em> me." in html
    assert textarea(html) == "What *helped* me."
    assert count(Thread) == 0


def test_unverified_post_to_new_thread_is_403_with_text_kept(client, unverified):
    login(client, unverified)
    response = client.post("/t/new", data=thread_form())
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "confirm your email" in html
    assert textarea(html) == "What *helped* me."


# --- Editing, deleting, history -------------------------------------------------------------


def test_author_edits_a_reply_and_the_history_keeps_the_old_text(client, thread, author):
    post = make_post(thread, author, body="first version")
    db.session.commit()
    login(client, author)

    form = client.get(f"/p/{post.id}/edit").get_data(as_text=True)
    assert textarea(form) == "first version"
    assert 'name="title"' not in form

    response = client.post(f"/p/{post.id}/edit", data={"body": "second version"})
    assert response.status_code == 302
    assert response.location.endswith(f"#p{post.id}")
    assert db.session.get(Post, post.id).body == "second version"

    history = client.get(f"/p/{post.id}/history").get_data(as_text=True)
    assert "first version" in history and "second version" in history
    assert "History" in client.get(url(thread)).get_data(as_text=True)


def test_opening_post_edit_changes_the_title(client, thread, author):
    login(client, author)
    opening = services.opening_post(thread)
    response = client.post(
        f"/p/{opening.id}/edit", data={"title": "Month three, updated", "body": "Edited story."}
    )
    assert response.status_code == 302
    assert db.session.get(Thread, thread.id).title == "Month three, updated"
    assert db.session.scalar(select(PostRevision.title)) == "Month three: lips and mood"


def test_bad_edit_is_422_with_the_text_kept(client, thread, author):
    login(client, author)
    opening = services.opening_post(thread)
    response = client.post(f"/p/{opening.id}/edit", data={"title": "Hi", "body": "New words"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A title is 5 to 150 characters." in html
    assert textarea(html) == "New words"


def test_edit_preview(client, thread, author):
    login(client, author)
    opening = services.opening_post(thread)
    response = client.post(
        f"/p/{opening.id}/edit",
        data={"title": thread.title, "body": "~~old~~ new", "preview": "Preview"},
    )
    assert response.status_code == 200
    assert "<s>old</s> new" in response.get_data(as_text=True)
    assert count(PostRevision) == 0


def test_others_cannot_edit_or_delete(member_client, thread):
    opening = services.opening_post(thread)
    assert member_client.get(f"/p/{opening.id}/edit").status_code == 403
    response = member_client.post(f"/p/{opening.id}/delete")
    assert response.status_code == 403
    assert "You can only change your own posts." in response.get_data(as_text=True)


def test_author_deletes_a_reply_and_its_replies_stay(client, thread, author):
    post = make_post(thread, author, body="regrettable")
    below = make_post(thread, make_user(), parent=post, body="still here")
    db.session.commit()
    login(client, author)

    confirm = client.get(f"/p/{post.id}/delete")
    assert confirm.status_code == 200 and "Delete your post?" in confirm.get_data(as_text=True)
    response = client.post(f"/p/{post.id}/delete")
    assert response.status_code == 302

    html = client.get(url(thread)).get_data(as_text=True)
    assert "regrettable" not in html and "[deleted]" in html
    assert tree_of(html)[f"p{below.id}"] == f"p{post.id}"
    assert client.get(f"/p/{post.id}/history").status_code == 404


def test_deleting_the_opening_post_keeps_the_thread(client, thread, author):
    reply = make_post(thread, make_user(), body="a reply")
    db.session.commit()
    login(client, author)
    client.post(f"/p/{services.opening_post(thread).id}/delete")

    html = client.get(url(thread)).get_data(as_text=True)
    assert "Month three: lips and mood" in html
    assert "Opening <strong>story</strong>" not in html and "[deleted]" in html
    assert f"p{reply.id}" in tree_of(html)


def test_moderators_can_read_the_history_of_a_deleted_post(client, thread, author, moderator):
    post = make_post(thread, author, body="said something")
    services.delete_post(post, author)
    db.session.commit()
    login(client, moderator)
    response = client.get(f"/p/{post.id}/history")
    assert response.status_code == 200
    assert "said something" in response.get_data(as_text=True)


# --- Helpful --------------------------------------------------------------------------------


def test_helpful_mark_and_unmark_without_javascript(member_client, thread, member):
    opening = services.opening_post(thread)
    response = member_client.post(f"/p/{opening.id}/helpful")
    assert response.status_code == 302 and response.location.endswith(f"#p{opening.id}")
    assert count(HelpfulMark) == 1
    html = member_client.get(url(thread)).get_data(as_text=True)
    assert "Marked helpful (1)" in html and 'aria-pressed="true"' in html

    member_client.post(f"/p/{opening.id}/helpful")
    assert count(HelpfulMark) == 0
    assert "Helpful (0)" in member_client.get(url(thread)).get_data(as_text=True)


def test_helpful_on_own_post_is_refused(client, thread, author):
    login(client, author)
    response = client.post(f"/p/{services.opening_post(thread).id}/helpful")
    assert response.status_code == 403
    assert "You can't mark your own post as helpful." in unescape(response.get_data(as_text=True))


def test_helpful_needs_a_verified_member(client, thread, unverified):
    opening_id = services.opening_post(thread).id
    assert client.post(f"/p/{opening_id}/helpful").location.startswith("/login")
    login(client, unverified)
    response = client.post(f"/p/{opening_id}/helpful")
    assert response.status_code == 403
    assert count(HelpfulMark) == 0


def test_readers_see_helpful_counts_without_a_button(client, thread):
    opening = services.opening_post(thread)
    services.toggle_helpful(opening, make_user())
    db.session.commit()
    html = client.get(url(thread)).get_data(as_text=True)
    assert "1 found this helpful" in html and "/helpful" not in html
