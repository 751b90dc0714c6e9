from wtforms import BooleanField, HiddenField, SelectField
from wtforms.fields.choices import SelectChoice

from forum.forms import Form
from forum.notifications.email import CHOICES, EMAIL_KINDS, KIND_LABELS

CHOICE_LABELS = {"off": "No email", "each": "An email for each", "digest": "A daily digest"}


class MarkReadForm(Form):
    """The "Mark all as read" button: only the CSRF token."""


class FollowForm(Form):
    """Watch / Stop watching and Follow / Stop following: the token and where to go back."""

    next = HiddenField()


class UnsubscribeForm(Form):
    """The one-click button of an unsubscribe link: no CSRF token (see the view)."""

    class Meta:
        csrf = False


def _email_field(kind: str) -> SelectField:
    return SelectField(
        KIND_LABELS[kind],
        choices=[SelectChoice(value, CHOICE_LABELS[value]) for value in CHOICES],
        invalid_choice_message="Choose one of the options.",
        default="off",
    )


class NotificationSettingsForm(Form):
    """/settings/notifications: one select per kind of mail, two checkboxes."""

    email_reply = _email_field("reply")
    email_watched = _email_field("watched")
    email_mention = _email_field("mention")
    email_moderation = _email_field("moderation")
    email_checkin = _email_field("checkin")
    auto_watch = BooleanField("Watch the threads I start and reply in")
    include_excerpts = BooleanField("Quote the post in notification mail")

    EMAIL_FIELDS = tuple(f"email_{kind}" for kind in EMAIL_KINDS)
