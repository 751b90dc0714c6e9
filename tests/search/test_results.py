"""Search results you can compare (issue #11): how many there are, who wrote each one and
their experience badge, one "Reply in …" line, and the lists' stage, dose band and month
filters, on this database's search backend."""

import re
from datetime import timedelta
from html import unescape

import pytest

from forum.extensions import db
from forum.models import Role, Stage, utcnow
from tests.factories import make_post, make_thread, make_user


def hit_titles(page: str) -> list[str]:
    return sorted(unescape(t) for t in re.findall(r"<h3><a href=\"[^\"]+\">([^<]+)</a></h3>", page))


def search(client, query: str, status: int = 200) -> str:
    response = client.get(f"/search?{query}")
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def on_course(username: str, *, months_in: int, dose: int):
    """A member whose course began ``months_in`` whole months ago (treatment month
    ``months_in + 1``); their replies carry that month and dose."""
    start = (utcnow() - timedelta(days=31 * months_in + 2)).date()
    return make_user(username, course_start=start, course_dose_mg=dose)


def test_results_show_count_author_badge_and_one_reply_line(client):
    anna = make_user("anna", role=Role.MODERATOR)
    thread = make_thread(
        anna,
        title="Balm that finally worked",
        body="Lanolin balm.",
        treatment_month=3,
        daily_dose_mg=40,
    )
    make_post(thread, on_course("ben", months_in=1, dose=20), body="The same balm for me.")
    db.session.commit()

    page = search(client, "q=balm")
    assert '<h2 class="search-count">2 results</h2>' in page
    assert 'Thread by <a href="/u/anna">anna</a> <span class="role">moderator</span>' in page
    assert 'Reply by <a href="/u/ben">ben</a>' in page
    assert '<span class="badge">Month 3 · 40 mg/day</span>' in page  # the thread's
    assert '<span class="badge">Month 2 · 20 mg/day</span>' in page  # the reply's own details
    assert page.count("Reply in") == 1
    assert "Reply in “Balm that finally worked”</a></h3>" in page


def test_one_result_is_counted_in_the_singular(client):
    make_thread(title="Only one balm story", body="Lanolin.")
    db.session.commit()
    assert '<h2 class="search-count">1 result</h2>' in search(client, "q=balm")


def test_more_results_than_can_be_paged_say_so(client):
    author = make_user("prolific")
    for n in range(55):
        make_thread(author, title=f"Balm story number {n}", body="Lanolin.")
    db.session.commit()
    page = search(client, "q=balm")
    assert "More than 50 results: the best 50 are shown" in page


def test_dose_band_filter_applies_to_threads_and_replies(client):
    for mg in (10, 30, 45, 70):
        make_thread(title=f"Balm at {mg} mg", body="Lanolin balm.", daily_dose_mg=mg)
    db.session.commit()
    dosed = make_thread(title="Balm advice wanted", body="Which one?", daily_dose_mg=70)
    make_post(dosed, on_course("lowdose", months_in=2, dose=20), body="Balm at a low dose.")
    db.session.commit()

    assert hit_titles(search(client, "q=balm&dose=40_59")) == ["Balm at 45 mg"]
    assert hit_titles(search(client, "q=balm&dose=20_39")) == [
        "Balm at 30 mg",
        "Reply in “Balm advice wanted”",
    ]
    assert hit_titles(search(client, "q=balm&dose=60_plus")) == [
        "Balm advice wanted",
        "Balm at 70 mg",
    ]
    page = search(client, "q=balm&dose=under_20&stage=finished")
    assert "Nothing matched with these filters" in page
    assert '<option value="under_20" selected>' in page


def test_month_range_is_months_since_finishing_when_stage_is_finished(client):
    make_thread(title="Balm two months after", body="Lanolin.", months_since=2)
    make_thread(title="Balm ten months after", body="Lanolin.", months_since=10)
    make_thread(title="Balm in treatment month two", body="Lanolin.", treatment_month=2)
    db.session.commit()

    finished = search(client, "q=balm&stage=finished&month_min=0&month_max=3")
    assert hit_titles(finished) == ["Balm two months after"]
    assert hit_titles(search(client, "q=balm&stage=finished&month_min=6")) == [
        "Balm ten months after"
    ]
    assert hit_titles(search(client, "q=balm&month_min=1&month_max=3")) == [
        "Balm in treatment month two"
    ]
    assert 'name="month_min" min="0" max="120" value="0"' in finished


def test_month_range_applies_to_replies_by_their_own_treatment_month(client):
    thread = make_thread(title="Lips in month one", body="Dry.", treatment_month=1)
    make_post(thread, on_course("laterreader", months_in=5, dose=30), body="Balm by month six.")
    db.session.commit()
    assert hit_titles(search(client, "q=balm&month_min=5&month_max=7")) == [
        "Reply in “Lips in month one”"
    ]
    assert "Nothing matched with these filters" in search(client, "q=balm&month_max=3")


@pytest.mark.parametrize(
    ("query", "message", "kept"),
    [
        ("q=balm&dose=huge", "The daily dose band is one of", 'value="balm"'),
        (
            "q=balm&month_min=99",
            "The treatment month range takes whole numbers from 1 to 24.",
            'name="month_min" min="0" max="120" value="99"',
        ),
        (
            "q=balm&stage=finished&month_max=500",
            "months since finishing range",
            'name="month_max" min="0" max="120" value="500"',
        ),
        ("q=balm&dose=40_59&month_min=abc", "whole numbers", '<option value="40_59" selected>'),
    ],
)
def test_bad_experience_filters_answer_400_and_keep_what_was_typed(client, query, message, kept):
    make_thread(title="Balm story", body="Lanolin.")
    db.session.commit()
    page = unescape(search(client, query, status=400))
    assert message in page
    assert kept in page


def test_search_form_has_the_lists_filters(client):
    page = search(client, "q=")
    assert '<label for="dose">Daily dose</label>' in page
    assert '<label for="month_min">Treatment month from</label>' in page
    assert '<label for="month_max">Treatment month to</label>' in page
    assert "with the stage “Finished”, months since finishing" in page


def test_results_cost_the_same_queries_for_one_hit_or_a_full_page(client, count_queries):
    make_thread(
        make_user("firstwriter"), title="Balm number one", body="Lanolin.", treatment_month=2
    )
    db.session.commit()
    path = "/search?q=balm&dose=40_59&month_min=1&stage=on_treatment"
    with count_queries() as few:
        assert client.get(path.replace("&dose=40_59", "")).status_code == 200
    for n in range(12):
        thread = make_thread(
            make_user(f"writer{n}"),
            title=f"Balm number {n + 2}",
            body="Lanolin.",
            treatment_month=2,
            daily_dose_mg=40,
            stage=Stage.ON_TREATMENT,
        )
        make_post(thread, on_course(f"replier{n}", months_in=2, dose=45), body="Balm too.")
    db.session.commit()
    with count_queries() as many:
        response = client.get(path)
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('class="card search-hit"') == 10
    assert few.count == many.count, str(many)
