"""Fuzz every API endpoint from its OpenAPI description (issue #18).

Schemathesis generates requests from /api/v1/openapi.json and checks every answer: no 5xx,
a documented status and content type, a body that matches its schema. It runs as a
library under Hypothesis (its pytest plugin does not run on this pytest): one test per
endpoint, a few examples each so the suite stays short, derandomized so CI repeats itself.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from forum.api import openapi, tokens
from forum.extensions import db
from forum.notifications.services import notify
from tests.api.world import build_world

EXAMPLES = 30
# Values of the right shape that a rule still refuses, with a documented 400: an opaque
# cursor that is not one of ours, month_min above month_max, a month past 24 outside
# stage=finished. The schema cannot say these, so "valid data accepted" is not checked.
EXCLUDED = [positive_data_acceptance]


@pytest.fixture
def api_schema(app, monkeypatch):
    monkeypatch.setitem(app.config, "API_LIMIT", "100000 per minute")
    world = build_world()
    notify(world.author, "warning", "Be kind.", post=world.reply)
    _, token = tokens.create_token(world.author, name="Fuzzing", days=30)
    db.session.commit()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app), token


@pytest.mark.parametrize("path", sorted(openapi.paths()))
def test_every_endpoint_answers_as_described(api_schema, path):
    schema, token = api_schema
    operation = schema[path]["GET"]
    headers = {"Authorization": f"Bearer {token}"} if path.startswith("/api/v1/me") else {}

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_described(case):
        case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)

    answers_as_described()
