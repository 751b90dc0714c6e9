"""Domain errors raised by services, and the application's error pages."""

import contextlib
import logging
import time

from flask import Flask, g, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from forum.extensions import db, limiter, login_manager

log = logging.getLogger(__name__)


class ForumError(Exception):
    """A rule was broken; the message is fit to show the user."""

    status = 400

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status


class NotFound(ForumError):
    status = 404


class PermissionDenied(ForumError):
    status = 403


class InvalidAction(ForumError):
    status = 409


class FieldErrors(ForumError):
    """Form input that breaks a rule; ``errors`` maps field names to messages (422)."""

    status = 422

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors

    def apply(self, form) -> None:
        """Show each message beside its field of ``form`` (or above the form)."""
        for name, message in self.errors.items():
            field = getattr(form, name, None)
            if field is None:
                form.form_errors.append(message)
            else:
                field.errors = [*field.errors, message]


class RateLimited(ForumError):
    status = 429

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


ERROR_TITLES = {
    400: "Bad request",
    401: "Sign-in needed",
    403: "Not allowed",
    404: "Page not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    422: "Check the form",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}

ERROR_MESSAGES = {
    400: "The request could not be understood. If you submitted a form, reload the page and "
    "try again.",
    403: "You don't have permission to do that.",
    404: "There is nothing here. The page may have been moved, removed or hidden.",
    405: "That address does not accept this kind of request.",
    413: "What you sent is larger than this site accepts.",
    429: "You've done that too many times in a short while.",
    500: "An error on our side stopped this page. It has been logged; please try again.",
    503: "The forum can't reach its database right now. Please try again in a minute.",
}


CSRF_MESSAGE = (
    "This form had expired or did not come from this site, so nothing was done. "
    "Go back, reload the page and try again."
)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(status: int, message: str | None = None, *, retry_after: int | None = None):
    message = message or ERROR_MESSAGES.get(status, "Error.")
    if status == 503 and retry_after is None:
        retry_after = 30
    if request.path.startswith("/api/"):
        response = problem_response(status, message)
    elif wants_json():
        response = jsonify(error=ERROR_TITLES.get(status, "Error"), message=message)
        response.status_code = status
    else:
        template = "errors/error.html"
        if status == 503:
            # Render without touching the database: it may be what is down. Flask-Login's
            # context processor would load the user for any template, so stand in anonymous.
            g.db_down = True
            if "_login_user" not in g:
                g._login_user = login_manager.anonymous_user()
            template = "errors/503.html"
        try:
            html = render_template(
                template,
                status=status,
                title=ERROR_TITLES.get(status, "Error"),
                message=message,
                retry_after=retry_after,
            )
        except DBAPIError as exc:
            # The layout loads the signed-in user; with the database away, even an error
            # page about something else can only say that.
            if status == 503 or not _is_database_down(exc):
                raise
            with contextlib.suppress(Exception):
                db.session.rollback()
            return error_response(503)
        response = make_response(html, status)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def problem_response(status: int, detail: str):
    """An API error as RFC 9457 problem details (issue #18)."""
    response = jsonify(
        type="about:blank", title=ERROR_TITLES.get(status, "Error"), status=status, detail=detail
    )
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _is_database_down(exc: Exception) -> bool:
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ForumError)
    def handle_forum_error(exc: ForumError):
        retry_after = getattr(exc, "retry_after", None)
        return error_response(exc.status, str(exc), retry_after=retry_after)

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException):
        status = exc.code or 500
        if status == 429:
            retry_after = _retry_after_from_limiter()
            message = _retry_message(retry_after)
            return error_response(429, message, retry_after=retry_after)
        message = None
        if isinstance(exc, CSRFError):
            message = CSRF_MESSAGE
        elif (
            status in (400, 403, 404)
            and exc.description
            and exc.description != type(exc).description
        ):
            message = exc.description
        return error_response(status, message)

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        # The database may be the thing that failed; the rollback must not hide the error.
        with contextlib.suppress(Exception):
            db.session.rollback()
        if isinstance(exc, DBAPIError) and _is_database_down(exc):
            g.db_down = True
            log.warning("database unavailable: %s", type(exc.orig).__name__)
            return error_response(503, retry_after=30)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500)


def _retry_after_from_limiter() -> int:
    limit = getattr(g, "view_rate_limit", None)
    if limit is None:
        return 60
    try:
        reset_at, _remaining = limiter.limiter.get_window_stats(limit[0], *limit[1])
    except Exception:
        return 60
    return max(1, int(reset_at - time.time()))


def _retry_message(retry_after: int) -> str:
    wait = humanize_seconds(retry_after)
    return f"You've done that too many times in a short while. Try again in {wait}."


def humanize_seconds(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = (seconds + 59) // 60
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = (minutes + 59) // 60
    return f"{hours} hour{'s' if hours != 1 else ''}"
