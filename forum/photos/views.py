"""Serving progress photos (issue #15).

``/photos/<id>`` and ``/photos/<id>/thumb`` ask the one visibility rule on every request
(``forum.photos.services.visible_photo``) and answer 404 to anyone it leaves out, whether
or not the photo exists. Only a photo anyone may see may be kept by a shared cache.
"""

from flask import Blueprint, abort, make_response, request
from flask_login import current_user

from forum.errors import NotFound
from forum.photos import services
from forum.photos.storage import storage
from forum.visibility.photos import is_public_photo

bp = Blueprint("photos", __name__)

PUBLIC_CACHE_CONTROL = "public, max-age=60"
PRIVATE_CACHE_CONTROL = "private, no-cache"


def _viewer():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _serve(photo_id: int, variant: str):
    try:
        photo = services.visible_photo(photo_id, _viewer())
    except NotFound:
        abort(404)
    data = storage().open(photo.key, variant)
    if data is None:
        abort(404)
    response = make_response(data)
    response.mimetype = photo.mimetype
    public = is_public_photo(photo, **photo.owner)
    response.headers["Cache-Control"] = PUBLIC_CACHE_CONTROL if public else PRIVATE_CACHE_CONTROL
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = f'inline; filename="photo.{photo.extension}"'
    response.set_etag(f"{photo.key}-{variant}")
    return response.make_conditional(request)


@bp.route("/photos/<id:photo_id>")
def show(photo_id):
    return _serve(photo_id, "display")


@bp.route("/photos/<id:photo_id>/thumb")
def thumb(photo_id):
    return _serve(photo_id, "thumb")
