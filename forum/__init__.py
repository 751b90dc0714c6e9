"""The forum application."""

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, INSTANCE, apply_env, ensure_secret_key, resolve_base_url

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_class: type | None = None) -> Flask:
    """Build the app; without a class, FORUM_CONFIG picks one (development by default)."""
    if config_class is None:
        config_class = CONFIGS[os.environ.get("FORUM_CONFIG", "development")]
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        # INSTANCE_PATH, like the settings that live there (the secret key, the outbox).
        instance_path=str(INSTANCE),
    )
    app.config.from_object(config_class)
    apply_env(app.config)
    ensure_secret_key(app.config)
    resolve_base_url(app.config)

    from forum import (
        cache,
        cli,
        cookie_sessions,
        database,
        errors,
        logs,
        security,
        sync,
        templating,
        urls,
    )
    from forum.auth.sessions import init_login
    from forum.extensions import csrf, db, limiter, login_manager, migrate

    logs.init_logging(app)
    cache.init_cache(app)
    db.init_app(app)
    sync.init_app(app)
    database.init_database(app)
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        include_object=database.include_object,
    )
    login_manager.init_app(app)
    init_login(app)
    csrf.init_app(app)
    cookie_sessions.init_cookie_sessions(app)  # after CSRFProtect: its template global
    limiter.init_app(app)

    urls.init_url_map(app)  # the converters must exist before any rule is added
    from forum.photos import uploads

    uploads.init_app(app)  # larger requests for the routes that take photos (issue #15)

    from forum.api.settings import bp as tokens_bp
    from forum.api.views import bp as api_bp
    from forum.auth.views import bp as auth_bp
    from forum.bookmarks.views import bp as bookmarks_bp
    from forum.contact.views import bp as contact_bp
    from forum.data.views import bp as data_bp
    from forum.guide.views import bp as guide_bp
    from forum.journals.views import bp as journals_bp
    from forum.moderation.views import bp as moderation_bp
    from forum.notifications.views import bp as notifications_bp
    from forum.pages.views import bp as pages_bp
    from forum.photos.views import bp as photos_bp
    from forum.search.views import bp as search_bp
    from forum.tags.views import bp as tags_bp
    from forum.threads.views import bp as threads_bp
    from forum.users.views import bp as users_bp

    for blueprint in (
        pages_bp,
        auth_bp,
        users_bp,
        tags_bp,
        threads_bp,
        moderation_bp,
        notifications_bp,
        bookmarks_bp,
        guide_bp,
        search_bp,
        journals_bp,
        api_bp,
        tokens_bp,
        data_bp,
        contact_bp,
        photos_bp,
    ):
        app.register_blueprint(blueprint)

    errors.register_error_handlers(app)
    security.register_security_headers(app)
    templating.init_templating(app)
    cli.register_commands(app)
    proxies = int(app.config["PROXY_FIX_X_FOR"])
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    # Outermost, so no layer below ever sees a script root the client chose (issue #9).
    app.wsgi_app = security.PinnedOrigin(app.wsgi_app, app.config)
    return app
