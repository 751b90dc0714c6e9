"""The schema comes only from the migrations, and it matches the models."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from forum.extensions import db

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


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


def test_migration_files_list_in_the_order_they_run():
    """``ls migrations/versions`` reads as the chain: NN_<revision>_<slug>.py, NN counting
    from 01 at the base (issue #10; migrations/README.md)."""
    script = ScriptDirectory(str(MIGRATIONS))
    chain = list(reversed(list(script.walk_revisions())))
    assert len(script.get_heads()) == 1
    names = [Path(revision.path).name for revision in chain]
    assert names == sorted(path.name for path in (MIGRATIONS / "versions").glob("*.py"))
    for position, (name, revision) in enumerate(zip(names, chain, strict=True), 1):
        assert name.startswith(f"{position:02d}_{revision.revision}_"), name
