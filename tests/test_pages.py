"""The help page, the community guidelines and the privacy notice (issues #2 and #4)."""

import json
import re

import pytest
from flask import render_template
from sqlalchemy import event

from forum.extensions import db
from forum.moderation.crisis import crisis_resources

INLINE_STYLE_OR_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)|\sstyle=|\son[a-z]+=", re.I)


def headings(html: str) -> list[tuple[int, str]]:
    return [
        (int(level), re.sub(r"<[^>]+>", "", text).strip())
        for level, text in re.findall(r"<h([1-6])[^>]*>(.*?)</h\1>", html, re.S)
    ]


def assert_headings_in_order(html: str) -> None:
    levels = [level for level, _ in headings(html)]
    assert levels[0] == 1 and levels.count(1) == 1
    for previous, level in zip(levels, levels[1:], strict=False):
        assert level <= previous + 1, f"heading level jumps from h{previous} to h{level}"


def test_help_page_lists_the_shipped_resources(client):
    response = client.get("/help")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Get help now</h1>" in html
    resources = crisis_resources()
    assert resources.emergency in html
    for resource in resources.resources:
        assert resource.name.replace("&", "&amp;") in html
        assert resource.how in html
    assert 'href="https://findahelpline.com"' in html
    assert 'href="tel:988"' in html and 'href="sms:988"' in html
    assert "116 123" in html and "13 11 14" in html and "1737" in html
    assert "tell your prescriber" in html
    assert_headings_in_order(html)
    assert not INLINE_STYLE_OR_SCRIPT.search(html)


def test_help_page_shows_a_deployments_own_resources(app, client, tmp_path):
    custom = tmp_path / "resources.json"
    custom.write_text(
        json.dumps(
            {
                "emergency": "In an emergency call 112 right away.",
                "resources": [
                    {
                        "region": "Germany",
                        "name": "TelefonSeelsorge",
                        "how": "Call 0800 111 0 111",
                        "url": "https://www.telefonseelsorge.de",
                        "tel": "08001110111",
                    }
                ],
                "prescriber": "Tell your doctor about any change in mood.",
            }
        ),
        encoding="utf-8",
    )
    app.config["CRISIS_RESOURCES_FILE"] = str(custom)
    try:
        html = client.get("/help").get_data(as_text=True)
    finally:
        app.config["CRISIS_RESOURCES_FILE"] = ""
    assert "In an emergency call 112 right away." in html
    assert "TelefonSeelsorge" in html and 'href="tel:08001110111"' in html
    assert "Tell your doctor about any change in mood." in html
    assert "Samaritans" not in html


def test_help_page_makes_no_database_queries(app, client):
    statements = []

    def count(*args, **kwargs):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get("/help")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    assert statements == []


def test_every_page_footer_links_to_help(client):
    for path in ("/", "/guidelines", "/privacy"):
        assert 'href="/help">Get help now</a>' in client.get(path).get_data(as_text=True)


def test_crisis_panel_reassures_and_lists_resources(app):
    with app.test_request_context():
        html = render_template("_partials/crisis_panel.html")
    assert 'role="alert"' in html and 'aria-labelledby="crisis-panel-title"' in html
    assert "You're not alone" in html
    assert "A moderator will see your post." in html
    for resource in crisis_resources().resources:
        assert resource.how in html
    assert 'href="/help"' in html
    assert not INLINE_STYLE_OR_SCRIPT.search(html)


def test_support_banner_lists_the_same_resources(app):
    with app.test_request_context():
        html = render_template("_partials/support_banner.html")
    assert 'aria-labelledby="support-banner-title"' in html
    resources = crisis_resources()
    assert resources.emergency in html
    for resource in resources.resources:
        assert resource.how in html
    assert 'href="/help"' in html


@pytest.mark.parametrize(
    ("path", "title", "sections"),
    [
        (
            "/guidelines",
            "Community guidelines",
            [
                "Share your experience, not medical advice",
                "Be kind",
                "Not allowed",
                "If you are struggling",
                "Reporting and moderation",
            ],
        ),
        (
            "/privacy",
            "Privacy notice",
            [
                "What we keep and why",
                "Your IP address and our logs",
                "What we do not do",
                "Your choices",
            ],
        ),
    ],
)
def test_legal_pages_show_their_headings_and_version(app, client, path, title, sections):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    found = headings(html)
    assert (1, title) in found
    for section in sections:
        assert (2, section) in found
    key = "GUIDELINES_VERSION" if path == "/guidelines" else "PRIVACY_VERSION"
    assert f"Version {app.config[key]}" in html
    assert f"at least {app.config['MIN_AGE']} years old" in html
    assert_headings_in_order(html)
    assert not INLINE_STYLE_OR_SCRIPT.search(html)


def test_legal_pages_follow_the_configured_version_and_age(app, client):
    saved = {key: app.config[key] for key in ("GUIDELINES_VERSION", "PRIVACY_VERSION", "MIN_AGE")}
    app.config.update(GUIDELINES_VERSION="2027-02", PRIVACY_VERSION="2027-03", MIN_AGE=18)
    try:
        guidelines = client.get("/guidelines").get_data(as_text=True)
        privacy = client.get("/privacy").get_data(as_text=True)
    finally:
        app.config.update(saved)
    assert "Version 2027-02" in guidelines and "at least 18 years old" in guidelines
    assert "Version 2027-03" in privacy and "at least 18 years old" in privacy


def test_privacy_notice_says_what_is_kept(client):
    html = client.get("/privacy").get_data(as_text=True)
    for fact in (
        "Never shown to anyone",
        "scrypt",
        "No IP address is stored with your account",
        "90 days",
        "never told who reported them",
        "No third-party scripts, fonts, trackers",
        "No real names",
        "never contain post text, email addresses, IP addresses",
    ):
        assert fact in html, fact
