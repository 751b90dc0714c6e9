from wtforms import IntegerField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from forum.forms import Form
from forum.guide.services import article_choices
from forum.models import REPORT_REASON_LABELS
from forum.models.moderation import Decision
from forum.moderation.labels import DECISION_LABELS
from forum.moderation.services import NOTE_MAX, REASON_MAX, SUSPEND_MAX_DAYS


class ReportForm(Form):
    reason = RadioField(
        "Why are you reporting this post?",
        choices=[SelectChoice(str(value), label) for value, label in REPORT_REASON_LABELS.items()],
        validators=[InputRequired(message="Choose a reason.")],
    )
    note = TextAreaField(
        "Anything the moderators should know (optional)",
        validators=[
            Optional(),
            Length(max=NOTE_MAX, message=f"Keep the note under {NOTE_MAX:,} characters."),
        ],
    )


class ActionForm(Form):
    action = RadioField(
        "Decision",
        choices=[SelectChoice(str(value), label) for value, label in DECISION_LABELS.items()],
        validators=[InputRequired(message="Choose an action.")],
    )
    reason = TextAreaField(
        "Reason",
        validators=[
            DataRequired(message="Give a reason: the author sees it."),
            Length(max=REASON_MAX, message=f"Keep the reason under {REASON_MAX:,} characters."),
        ],
    )
    days = IntegerField(
        "Days",
        validators=[
            Optional(),
            NumberRange(1, SUSPEND_MAX_DAYS, message=f"From 1 to {SUSPEND_MAX_DAYS} days."),
        ],
    )
    # The guide article a misinformation label links to, by slug (issue #5): choices are the
    # published articles, filled in when the form is built.
    article = SelectField(
        "Guide article",
        choices=[],
        validators=[Optional()],
        invalid_choice_message="There is no published guide article with that name.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.article.choices = [SelectChoice("", "None: advise talking to the prescriber")] + [
            SelectChoice(slug, title) for slug, title in article_choices()
        ]

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        # Days and article only matter for the action they belong to.
        if self.action.data != Decision.SUSPEND:
            self.days.errors, self.days.data = [], None
        elif self.days.data is None and not self.days.errors:
            self.days.errors = ["Give the length of the suspension in days."]
        if self.action.data != Decision.LABEL:
            self.article.errors, self.article.data = [], None
        return not any(f.errors for f in self)


class ConfirmForm(Form):
    """A button that changes state: only the CSRF token."""
