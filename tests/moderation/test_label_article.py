"""The "medical misinformation" label links to a guide article the moderator picks (issue #5)."""

import re

import pytest
from flask import render_template
from sqlalchemy import select

from forum.extensions import db
from forum.guide.services import load_shipped_guide
from forum.models import GuideArticle, ItemStatus, Post, ReviewItem
from forum.moderation import services
from tests.conftest import login
from tests.factories import make_post, make_thread, make_user


@pytest.fixture
def item(shipped_tags, other_member):
    load_shipped_guide()
    db.session.execute(
        db.update(GuideArticle)
        .where(GuideArticle.slug == "initial-breakout")
        .values(published=False)
    )
    author = make_user("author")
    thread = make_thread(author, title="Month two dryness", body="Lips cracking.")
    reply = make_post(thread, author, body="Drink salt water and your lips heal.")
    services.report_post(reply, other_member, "misinformation", "Not true.")
    db.session.commit()
    return db.session.scalar(select(ReviewItem))


def text(response) -> str:
    return response.get_data(as_text=True)


def post_status(app, post: Post, viewer) -> str:
    """What the post's page shows about its label, as the thread page includes it."""
    with app.test_request_context():
        return render_template(
            "moderation/_post_status.html",
            post=post,
            viewer=viewer,
            label_article=services.label_articles([post]).get(post.label_article_id),
        )


def test_the_label_action_offers_the_published_articles(client, moderator, item):
    login(client, moderator)
    page = text(client.get(f"/mod/items/{item.id}"))
    select_html = re.search(r'<select[^>]*name="article".*?</select>', page, re.S).group(0)
    values = re.findall(r'<option[^>]*value="([^"]*)"', select_html)
    published = db.session.scalars(
        select(GuideArticle.slug).where(GuideArticle.published).order_by(GuideArticle.sort_order)
    ).all()
    assert values == ["", *published]
    assert "initial-breakout" not in values
    assert "Managing dryness" in select_html
    # The select sits with the label choice.
    label_choice = page[page.index('value="label"') : page.index('value="lock"')]
    assert 'name="article"' in label_choice


def test_labelling_links_the_post_to_the_chosen_article(app, client, moderator, member, item):
    login(client, moderator)
    response = client.post(
        f"/mod/items/{item.id}/act",
        data={"action": "label", "reason": "Salt water harms.", "article": "managing-dryness"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    post = item.post
    article = db.session.scalar(select(GuideArticle).where(GuideArticle.slug == "managing-dryness"))
    assert (post.label, post.label_article_id) == ("misinformation", article.id)
    shown = post_status(app, post, member)
    assert "Medical misinformation" in shown
    assert f'<a href="/guide/managing-dryness">Read what the guide says: {article.title}</a>' in (
        shown
    )


def test_labelling_without_an_article_advises_the_prescriber(app, client, moderator, item):
    login(client, moderator)
    response = client.post(
        f"/mod/items/{item.id}/act", data={"action": "label", "reason": "Not right.", "article": ""}
    )
    assert response.status_code == 302
    db.session.expire_all()
    shown = post_status(app, item.post, None)
    assert item.post.label_article_id is None
    assert "Talk to your prescriber" in shown and "/guide/" not in shown


@pytest.mark.parametrize("choice", ["initial-breakout", "no-such-article"])
def test_an_article_outside_the_list_is_refused(client, moderator, item, choice):
    login(client, moderator)
    response = client.post(
        f"/mod/items/{item.id}/act",
        data={"action": "label", "reason": "Kept reason.", "article": choice},
    )
    assert response.status_code == 422
    page = text(response)
    assert "There is no published guide article with that name." in page
    assert "Kept reason." in page
    db.session.expire_all()
    assert item.status == ItemStatus.PENDING and item.post.label is None


def test_an_article_chosen_for_another_action_is_ignored(client, moderator, item):
    login(client, moderator)
    response = client.post(
        f"/mod/items/{item.id}/act",
        data={"action": "hide", "reason": "Harmful.", "article": "managing-dryness"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert item.post.label_article_id is None
