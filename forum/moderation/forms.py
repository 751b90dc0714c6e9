from wtforms import IntegerField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from forum.forms import Form

try:
    from wtforms.fields.choices import SelectChoice
except ImportError:  # WTForms before 3.3 takes (value, label) pairs

    def SelectChoice(value, label):  # noqa: N802 - stands in for the class
        return (value, label)


from forum.guide.services import article_choices
from forum.models import REPORT_REASON_LABELS
from forum.models.moderation import Decision
from forum.moderation.labels import DECISION_LABELS, FOLLOW_UP_LABELS, REASON_OPTIONAL
from forum.moderation.services import (
    APPEAL_MAX,
    NOTE_BODY_MAX,
    NOTE_MAX,
    REASON_MAX,
    SUSPEND_MAX_DAYS,
)


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
    # Required for every decision against a member, optional for approve and dismiss
    # (issue #16): checked in validate below.
    reason = TextAreaField(
        "Reason",
        validators=[
            Optional(),
            Length(max=REASON_MAX, message=f"Keep the reason under {REASON_MAX:,} characters."),
        ],
    )
    follow_up = RadioField(
        "How you followed it up",
        choices=[SelectChoice(str(value), label) for value, label in FOLLOW_UP_LABELS.items()],
        validators=[Optional()],
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
        if self.action.data != Decision.FOLLOWED_UP:
            self.follow_up.errors, self.follow_up.data = [], None
        elif not self.follow_up.data and not self.follow_up.errors:
            self.follow_up.errors = ["Say how you followed it up."]
        needs_reason = self.action.data and self.action.data not in REASON_OPTIONAL
        if needs_reason and not (self.reason.data or "").strip() and not self.reason.errors:
            self.reason.errors = ["Give a reason: the author sees it."]
        return not any(f.errors for f in self)


class ConfirmForm(Form):
    """A button that changes state: only the CSRF token."""


class AppealForm(Form):
    body = TextAreaField(
        "Why should the moderators look again?",
        validators=[
            DataRequired(message="Say why the decision should change."),
            Length(max=APPEAL_MAX, message=f"Keep the appeal under {APPEAL_MAX:,} characters."),
        ],
    )


class AppealDecisionForm(Form):
    action = RadioField(
        "Outcome",
        choices=[
            SelectChoice("uphold", "Uphold: the decision stands"),
            SelectChoice("grant", "Grant: take the decision back"),
        ],
        validators=[InputRequired(message="Choose an outcome.")],
    )
    reason = TextAreaField(
        "Reason",
        validators=[
            DataRequired(message="Give a reason: the member sees it."),
            Length(max=REASON_MAX, message=f"Keep the reason under {REASON_MAX:,} characters."),
        ],
    )


class NoteForm(Form):
    body = TextAreaField(
        "Note for the moderators",
        validators=[
            DataRequired(message="Write the note."),
            Length(max=NOTE_BODY_MAX, message=f"Keep the note under {NOTE_BODY_MAX:,} characters."),
        ],
    )
