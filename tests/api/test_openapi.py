"""The published OpenAPI description (issue #18)."""

import re

from openapi_spec_validator import validate

from forum.api import openapi


def _template(rule: str) -> str:
    """``/api/v1/threads/<id:thread_id>`` as OpenAPI writes it: ``/api/v1/threads/{thread_id}``."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


def test_the_description_is_valid_openapi_3_1(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_api_rule_of_the_app_is_described(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    rules = {
        (_template(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    described = {(path, method) for path, item in paths.items() for method in item}
    assert rules, "no /api/v1 rule found"
    assert rules == described


def test_every_path_parameter_is_described(app):
    with app.test_request_context():
        document = openapi.document()
    for path, item in document["paths"].items():
        names = set(re.findall(r"{([^}]+)}", path))
        for operation in item.values():
            declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert declared == names, path
            assert {"200", "304", "429"} <= set(operation["responses"]), path
