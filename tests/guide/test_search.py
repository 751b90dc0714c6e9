"""Guide articles in the site search (issue #5)."""

import re

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.guide.services import load_shipped_guide
from forum.models import GuideArticle


@pytest.fixture(autouse=True)
def guide(shipped_tags):
    load_shipped_guide()
    db.session.commit()


def results(client, query: str) -> str:
    response = client.get(f"/search?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return html[html.index("search-results") :] if "search-results" in html else ""


def test_guide_articles_are_found_and_link_to_the_guide(client):
    html = results(client, "q=iPLEDGE")
    assert "Guide article" in html
    assert re.search(r'<h3><a href="/guide/pregnancy-prevention">[^<]+</a></h3>', html)
    assert re.search(r"<mark>iPLEDGE</mark>", html, re.I)


def test_the_topic_filter_keeps_an_articles_own_topics(client):
    assert "/guide/pregnancy-prevention" in results(client, "q=iPLEDGE&tag=pregnancy-prevention")
    assert "/guide/pregnancy-prevention" not in results(client, "q=iPLEDGE&tag=dryness")


def test_unpublished_articles_leave_the_results(client, admin):
    from forum.guide import services

    article = db.session.scalar(
        select(GuideArticle).where(GuideArticle.slug == "pregnancy-prevention")
    )
    services.edit_article(
        article,
        admin,
        title=article.title,
        summary=article.summary,
        body=article.body,
        tag_slugs=[tag.slug for tag in article.tags],
        published=False,
        reviewed_by=None,
        last_reviewed=article.last_reviewed_on,
    )
    db.session.commit()
    assert "/guide/pregnancy-prevention" not in results(client, "q=iPLEDGE")
