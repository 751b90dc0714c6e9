from urllib.parse import urlencode

import pytest
from flask import g, request_started


@pytest.fixture(autouse=True)
def login_url(app, monkeypatch):
    """Build /login for the 302-to-login checks even where the accounts blueprint (issue #2)
    does not define auth.login; once it does, this handler is never called."""

    def build(error, endpoint, values):
        if endpoint != "auth.login":
            raise error
        return "/login" + (f"?{urlencode(values)}" if values else "")

    monkeypatch.setattr(app, "url_build_error_handlers", [*app.url_build_error_handlers, build])


@pytest.fixture(autouse=True)
def user_per_request(app):
    """Load the signed-in user from each request's own cookie.

    Test requests reuse the test's application context, so ``g`` outlives a request and
    Flask-Login would serve the first request's user (and unread count) to every later
    request, even from another client.
    """

    def forget(_sender, **_extra):
        g.pop("_login_user", None)

    request_started.connect(forget, app)
    yield
    request_started.disconnect(forget, app)
