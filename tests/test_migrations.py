"""The schema comes only from the migrations, and it matches the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import current_app

from forum.extensions import db


def test_migrated_schema_matches_models(app):
    args = current_app.extensions["migrate"].configure_args
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": args["include_object"], "compare_type": True}
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": True}
