import pytest

from forum.extensions import db
from forum.models import PostStatus
from tests.factories import make_post, make_thread, make_user


@pytest.fixture
def content(app):
    author = make_user("writer")
    thread = make_thread(
        author,
        title="Chapped lips in month two",
        body="Balm every hour.",
        tags=("dryness",),
        stage="on_treatment",
    )
    make_post(thread, author, body="Hidden balm advice", status=PostStatus.HIDDEN)
    make_thread(author, title="Secret balm thread", body="balm", status=PostStatus.HIDDEN)
    db.session.commit()
    return thread


def test_search_page_shows_ranked_highlighted_results(client, content):
    response = client.get("/search?q=balm")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Chapped lips in month two" in page
    assert "<mark>Balm</mark>" in page
    assert f'href="/t/{content.id}"' in page
    assert "Hidden balm advice" not in page and "Secret balm thread" not in page


def test_filters_narrow_results(client, content):
    assert "Chapped lips" in client.get("/search?q=balm&tag=dryness").get_data(as_text=True)
    page = client.get("/search?q=balm&stage=finished").get_data(as_text=True)
    assert "Chapped lips" not in page and "Nothing matched with these filters" in page


def test_empty_search_shows_the_form_only(client, content):
    response = client.get("/search")
    assert response.status_code == 200
    assert "Nothing matched" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/search?q=balm&tag=nope", "There is no topic with that name."),
        ("/search?q=balm&stage=halfway", "Stage must be"),
        ("/search?q=balm&page=0", "Page must be a number"),
        ("/search?q=balm&page=abc", "Page must be a number"),
        ("/search?q=balm&page=99999999999999999999", "Page must be a number"),
    ],
)
def test_bad_filters_answer_400_with_a_message(client, content, url, message):
    response = client.get(url)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "balm OR",
        "NEAR(balm",
        "'; DROP TABLE posts; --",
        "%00",
        "<script>alert(1)</script>",
        "ü' OR 1=1 --",
        "a" * 10_000,
        "🙂" * 500,
        "*",
    ],
)
def test_hostile_queries_answer_200_or_400(client, content, q):
    response = client.get("/search", query_string={"q": q})
    assert response.status_code in (200, 400)
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_very_long_query_is_shortened_with_a_notice(client, content):
    response = client.get("/search", query_string={"q": "balm " * 2000})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "only its first 200 characters were used" in page
    assert "Chapped lips in month two" in page
