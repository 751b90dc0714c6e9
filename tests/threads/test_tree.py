"""The reply tree: paths, ordinals, pages, deletes and moves."""

import threading

import pytest
from sqlalchemy import select

from forum.errors import InvalidAction, NotFound
from forum.extensions import db
from forum.models import Post, Thread
from forum.threads import services, tree
from tests.factories import make_post, make_thread, make_user


def ordered(thread):
    """The thread's posts as ORDER BY path returns them."""
    return list(
        db.session.scalars(select(Post).where(Post.thread_id == thread.id).order_by(Post.path))
    )


def shape(nodes, level=0):
    """Nested nodes as (indent, body) pairs, for readable assertions."""
    out = []
    for node in nodes:
        out.append(("  " * level) + (node.post.body or node.view.placeholder))
        out += shape(node.children, level + 1)
    return out


@pytest.fixture
def author(app):
    return make_user("author")


def test_opening_post_is_the_root(author):
    thread = make_thread(author)
    opening = services.opening_post(thread)
    assert (opening.path, opening.depth, opening.branch, opening.parent_id) == ("", 0, 0, None)


def test_reply_without_parent_answers_the_opening_post(author):
    earlier = make_thread(author, title="An earlier thread with replies")
    make_post(earlier, author)
    make_post(earlier, author)
    # Its opening post's id is not its thread's, nor any other post's number.
    thread = make_thread(author)
    post = make_post(thread, author)
    opening = services.opening_post(thread)
    assert post.parent_id == opening.id
    assert (post.path, post.depth, post.branch) == ("000001", 1, 1)
    assert (thread.top_level_count, opening.child_count) == (1, 0)


def test_paths_depths_and_branches_follow_the_tree(author):
    thread = make_thread(author)
    a = make_post(thread, author, body="a")
    b = make_post(thread, author, body="b")
    a1 = make_post(thread, author, parent=a, body="a1")
    a2 = make_post(thread, author, parent=a, body="a2")
    a1x = make_post(thread, author, parent=a1, body="a1x")
    b1 = make_post(thread, author, parent=b, body="b1")

    assert [(p.path, p.depth, p.branch) for p in (a, b, a1, a2, a1x, b1)] == [
        ("000001", 1, 1),
        ("000002", 1, 2),
        ("000001000001", 2, 1),
        ("000001000002", 2, 1),
        ("000001000001000001", 3, 1),
        ("000002000001", 2, 2),
    ]
    # ORDER BY path is a depth-first walk in reply order.
    assert [p.body for p in ordered(thread)[1:]] == ["a", "a1", "a1x", "a2", "b", "b1"]


def test_ordinals_are_fixed_width_so_ten_sorts_after_nine(author):
    thread = make_thread(author)
    posts = [make_post(thread, author, body=f"r{n}") for n in range(1, 12)]
    make_post(thread, author, parent=posts[1], body="r2 child")
    assert [p.body for p in ordered(thread)[1:]] == [
        "r1",
        "r2",
        "r2 child",
        *[f"r{n}" for n in range(3, 12)],
    ]


def test_counters_are_kept_in_sql(author):
    thread = make_thread(author)
    first = make_post(thread, author)
    make_post(thread, author, parent=first)
    db.session.commit()
    db.session.expire_all()
    thread = db.session.get(Thread, thread.id)
    assert thread.reply_count == 2
    assert thread.top_level_count == 1
    assert services.opening_post(thread).child_count == 0  # the thread numbers its top level
    assert db.session.get(Post, first.id).child_count == 1


def test_concurrent_replies_get_distinct_ordinals(app, author):
    thread = make_thread(author)
    repliers = [make_user(f"replier{n}") for n in range(6)]
    thread_id, user_ids = thread.id, [user.id for user in repliers]
    db.session.commit()
    db.session.close()  # hold no transaction (on SQLite, no lock) while the workers run
    barrier = threading.Barrier(len(user_ids))
    errors = []

    def reply_as(user_id):
        with app.app_context():
            try:
                barrier.wait(timeout=10)  # all start together
                user = db.session.get(type(author), user_id)
                thread = db.session.get(Thread, thread_id)
                services.reply(thread, user, body=f"from {user_id}")
                db.session.commit()
            except Exception as exc:  # reported below
                errors.append(exc)
            finally:
                db.session.remove()

    workers = [threading.Thread(target=reply_as, args=(uid,)) for uid in user_ids]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)

    assert errors == []
    db.session.expire_all()
    posts = ordered(db.session.get(Thread, thread_id))[1:]
    assert sorted(p.path for p in posts) == [tree.segment(n) for n in range(1, 7)]
    assert db.session.get(Thread, thread_id).reply_count == 6


def test_locked_thread_refuses_replies(author):
    thread = make_thread(author)
    thread.locked = True
    with pytest.raises(InvalidAction, match="locked"):
        make_post(thread, make_user())


def test_deleted_node_keeps_its_place_and_its_replies(author):
    thread = make_thread(author)
    middle = make_post(thread, author, body="middle")
    make_post(thread, make_user(), parent=middle, body="below")
    make_post(thread, author, body="after")
    services.delete_post(middle, author)
    db.session.commit()

    page = tree.load_page(thread, None, 1, size=50, visible_depth=6)

    assert shape(page.nodes) == ["[deleted]", "  below", "after"]
    assert middle.body == "" and middle.body_html == ""


def build_chain(thread, author, length):
    parent, chain = None, []
    for n in range(1, length + 1):
        parent = make_post(thread, author, parent=parent, body=f"level {n}")
        chain.append(parent)
    return chain


def test_page_stops_at_the_visible_depth_and_offers_to_continue(author):
    thread = make_thread(author)
    chain = build_chain(thread, author, 9)

    page = tree.load_page(thread, None, 1, size=50, visible_depth=6)

    assert shape(page.nodes) == [("  " * n) + f"level {n + 1}" for n in range(6)]
    deepest = page.nodes[0]
    while deepest.children:
        deepest = deepest.children[0]
    assert deepest.post.id == chain[5].id
    assert deepest.more is True


def test_subtree_page_starts_at_its_root(author):
    thread = make_thread(author)
    chain = build_chain(thread, author, 9)

    page = tree.load_subtree(thread, None, chain[5].id, size=50, visible_depth=6)

    assert page.root.post.id == chain[5].id
    assert shape(page.nodes) == ["level 6", "  level 7", "    level 8", "      level 9"]


def test_subtree_of_another_thread_is_not_found(author):
    thread, other = make_thread(author), make_thread(author)
    post = make_post(other, author)
    with pytest.raises(NotFound):
        tree.load_subtree(thread, None, post.id, size=50, visible_depth=6)


def test_pages_hold_top_level_replies_with_all_their_descendants(author):
    thread = make_thread(author)
    tops = [make_post(thread, author, body=f"top {n}") for n in range(1, 6)]
    make_post(thread, author, parent=tops[2], body="under 3")
    make_post(thread, author, parent=tops[4], body="under 5")

    pages = [tree.load_page(thread, None, n, size=2, visible_depth=6) for n in (1, 2, 3)]

    assert [p.pages for p in pages] == [3, 3, 3]
    assert [shape(p.nodes) for p in pages] == [
        ["top 1", "top 2"],
        ["top 3", "  under 3", "top 4"],
        ["top 5", "  under 5"],
    ]
    assert all(p.opening.post.parent_id is None for p in pages)
    with pytest.raises(NotFound):
        tree.load_page(thread, None, 4, size=2, visible_depth=6)
    with pytest.raises(NotFound):
        tree.load_page(thread, None, 0, size=2, visible_depth=6)


def test_locate_points_deep_posts_at_a_subtree_page(author):
    thread = make_thread(author)
    chain = build_chain(thread, author, 14)
    # depth 1..6 on the page itself, 7..12 under the depth-6 post, 13.. under depth 12.
    assert tree.locate(chain[5], size=50, visible_depth=6) == (1, None)
    assert tree.locate(chain[6], size=50, visible_depth=6) == (1, chain[5].id)
    assert tree.locate(chain[11], size=50, visible_depth=6) == (1, chain[5].id)
    assert tree.locate(chain[12], size=50, visible_depth=6) == (1, chain[11].id)
