"""The crisis matcher, its phrase file format, and the crisis resources (issue #4)."""

import json
import time
from pathlib import Path

import pytest

from forum.moderation import crisis
from forum.moderation.crisis import (
    PhraseFileError,
    compile_pattern,
    crisis_resources,
    find_crisis_phrase,
    load_phrases,
    matches_crisis,
    parse_phrase_text,
    parse_resources,
)

EXAMPLES = json.loads(
    (Path(__file__).parent.parent / "data" / "crisis_examples.json").read_text(encoding="utf-8")
)


def test_the_labelled_examples_are_plentiful():
    assert len(EXAMPLES["must_match"]) >= 40
    assert len(EXAMPLES["must_not_match"]) >= 40
    assert not set(EXAMPLES["must_match"]) & set(EXAMPLES["must_not_match"])


@pytest.mark.parametrize("text", EXAMPLES["must_match"])
def test_must_match(text):
    assert matches_crisis(text), f"should match: {text!r}"


@pytest.mark.parametrize("text", EXAMPLES["must_not_match"])
def test_must_not_match(text):
    assert find_crisis_phrase(text) is None, f"should not match: {text!r}"


def test_returns_the_phrase_as_written():
    assert find_crisis_phrase("Honestly I Want  To… DIE today") == "Want  To… DIE"
    assert find_crisis_phrase("i don’t want to live") == "don’t want to live"


def test_empty_text_does_not_match():
    assert find_crisis_phrase("") is None
    assert find_crisis_phrase(None) is None
    assert not matches_crisis("   ")


def test_a_negation_cancels_only_the_phrase_right_after_it():
    assert find_crisis_phrase("I'm not suicidal.") is None
    assert find_crisis_phrase("I'm not suicidal. I'm suicidal.") == "I'm suicidal"
    # Another word between the negation and the phrase keeps the match.
    assert matches_crisis("not gonna lie, suicide crosses my mind")
    # Sentence punctuation between them keeps the match too.
    assert matches_crisis("Not really. I want to die")


def test_a_mention_only_excuses_a_topic_in_its_own_sentence():
    assert not matches_crisis("The leaflet mentions suicide.")
    assert matches_crisis("The leaflet is long. Suicide is on my mind.")
    # First-person phrases count even after a mention word.
    assert matches_crisis("The leaflet mentions it and I want to kill myself")


def test_matching_ignores_words_inside_other_words():
    assert not matches_crisis("the kmsx project")
    assert not matches_crisis("skill myself up")


def test_matches_misspellings_and_slang():
    for text in ("suicidle", "sucidal", "suisidal", "su1cide", "unalive", "kms", "selfharm"):
        assert matches_crisis(text), text


# The phrase file format -----------------------------------------------------------------


def test_words_match_across_spaces_and_punctuation():
    pattern = compile_pattern("want to die")
    assert pattern.search("want to die")
    assert pattern.search("WANT   to -- die")
    assert pattern.search("want\nto\tdie")
    assert not pattern.search("wanttodie")
    assert not pattern.search("want to diet")


def test_groups_offer_alternatives_and_an_empty_one_makes_them_optional():
    pattern = compile_pattern("(end|take) my (own|) life")
    for text in ("end my life", "take my own life", "TAKE MY OWN LIFE"):
        assert pattern.search(text), text
    assert not pattern.search("save my life")
    leading = compile_pattern("(really|) sad")
    assert leading.search("really sad") and leading.search("sad")
    multiword = compile_pattern("(i am|i'm) tired")
    assert multiword.search("I am tired") and multiword.search("im tired")


def test_a_star_stem_matches_any_ending():
    pattern = compile_pattern("suicid*")
    for text in ("suicide", "suicidal", "suicidality", "Suicidle"):
        assert pattern.search(text), text
    assert not pattern.search("presuicide")


def test_apostrophes_may_be_straight_curly_or_missing():
    pattern = compile_pattern("don't")
    for text in ("don't", "don’t", "dont", "DON‘T"):
        assert pattern.search(text), text


def test_the_last_letter_may_repeat():
    assert compile_pattern("die").search("dieeee")
    assert compile_pattern("to").search("too")


@pytest.mark.parametrize(
    "line",
    ["(want|to die", "want) to die", "((a|b)|c)", "(|)", "(a|) (|b)", "want to die!", "a*b"],
)
def test_bad_patterns_are_refused(line):
    with pytest.raises(ValueError):
        compile_pattern(line)


def test_the_parser_reads_sections_and_skips_comments():
    phrases = parse_phrase_text(
        "# comment\n\n[phrases]\nwant to die\n[topics]\nsuicid*\n[idioms]\nsuicide squad\n"
        "[negations]\nnot\ndon't\n[negation-fillers]\nreally\n[mentions]\nleaflet\n"
    )
    assert len(phrases.phrases) == 1 and len(phrases.topics) == 1
    assert phrases.negations == {"not", "dont"}
    assert phrases.fillers == {"really"}
    assert find_crisis_phrase("watching suicide squad", phrases) is None
    assert find_crisis_phrase("not really suicidal", phrases) is None
    assert find_crisis_phrase("the leaflet says suicide", phrases) is None
    assert find_crisis_phrase("I want to die", phrases) == "want to die"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("want to die\n", "line 1: a line before any [section]"),
        ("[phrases]\nok\n[feelings]\n", "line 3: unknown section [feelings]"),
        ("[phrases]\n\n(want to die\n", "line 3:"),
        ("[negations]\nnot really\n", "line 2: [negations] takes single words"),
        ("[idioms]\nsuicide squad\n", "no [phrases] or [topics]"),
    ],
)
def test_a_malformed_phrase_file_names_the_file_and_line(text, message):
    with pytest.raises(PhraseFileError) as excinfo:
        parse_phrase_text(text, name="custom.txt")
    assert str(excinfo.value).startswith("custom.txt")
    assert message in str(excinfo.value)


def test_the_shipped_phrase_file_parses():
    phrases = load_phrases(str(crisis.DEFAULT_PHRASES_FILE))
    assert len(phrases.phrases) > 30 and len(phrases.topics) > 5
    assert {"not", "never", "dont"} <= phrases.negations


def test_a_configured_phrase_file_replaces_the_shipped_one(app, tmp_path):
    custom = tmp_path / "phrases.txt"
    custom.write_text("[phrases]\nfeeling hopeless\n", encoding="utf-8")
    app.config["CRISIS_PHRASES_FILE"] = str(custom)
    try:
        assert find_crisis_phrase("I've been feeling hopeless") == "feeling hopeless"
        assert not matches_crisis("I want to die")
        # Loaded once per path: a second call reuses the compiled set.
        assert load_phrases(str(custom)) is load_phrases(str(custom))
    finally:
        app.config["CRISIS_PHRASES_FILE"] = ""
    assert matches_crisis("I want to die")


def test_a_missing_phrase_file_is_a_clear_error(app, tmp_path):
    app.config["CRISIS_PHRASES_FILE"] = str(tmp_path / "missing.txt")
    try:
        with pytest.raises(PhraseFileError, match="missing.txt"):
            matches_crisis("anything")
    finally:
        app.config["CRISIS_PHRASES_FILE"] = ""


# Crisis resources -----------------------------------------------------------------------


def test_the_shipped_resources_cover_the_main_countries():
    resources = crisis_resources()
    assert "emergency number" in resources.emergency
    by_region = {resource.region: resource for resource in resources.resources}
    assert by_region["Any country"].url == "https://findahelpline.com"
    assert "988" in by_region["United States"].how
    assert "116 123" in by_region["United Kingdom and Ireland"].how
    assert "988" in by_region["Canada"].how
    assert "13 11 14" in by_region["Australia"].how
    assert "1737" in by_region["New Zealand"].how
    assert "prescriber" in resources.prescriber


def test_a_configured_resources_file_replaces_the_shipped_one(app, tmp_path):
    custom = tmp_path / "resources.json"
    custom.write_text(
        json.dumps(
            {
                "emergency": "Call 112.",
                "resources": [{"region": "Germany", "name": "TelefonSeelsorge", "how": "0800"}],
            }
        ),
        encoding="utf-8",
    )
    app.config["CRISIS_RESOURCES_FILE"] = str(custom)
    try:
        resources = crisis_resources()
        assert resources.emergency == "Call 112."
        assert [r.name for r in resources.resources] == ["TelefonSeelsorge"]
        assert resources.prescriber == ""
    finally:
        app.config["CRISIS_RESOURCES_FILE"] = ""
    assert len(crisis_resources().resources) > 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "expected a JSON object"),
        ({"resources": []}, "'emergency'"),
        ({"emergency": "x", "resources": []}, "non-empty"),
        ({"emergency": "x", "resources": [{"region": "A", "name": "B"}]}, "'how'"),
        (
            {"emergency": "x", "resources": [{"region": "A", "name": "B", "how": "C", "x": 1}]},
            "unknown keys",
        ),
        (
            {"emergency": "x", "resources": [{"region": "A", "name": "B", "how": "C", "url": "j"}]},
            "'url'",
        ),
    ],
)
def test_malformed_resources_are_refused_naming_the_file(data, message):
    with pytest.raises(ValueError) as excinfo:
        parse_resources(data, name="mine.json")
    assert str(excinfo.value).startswith("mine.json")
    assert message in str(excinfo.value)


def test_long_and_hostile_text_is_matched_quickly():
    started = time.perf_counter()
    hostile = [
        "a" * 50000,
        "not " * 10000 + "suicidal",
        "want to " * 5000,
        "!@#$%^&*() " * 5000,
        "the leaflet mentions suicide. " * 1500,
    ]
    results = [find_crisis_phrase(text) for text in hostile]
    assert results == [None] * len(hostile)
    assert find_crisis_phrase("lorem ipsum " * 4000 + "i want to die") == "want to die"
    assert time.perf_counter() - started < 10
