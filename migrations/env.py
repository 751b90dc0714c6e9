"""Alembic environment, run by Flask-Migrate inside the application context."""

import logging

from alembic import context
from flask import current_app

config = context.config
logger = logging.getLogger("alembic.env")


def get_engine():
    return current_app.extensions["migrate"].db.engine


def get_metadata():
    return current_app.extensions["migrate"].db.metadata


def run_migrations_offline():
    url = get_engine().url.render_as_string(hide_password=False)
    context.configure(
        url=url,
        target_metadata=get_metadata(),
        literal_binds=True,
        include_object=current_app.extensions["migrate"].configure_args.get("include_object"),
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _foreign_keys(connection, *, on: bool) -> None:
    # On the driver's own connection, which runs in autocommit (the app's SQLite setup
    # emits BEGIN itself): inside a transaction SQLite ignores this pragma.
    connection.connection.dbapi_connection.execute(f"PRAGMA foreign_keys = {int(on)}")


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        # No empty revision files from an autogenerate that found nothing.
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)

    with get_engine().connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch operations rebuild a SQLite table (copy, drop, rename): with foreign keys
            # on, dropping `users` would cascade into every table that points at it. The
            # pragma only takes effect outside a transaction, hence before it begins.
            _foreign_keys(connection, on=False)
        context.configure(connection=connection, target_metadata=get_metadata(), **conf_args)
        try:
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if sqlite:
                # Back on even when a migration fails or none ran: the connection returns to
                # the pool. SQLite has no transactional DDL here, so alembic leaves open the
                # transaction its version check began, and inside one the pragma is ignored;
                # it is ended first (the connection's exit would roll it back anyway).
                if connection.in_transaction():
                    connection.rollback()
                _foreign_keys(connection, on=True)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
