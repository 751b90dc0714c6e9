"""The plain reply box comes from one render per process (issue #17), with the page's own
thread, CSRF token and nonce, exactly as the template renders it."""

import re

import pytest

from forum.extensions import db
from forum.threads import page as thread_page
from forum.threads import reply_form
from tests.conftest import login
from tests.factories import make_thread, make_user

pytestmark = pytest.mark.usefixtures("shipped_tags")


def reply_box(html: str) -> str:
    return re.search(r'<section id="reply".*?</section>', html, re.S).group(0)


def nonce(box: str) -> str:
    return re.search(r'name="nonce" type="hidden" value="([^"]*)"', box).group(1)


def token_part(box: str) -> str:
    """The CSRF token's timestamp and signature: they change with the second the page is
    rendered in, and two requests may straddle one."""
    return re.search(r'name="csrf_token" type="hidden" value="[^".]*(\.[^"]*)"', box).group(1)


def comparable(box: str) -> str:
    return box.replace(nonce(box), "N").replace(token_part(box), ".T")


def test_the_stored_box_is_the_template_with_this_pages_values(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # as in production
    reply_form._rendered.clear()
    author = make_user("boxauthor")
    first = make_thread(author, title="The first thread with a box")
    second = make_thread(author, title="The second thread with a box")
    db.session.commit()
    paths = [f"/t/{first.id}", f"/t/{second.id}"]
    ids = [first.id, second.id]
    login(client, make_user("boxreader"))
    stored = [reply_box(client.get(path).get_data(as_text=True)) for path in paths]
    again = reply_box(client.get(paths[0]).get_data(as_text=True))
    monkeypatch.setattr(thread_page, "reply_form_html", lambda form, context: None)
    rendered = [reply_box(client.get(path).get_data(as_text=True)) for path in paths]

    for box, fresh, thread_id in zip(stored, rendered, ids, strict=True):
        assert f'action="/t/{thread_id}/reply"' in box
        assert comparable(box) == comparable(fresh)
        assert reply_form.SENTINEL_NONCE not in box and reply_form.SENTINEL_CSRF not in box
        assert 'name="csrf_token"' in box
    assert nonce(again) != nonce(stored[0])  # a fresh nonce on every page


def test_a_box_with_text_or_a_target_is_rendered_by_the_template(app, member_client):
    author = make_user("boxauthor2")
    thread = make_thread(author, title="A box that comes back with text")
    db.session.commit()
    response = member_client.post(f"/t/{thread.id}/reply", data={"body": "   "})
    assert response.status_code == 422
    assert "Write something first." in reply_box(response.get_data(as_text=True))
