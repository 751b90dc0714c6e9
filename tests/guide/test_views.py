"""The guide's pages: the hub, an article beside what patients say, admins' editing, and
the guide on tag pages and the home page (issue #5)."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from forum import cache
from forum.extensions import db
from forum.guide import services
from forum.models import GuideArticle, GuideRevision, PostStatus
from tests.conftest import login
from tests.factories import make_thread, make_user


@pytest.fixture(autouse=True)
def guide(shipped_tags):
    services.load_shipped_guide()
    db.session.commit()


def text(response) -> str:
    return response.get_data(as_text=True)


def article(slug) -> GuideArticle:
    return db.session.scalar(select(GuideArticle).where(GuideArticle.slug == slug))


def thread_links(html: str) -> list[str]:
    return re.findall(r'href="(/t/\d+/[a-z0-9-]+)"', html)


def aside(html: str) -> str:
    """The "What patients say" column of an article page."""
    return html[html.index('<aside class="patients-say"') :]


def edit_form(item: GuideArticle, **changes) -> dict:
    data = {
        "title": item.title,
        "summary": item.summary,
        "body": item.body,
        "tags": [tag.slug for tag in item.tags],
        "published": "y" if item.published else "",
        "reviewed_by": item.reviewed_by or "",
        "last_reviewed": item.last_reviewed_on.isoformat() if item.last_reviewed_on else "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


# --- The hub ---------------------------------------------------------------------------------


def test_hub_shows_the_overview_the_articles_and_latest_experiences(client):
    author = make_user("storyteller")
    dry = make_thread(author, title="Lips cracking in month two", tags=("dryness",))
    mood = make_thread(author, title="Flat mood in week six", tags=("mood",))
    make_thread(
        author, title="A hidden story about dryness", tags=("dryness",), status=PostStatus.HIDDEN
    )
    off_core = make_thread(author, title="Breakout in week two", tags=("initial-breakout",))
    db.session.commit()

    response = client.get("/guide")
    assert response.status_code == 200
    html = text(response)
    assert "<strong>How it differs from topical retinoids.</strong>" in html  # the overview
    assert "0.025% cream" in html
    for item in services.list_articles(None):
        assert f'href="/guide/{item.slug}"' in html and item.title in html
    assert "Written by Forum editors · last updated" in html
    assert "How these articles are written" in html and "Sources" in html
    assert "reviewed by a clinician only when one has checked it" in html
    assert "Not yet reviewed by a clinician" not in html and "Reviewed by:" not in html
    assert 'href="/tags/pregnancy-prevention"' in html  # an article's topics
    assert "not medical advice" in html
    latest = html[html.index('id="latest-heading"') :]
    assert f"/t/{dry.id}/{dry.slug}" in thread_links(latest)
    assert f"/t/{mood.id}/{mood.slug}" in thread_links(latest)
    assert "hidden story" not in html and off_core.title not in html
    for heading in ("Dryness", "Mood", "Results after finishing", "Comparisons"):
        assert heading in latest


def test_hub_costs_a_fixed_few_queries(client, member, count_queries):
    author = make_user("storyteller")
    make_thread(author, title="One story about dryness", tags=("dryness",))
    login(client, member)
    with count_queries() as few:
        assert client.get("/guide").status_code == 200
    for n in range(12):
        make_thread(author, title=f"Story number {n}", tags=("dryness", "mood", "comparisons"))
    db.session.commit()
    with count_queries() as many:
        html = text(client.get("/guide"))
    assert len(thread_links(aside(html))) == 9  # three core topics, three threads each
    assert few.count == many.count <= 5, str(many)


def test_unpublished_articles_are_left_off_the_hub_except_for_admins(client, admin):
    article("initial-breakout").published = False
    db.session.commit()
    assert 'href="/guide/initial-breakout"' not in text(client.get("/guide"))
    login(client, admin)
    html = text(client.get("/guide"))
    assert 'href="/guide/initial-breakout"' in html and "unpublished" in html


# --- An article ------------------------------------------------------------------------------


def test_article_page_shows_the_article_with_its_review_and_disclaimer(client):
    response = client.get("/guide/isotretinoin-vs-alternatives")
    assert response.status_code == 200
    html = text(response)
    item = article("isotretinoin-vs-alternatives")
    assert f'<h1 id="article-title">{item.title}</h1>' in html
    assert "<table>" in html and "<h2>Sources</h2>" in html
    assert 'href="/tags/comparisons"' in html
    assert (
        f'Written by Forum editors · last updated <time datetime="{item.updated_at:%Y-%m-%d}'
        in html
    )
    assert "Reviewed by" not in html and "reviewed by a clinician" not in html
    assert "This is general information, not medical advice." in html
    assert "What patients say" in html
    assert "Edit this article" not in html


def test_a_named_reviewer_is_shown(client):
    item = article("managing-dryness")
    item.reviewed_by = "Dr A. Example, dermatologist"
    db.session.commit()
    html = text(client.get("/guide/managing-dryness"))
    assert "Reviewed by: Dr A. Example, dermatologist" in html
    assert "Not yet reviewed by a clinician" not in html


def test_what_patients_say_lists_helpful_and_recent_visible_threads(client):
    author = make_user("storyteller")
    helpful = make_thread(author, title="What worked for my lips", tags=("dryness",))
    helpful.helpful_count = 4
    recent = make_thread(
        author, title="Month three and peeling", tags=("skincare-routine",), treatment_month=3
    )
    hidden = make_thread(author, title="Hidden peeling story", tags=("dryness",))
    held = make_thread(author, title="Held peeling story", tags=("dryness",))
    removed = make_thread(author, title="Removed peeling story", tags=("dryness",))
    elsewhere = make_thread(author, title="Low mood story", tags=("mood",))
    hidden.status, held.status, removed.status = (
        PostStatus.HIDDEN,
        PostStatus.PENDING,
        PostStatus.REMOVED,
    )
    db.session.commit()

    html = aside(text(client.get("/guide/managing-dryness")))
    most_helpful = html[html.index("Most helpful") : html.index("Most recent")]
    most_recent = html[html.index("Most recent") :]
    assert thread_links(most_helpful) == [f"/t/{helpful.id}/{helpful.slug}"]
    assert "4 found it helpful" in most_helpful
    assert thread_links(most_recent) == [f"/t/{recent.id}/{recent.slug}"]
    assert '<span class="badge">Month 3</span>' in most_recent
    for title in (hidden.title, held.title, removed.title, elsewhere.title):
        assert title not in html


def test_the_stage_filter_on_an_article_page(client):
    author = make_user("storyteller")
    considering = make_thread(
        author, title="Should I start it", tags=("dryness",), stage="considering"
    )
    on_treatment = make_thread(author, title="Month two lips", tags=("dryness",), treatment_month=2)
    finished = make_thread(author, title="Six months after", tags=("dryness",), months_since=6)
    db.session.commit()
    links = {
        thread.id: f"/t/{thread.id}/{thread.slug}"
        for thread in (considering, on_treatment, finished)
    }

    def shown(query):
        response = client.get(f"/guide/managing-dryness{query}")
        assert response.status_code == 200
        return thread_links(aside(text(response)))

    assert sorted(shown("")) == sorted(links.values())
    assert shown("?stage=considering") == [links[considering.id]]
    assert shown("?stage=on_treatment") == [links[on_treatment.id]]
    assert shown("?stage=finished") == [links[finished.id]]
    html = text(client.get("/guide/managing-dryness?stage=finished"))
    assert 'href="/guide/managing-dryness?stage=finished" aria-current="page"' in html


def test_an_unknown_stage_answers_400_with_a_message(client):
    response = client.get("/guide/managing-dryness?stage=later")
    assert response.status_code == 400
    html = text(response)
    assert "The stage is one of considering, on_treatment or finished." in html
    assert "Managing dryness" in html  # still the article


def test_article_page_costs_a_fixed_few_queries(client, member, count_queries):
    author = make_user("storyteller")
    make_thread(author, title="One story about dryness", tags=("dryness",))
    login(client, member)
    with count_queries() as few:
        assert client.get("/guide/managing-dryness?stage=on_treatment").status_code == 200
    for n in range(12):
        thread = make_thread(
            author, title=f"Story number {n}", tags=("dryness",), treatment_month=1 + n % 3
        )
        thread.helpful_count = n
    db.session.commit()
    with count_queries() as many:
        html = text(client.get("/guide/managing-dryness?stage=on_treatment"))
    assert len(thread_links(aside(html))) == 2 * services.EXPERIENCES_PER_LIST
    assert few.count == many.count <= 5, str(many)


def test_unknown_and_unpublished_articles_answer_404_except_unpublished_for_admins(
    client, member, moderator, admin
):
    assert client.get("/guide/no-such-article").status_code == 404
    article("initial-breakout").published = False
    db.session.commit()
    assert client.get("/guide/initial-breakout").status_code == 404
    for user in (member, moderator):
        login(client, user)
        assert client.get("/guide/initial-breakout").status_code == 404
    login(client, admin)
    response = client.get("/guide/initial-breakout")
    assert response.status_code == 200
    assert "Unpublished: only admins can see this article." in text(response)


def test_guide_pages_are_cached_for_signed_out_readers_and_purged_by_an_edit(
    make_app, tmp_path, admin
):
    app = make_app()
    app.config.update(ANON_CACHE_SECONDS=10, REDIS_URL="")
    app.instance_path = str(tmp_path)
    cache.init_store(app)
    reader = app.test_client()
    for path in ("/guide", "/guide/managing-dryness"):
        assert reader.get(path).headers["X-Cache"] == "miss"
        assert reader.get(path).headers["X-Cache"] == "hit"
    editor = login(app.test_client(), admin)
    with app.app_context():
        data = edit_form(article("managing-dryness"), title="Dryness, freshly edited")
    assert editor.post("/guide/managing-dryness/edit", data=data).status_code == 302
    response = reader.get("/guide/managing-dryness")
    assert response.headers["X-Cache"] == "miss"
    assert "Dryness, freshly edited" in text(response)


# --- Editing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/guide/managing-dryness/edit", "/guide/managing-dryness/history"]
)
def test_editing_pages_are_for_admins_only(client, member, moderator, path):
    response = client.get(path)
    assert response.status_code == 302 and response.location.startswith("/login?next=")
    assert client.post("/guide/managing-dryness/edit", data={}).status_code == 302
    for user in (member, moderator):
        login(client, user)
        assert client.get(path).status_code == 403
        item = article("managing-dryness")
        response = client.post("/guide/managing-dryness/edit", data=edit_form(item, title="Mine"))
        assert response.status_code == 403
    assert article("managing-dryness").title != "Mine"


def test_admin_edits_an_article_in_the_browser(client, admin):
    login(client, admin)
    page = text(client.get("/guide/managing-dryness/edit"))
    item = article("managing-dryness")
    assert f'value="{item.title}"' in page and item.summary in page
    assert '<input checked id="tags-0" name="tags" type="checkbox" value="dryness">' in page
    assert '<input id="tags-1" name="tags" type="checkbox" value="mood">' in page
    assert re.search(r'<input [^>]*checked id="published" name="published"', page)
    reviewed = (date.today() - timedelta(days=1)).isoformat()
    response = client.post(
        "/guide/managing-dryness/edit",
        data=edit_form(
            item,
            title="Dryness: lips, skin and eyes",
            body="## Lips\n\nA balm, often.\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n",
            tags=["dryness", "side-effects"],
            reviewed_by="Dr A. Example",
            last_reviewed=reviewed,
        ),
    )
    assert response.status_code == 302 and response.location == "/guide/managing-dryness"
    html = text(client.get(response.location))
    assert "Article saved." in html
    assert "Dryness: lips, skin and eyes" in html and "<h2>Lips</h2>" in html
    assert '<td class="align-right">2</td>' in html
    assert "Reviewed by: Dr A. Example" in html
    db.session.expire_all()
    item = article("managing-dryness")
    assert {tag.slug for tag in item.tags} == {"dryness", "side-effects"}
    assert item.last_reviewed_on.isoformat() == reviewed
    [web] = db.session.scalars(
        select(GuideRevision).where(
            GuideRevision.article_id == item.id, GuideRevision.source == "web"
        )
    )
    assert web.editor_id == admin.id and web.title == "Dryness: lips, skin and eyes"


def test_admin_sees_edit_links_on_the_article(client, admin):
    login(client, admin)
    html = text(client.get("/guide/managing-dryness"))
    assert 'href="/guide/managing-dryness/edit"' in html
    assert 'href="/guide/managing-dryness/history"' in html


def test_an_invalid_edit_answers_422_with_errors_beside_fields_and_the_text_kept(client, admin):
    login(client, admin)
    item = article("managing-dryness")
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = client.post(
        "/guide/managing-dryness/edit",
        data=edit_form(
            item, title="", body="My long draft that must not be lost.", last_reviewed=tomorrow
        ),
    )
    assert response.status_code == 422
    html = text(response)
    assert 'id="title-error">Give the article a title.' in html
    assert "My long draft that must not be lost." in html
    db.session.expire_all()
    assert article("managing-dryness").title == item.title

    response = client.post(
        "/guide/managing-dryness/edit",
        data=edit_form(item, body="Kept draft.", last_reviewed=tomorrow, tags=[]),
    )
    assert response.status_code == 422
    html = text(response)
    assert "Link the article to at least one topic." in html and "Kept draft." in html

    response = client.post(
        "/guide/managing-dryness/edit",
        data=edit_form(item, body="Kept draft again.", last_reviewed=tomorrow),
    )
    assert response.status_code == 422  # a rule the service checks
    html = text(response)
    assert 'id="last_reviewed-error">The review date can&#39;t be in the future.' in html
    assert "Kept draft again." in html

    response = client.post(
        "/guide/managing-dryness/edit", data=edit_form(item, last_reviewed="20 Nov")
    )
    assert response.status_code == 422 and "Enter a date like 2026-11-20." in text(response)


def test_saving_without_changes_says_so(client, admin):
    login(client, admin)
    item = article("managing-dryness")
    response = client.post("/guide/managing-dryness/edit", data=edit_form(item))
    assert response.status_code == 302
    assert "Nothing changed" in text(client.get(response.location))


def test_history_lists_file_and_browser_versions(client, admin):
    login(client, admin)
    item = article("managing-dryness")
    client.post("/guide/managing-dryness/edit", data=edit_form(item, title="A browser title"))
    html = text(client.get("/guide/managing-dryness/history"))
    first_web = html.index("Edited in the browser by admin1")
    assert first_web < html.index("Loaded from the article's file")
    assert "A browser title" in html and item.summary in html
    assert html.count('class="card revision"') == 2


# --- The guide on tag pages and the home page ------------------------------------------------


def test_tag_page_shows_its_guide_summary_at_the_top(client):
    item = article("pregnancy-prevention")
    html = text(client.get("/tags/pregnancy-prevention"))
    assert f"From the guide: {item.title}</strong> — {item.summary}" in html
    assert 'href="/guide/pregnancy-prevention">Read the guide' in html
    assert html.index("From the guide") < html.index('id="threads-heading"')
    item.published = False
    db.session.commit()
    assert "From the guide" not in text(client.get("/tags/pregnancy-prevention"))


def test_home_page_shows_guide_highlights(client):
    html = text(client.get("/"))
    highlights = html[html.index('id="guide-highlights-heading"') : html.index("topics-heading")]
    slugs = re.findall(r'href="/guide/([a-z0-9-]+)"', highlights)
    assert slugs == [item.slug for item in services.highlights()]
    assert len(slugs) == services.HIGHLIGHT_COUNT
    assert 'href="/guide"' in highlights


@pytest.mark.parametrize("path", ["/", "/tags/dryness"])
def test_tag_and_home_pages_add_one_query_for_the_guide(client, member, count_queries, path):
    author = make_user("storyteller")
    make_thread(author, title="One story about dryness", tags=("dryness",))
    login(client, member)
    with count_queries() as log:
        html = text(client.get(path))
    assert "From the guide" in html
    guide_queries = [s for s in log.statements if "guide_articles" in s]
    assert len(guide_queries) == 1, str(log)
    # The dryness page also shows members' statistics, from the process's copy (issue #14).
    assert not any("journal_stats" in s for s in log.statements), str(log)
    assert log.count <= 5, str(log)
