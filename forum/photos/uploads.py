"""Photos sent with a form (issue #15): the larger request they need, and the two steps a
view takes around its own service call.

Only the routes that take photos accept a request larger than ``MAX_CONTENT_LENGTH``: up
to PHOTO_PER_POST files of PHOTO_MAX_BYTES on top of it. The limit is raised before
anything reads the body (a URL value preprocessor runs before every ``before_request``
function, CSRF's included).
"""

from flask import Flask, current_app, request

from forum.photos import services

UPLOAD_ENDPOINTS = frozenset({"threads.reply", "threads.new", "journals.add_entry"})
# Room for the multipart boundaries and headers of each file part.
PART_OVERHEAD = 4096


def upload_limit(config) -> int:
    per_file = int(config["PHOTO_MAX_BYTES"]) + PART_OVERHEAD
    return int(config["MAX_CONTENT_LENGTH"]) + int(config["PHOTO_PER_POST"]) * per_file


def init_app(app: Flask) -> None:
    @app.url_value_preprocessor
    def _allow_photos(endpoint, _values):
        if endpoint in UPLOAD_ENDPOINTS and request.method == "POST":
            request.max_content_length = upload_limit(current_app.config)


def prepare(form) -> list:
    """The form's photos checked and re-encoded (none written yet). Raises PhotoRefused."""
    return services.prepare(form.photo_files)


def attach(form, author, prepared: list, **owner) -> list:
    """Store the prepared photos on ``post=`` or ``entry=``. Raises PhotoRefused (429)."""
    return services.attach(author, prepared, form.photo_visibility.data, **owner)


def show_error(form, exc) -> bool:
    """Put a refused photo's message beside the photos field; False for other errors."""
    if not isinstance(exc, services.PhotoRefused):
        return False
    form.photos.errors = [*form.photos.errors, str(exc)]
    return True
