"""The photo fields of the new-thread, reply and journal-entry forms (issue #15)."""

from wtforms import MultipleFileField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from forum.forms import Form
from forum.models import PHOTO_VISIBILITY_LABELS, PhotoVisibility


class PhotoFields:
    """``photos`` (up to PHOTO_PER_POST files) and ``photo_visibility``; mixed into a form.

    The files are checked by the services (``forum.photos.services.prepare``), which say
    precisely what is wrong with which one.
    """

    photos = MultipleFileField("Photos (optional)")
    photo_visibility = RadioField(
        "Who may see the photos",
        choices=[
            SelectChoice(str(value), label) for value, label in PHOTO_VISIBILITY_LABELS.items()
        ],
        default=str(PhotoVisibility.PRIVATE),
    )

    @property
    def photo_files(self) -> list:
        return [f for f in (self.photos.data or []) if hasattr(f, "stream")]


class RemovePhotoForm(Form):
    """A moderator takes one photo off a post that stays (the reason goes to the log)."""

    reason = TextAreaField("Why remove this photo", validators=[InputRequired(), Length(max=500)])
