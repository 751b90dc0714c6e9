"""Forms for threads and posts (issue #3): shapes only; the rules are in services."""

import re
import secrets

from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from forum.forms import Form
from forum.models import AUDIENCE_LABELS, STAGE_LABELS, Audience, Stage
from forum.photos.forms import PhotoFields
from forum.threads.services import BODY_MAX, TAGS_MAX, TAGS_MIN, TITLE_MAX, TITLE_MIN
from forum.validation import int_or_none

NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def strip(value):
    return value.strip() if isinstance(value, str) else value


def normalise_newlines(value):
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


class WholeNumberField(IntegerField):
    """An IntegerField whose parse error says what to type."""

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0] in ("", None):
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError("Enter a whole number.") from None


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _valid_nonce(form, field):
    if field.data and not NONCE_RE.match(field.data):
        field.data = new_nonce()


BODY_FIELD_VALIDATORS = [
    InputRequired("Write something first."),
    Length(max=BODY_MAX, message=f"Keep it under {BODY_MAX:,} characters."),
]


class PostFormMixin:
    def ensure_nonce(self) -> None:
        if not self.nonce.data:
            self.nonce.data = new_nonce()

    @property
    def wants_preview(self) -> bool:
        return bool(self.preview.data)


def title_field() -> StringField:
    return StringField(
        "Title",
        validators=[
            InputRequired("Give your thread a title."),
            Length(
                min=TITLE_MIN,
                max=TITLE_MAX,
                message=f"A title is {TITLE_MIN} to {TITLE_MAX} characters.",
            ),
        ],
        filters=[strip],
    )


def audience_field() -> RadioField:
    """Who reads the thread in full (issue #13); "everyone" when the field is left out."""
    return RadioField(
        "Who can read it",
        choices=[SelectChoice(str(value), label) for value, label in AUDIENCE_LABELS.items()],
        default=str(Audience.EVERYONE),
        invalid_choice_message="Choose everyone or members only.",
    )


class ExperienceFields:
    """Topics and experience details: a new thread's, and its author's corrections."""

    tags = MultiCheckboxField(
        "Topics", choices=[], invalid_choice_message="Choose topics from the list."
    )
    stage = SelectField(
        "Stage",
        choices=[SelectChoice("", "Not saying")]
        + [SelectChoice(str(stage), label) for stage, label in STAGE_LABELS.items()],
        invalid_choice_message="Choose a stage from the list.",
        validators=[Optional()],
    )
    treatment_month = WholeNumberField(
        "Treatment month",
        validators=[Optional(), NumberRange(1, 24, "The treatment month is from 1 to 24.")],
    )
    months_since = WholeNumberField(
        "Months since finishing",
        validators=[Optional(), NumberRange(0, 120, "Months since finishing is from 0 to 120.")],
    )
    daily_dose_mg = WholeNumberField(
        "Daily dose (mg)",
        validators=[Optional(), NumberRange(1, 200, "The daily dose is from 1 to 200 mg.")],
    )

    def validate_tags(self, field):
        if not TAGS_MIN <= len(field.data or []) <= TAGS_MAX:
            raise ValidationError(f"Choose {TAGS_MIN} to {TAGS_MAX} topics.")

    def validate_treatment_month(self, field):
        if field.data is not None and self.stage.data not in ("", Stage.ON_TREATMENT):
            raise ValidationError("A treatment month goes with the stage “On treatment”.")

    def validate_months_since(self, field):
        if field.data is None:
            return
        if self.stage.data not in ("", Stage.FINISHED):
            raise ValidationError("Months since finishing goes with the stage “Finished”.")
        if self.treatment_month.data is not None:
            raise ValidationError("Give a treatment month or months since finishing, not both.")


class ThreadForm(PhotoFields, PostFormMixin, ExperienceFields, Form):
    title = title_field()
    body = TextAreaField(
        "Your experience", validators=BODY_FIELD_VALIDATORS, filters=[normalise_newlines]
    )
    visibility = audience_field()
    nonce = HiddenField(validators=[_valid_nonce])
    submit = SubmitField("Post")
    preview = SubmitField("Preview")


def tag_choices(tags) -> list[SelectChoice]:
    return [SelectChoice(tag.slug, tag.name) for tag in tags]


class ReplyForm(PhotoFields, PostFormMixin, Form):
    body = TextAreaField(
        "Your reply", validators=BODY_FIELD_VALIDATORS, filters=[normalise_newlines]
    )
    parent_id = HiddenField()
    nonce = HiddenField(validators=[_valid_nonce])
    submit = SubmitField("Post reply")
    preview = SubmitField("Preview")

    def validate_parent_id(self, field):
        if field.data and int_or_none(field.data) is None:
            raise ValidationError("That reply link is broken; reply to the thread instead.")

    @property
    def parent(self) -> int | None:
        return int_or_none(self.parent_id.data)


class EditPostForm(ExperienceFields, Form):
    """An edit of one's post; the opening post's also corrects the thread's title, topics
    and experience details (issue #11), and the view drops those fields for a reply."""

    DETAIL_FIELDS = ("tags", "stage", "treatment_month", "months_since", "daily_dose_mg")

    title = title_field()
    # Sent by the page that shows the details: a form without it edits the text only.
    details = HiddenField()
    body = TextAreaField("Text", validators=BODY_FIELD_VALIDATORS, filters=[normalise_newlines])
    visibility = audience_field()
    confirm_public = BooleanField("Yes, make those replies public too")
    submit = SubmitField("Save changes")
    preview = SubmitField("Preview")

    @property
    def wants_preview(self) -> bool:
        return bool(self.preview.data)

    @property
    def sent_details(self) -> bool:
        return bool(self.details.raw_data)

    def drop_details(self, *, title: bool = False) -> None:
        """Leave out the topics and experience details (and with ``title`` the title: a
        reply has text only)."""
        for name in (*self.DETAIL_FIELDS, "details", *(("title",) if title else ())):
            delattr(self, name)


class ConfirmForm(Form):
    """A button that changes state: only the CSRF token."""
