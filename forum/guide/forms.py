"""The admins' article form (issue #5): shapes only; the rules are in services."""

from datetime import date

from wtforms import BooleanField, DateField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from forum.forms import Form
from forum.guide.services import BODY_MAX, REVIEWER_MAX, SUMMARY_MAX, TITLE_MAX


def strip(value):
    return value.strip() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ReviewDateField(DateField):
    """A date input whose parse error says what to type."""

    def process_formdata(self, valuelist):
        if not valuelist or not (valuelist[0] or "").strip():
            self.data = None
            return
        try:
            self.data = date.fromisoformat(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError("Enter a date like 2026-11-20.") from None


class ArticleForm(Form):
    title = StringField(
        "Title",
        validators=[
            InputRequired("Give the article a title."),
            Length(max=TITLE_MAX, message=f"A title is at most {TITLE_MAX} characters."),
        ],
        filters=[strip],
    )
    summary = TextAreaField(
        "Summary",
        validators=[
            InputRequired("Write a one-paragraph summary: tag pages and the hub show it."),
            Length(max=SUMMARY_MAX, message=f"Keep the summary under {SUMMARY_MAX} characters."),
        ],
        filters=[strip],
    )
    body = TextAreaField(
        "Article (Markdown)",
        validators=[
            InputRequired("The article needs a body."),
            Length(max=BODY_MAX, message=f"Keep the article under {BODY_MAX:,} characters."),
        ],
    )
    tags = MultiCheckboxField(
        "Topics", choices=[], invalid_choice_message="Choose topics from the list."
    )
    published = BooleanField("Published: readers can see it")
    reviewed_by = StringField(
        "Reviewed by",
        validators=[
            Optional(),
            Length(max=REVIEWER_MAX, message=f"Keep it under {REVIEWER_MAX} characters."),
        ],
        filters=[strip],
    )
    last_reviewed = ReviewDateField("Last reviewed", validators=[Optional()])

    def validate_tags(self, field):
        if not field.data:
            raise ValidationError("Link the article to at least one topic.")
