"""Comparing experiences on the home and topic pages: dose bands, months since finishing,
the month labels and the excerpt on each row (issue #11)."""

import re
from html import unescape

import pytest

from forum.dose_bands import DOSE_BANDS, band_for, get_band
from forum.extensions import db
from forum.models import Stage
from forum.threads import services
from tests.factories import make_post, make_thread, make_user
from tests.threads.pages import head_link

pytestmark = pytest.mark.usefixtures("shipped_tags")


def titles(html: str) -> list[str]:
    return [
        unescape(t) for t in re.findall(r'class="thread-title"><a href="[^"]+">([^<]+)</a>', html)
    ]


def excerpts(html: str) -> list[str]:
    return [unescape(t) for t in re.findall(r'<p class="thread-excerpt">([^<]*)</p>', html)]


def shown(client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return sorted(titles(response.get_data(as_text=True)))


def test_dose_bands_cover_every_dose_once(app):
    for mg in range(0, 201):
        assert sum(band.contains(mg) for band in DOSE_BANDS) == 1, mg
    assert band_for(19).slug == "under_20" and band_for(20).slug == "20_39"
    assert band_for(59).slug == "40_59" and band_for(60).slug == "60_plus"
    assert band_for(None) is None and get_band("40_59").label == "40–59 mg a day"


@pytest.mark.parametrize("path", ["/", "/tags/dryness"])
def test_dose_band_filter_keeps_threads_in_that_band(client, path):
    for mg in (10, 20, 39, 40, 59, 60, 80):
        make_thread(title=f"Story at {mg} mg", tags=("dryness",), daily_dose_mg=mg)
    make_thread(title="Story with no dose given", tags=("dryness",))
    db.session.commit()

    assert shown(client, f"{path}?dose=under_20") == ["Story at 10 mg"]
    assert shown(client, f"{path}?dose=20_39") == ["Story at 20 mg", "Story at 39 mg"]
    assert shown(client, f"{path}?dose=40_59") == ["Story at 40 mg", "Story at 59 mg"]
    assert shown(client, f"{path}?dose=60_plus") == ["Story at 60 mg", "Story at 80 mg"]
    page = client.get(f"{path}?dose=40_59").get_data(as_text=True)
    assert '<option value="40_59" selected>40–59 mg a day</option>' in page
    assert "No threads match." in client.get("/tags/mood?dose=60_plus").get_data(as_text=True)


def test_dose_band_combines_with_stage_and_treatment_month(client):
    make_thread(title="Month two at forty", treatment_month=2, daily_dose_mg=40)
    make_thread(title="Month nine at forty", treatment_month=9, daily_dose_mg=40)
    make_thread(title="Month two at twenty", treatment_month=2, daily_dose_mg=20)
    make_thread(title="Finished at forty", months_since=2, daily_dose_mg=40)
    db.session.commit()
    assert shown(client, "/?dose=40_59&month_min=1&month_max=3") == ["Month two at forty"]
    assert shown(client, "/?dose=40_59&stage=on_treatment") == [
        "Month nine at forty",
        "Month two at forty",
    ]


def test_month_range_reads_months_since_finishing_when_stage_is_finished(client):
    make_thread(title="Two months after", tags=("dryness",), months_since=2)
    make_thread(title="Just finished now", tags=("dryness",), months_since=0)
    make_thread(title="Three years after", tags=("dryness",), months_since=36)
    make_thread(title="Treatment month two", tags=("dryness",), treatment_month=2)
    make_thread(title="Treatment month twenty", tags=("dryness",), treatment_month=20)
    db.session.commit()

    path = "/tags/dryness"
    assert shown(client, f"{path}?stage=finished&month_min=1&month_max=3") == ["Two months after"]
    assert shown(client, f"{path}?stage=finished&month_max=0") == ["Just finished now"]
    assert shown(client, f"{path}?stage=finished&month_min=24") == ["Three years after"]
    # Without the stage, the same range is a treatment month.
    assert shown(client, f"{path}?month_min=1&month_max=3") == ["Treatment month two"]
    page = client.get(f"{path}?stage=finished&month_min=0").get_data(as_text=True)
    assert 'name="month_min" min="0" max="120" value="0"' in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("dose=huge", "The daily dose band is one of under_20, 20_39, 40_59 or 60_plus."),
        ("dose=40", "The daily dose band is one of"),
        ("stage=finished&month_max=121", "months since finishing range takes whole numbers"),
        ("stage=finished&month_min=-1", "from 0 to 120"),
        ("month_min=36", "The treatment month range takes whole numbers from 1 to 24."),
    ],
)
def test_bad_dose_or_month_answers_400_with_a_message(client, query, message):
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    assert message in unescape(response.get_data(as_text=True))


def test_month_fields_are_labelled_as_treatment_months(client):
    make_thread()
    db.session.commit()
    for path in ("/", "/tags/dryness"):
        page = client.get(path).get_data(as_text=True)
        assert '<label for="filter-month-min">Treatment month from</label>' in page
        assert '<label for="filter-month-max">Treatment month to</label>' in page
        assert "From month" not in page and "To month" not in page
        assert "with the stage “Finished”, months since finishing" in page
        assert '<label for="filter-dose">Daily dose</label>' in page
        for band in DOSE_BANDS:
            assert f'<option value="{band.slug}">{band.label}</option>' in page


def test_paging_keeps_the_dose_and_month_filters(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LIST_PAGE_SIZE", 2)
    for n in range(3):
        make_thread(title=f"Finished story {n}", months_since=n + 1, daily_dose_mg=30)
    make_thread(title="Other dose story", months_since=1, daily_dose_mg=60)
    db.session.commit()
    first = client.get("/?stage=finished&dose=20_39&month_min=1").get_data(as_text=True)
    link = unescape(head_link(first, "next"))
    assert "dose=20_39" in link and "month_min=1" in link and "stage=finished" in link
    second = client.get(link).get_data(as_text=True)
    assert sorted(titles(first) + titles(second)) == [f"Finished story {n}" for n in range(3)]


def test_rows_show_a_plain_text_excerpt_of_the_opening_post(client):
    make_thread(
        title="Markdown opening post",
        body="**Dry lips** from day three, *balm* & <b>water</b>.\n\n- More.",
    )
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert excerpts(page) == ["Dry lips from day three, balm & <b>water</b>. More."]
    assert "<strong>Dry lips</strong>" not in page


def test_a_long_opening_post_is_cut_to_a_short_excerpt(client):
    words = " ".join(f"word{n}" for n in range(600))
    make_thread(title="A very long story", body=f"> **Quoted** text\n\n{words}")
    db.session.commit()
    [excerpt] = excerpts(client.get("/tags/dryness").get_data(as_text=True))
    assert excerpt.startswith("Quoted text word0 word1")
    assert excerpt.endswith("…") and len(excerpt) <= 241
    assert "word599" not in excerpt


def test_cut_html_leaves_no_half_tag_or_entity(app):
    from forum.threads.lists import excerpt_text

    assert excerpt_text('<p>Lips &amp; skin</p><p><a href="https://exa', cut=True) == (
        "Lips & skin…"
    )
    assert excerpt_text("<p>Lips &am", cut=True) == "Lips…"
    assert excerpt_text(None) == "" and excerpt_text("<p></p>") == ""


def test_deleted_opening_post_shows_no_excerpt(client):
    author = make_user("deleter")
    thread = make_thread(author, title="Kept for its replies", body="Private words here.")
    make_post(thread, body="A reply everyone can read.")
    services.delete_post(services.opening_post(thread), author)
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert titles(page) == ["Kept for its replies"]
    assert excerpts(page) == [] and "Private words here." not in page


def test_finished_threads_show_in_a_finished_list_with_their_badge(client):
    make_thread(title="Eight months after", stage=Stage.FINISHED, months_since=8)
    db.session.commit()
    page = client.get("/?stage=finished&month_min=6&month_max=12").get_data(as_text=True)
    assert titles(page) == ["Eight months after"]
    assert '<span class="badge">8 months after</span>' in page
