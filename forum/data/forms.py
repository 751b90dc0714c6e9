"""Forms of /settings/data, /settings/delete and /settings/privacy (issue #13)."""

from wtforms import BooleanField, PasswordField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from forum.forms import Form

MODE_LABELS = {
    "keep": "Keep my posts, shown as written by “[former member]”",
    "erase": "Erase the text of all my posts too (each shows “[deleted]”; replies stay)",
}


class ExportForm(Form):
    """The "Download my data" button: only the CSRF token."""


class DeleteAccountForm(Form):
    password = PasswordField(
        "Your password", validators=[InputRequired("Enter your password to confirm.")]
    )
    mode = RadioField(
        "What happens to your posts",
        choices=[SelectChoice(value, label) for value, label in MODE_LABELS.items()],
        validators=[InputRequired("Choose what happens to your posts.")],
        invalid_choice_message="Choose keep or erase.",
    )


class PrivacyForm(Form):
    hide_replies = BooleanField("Hide my replies from my profile")
    noindex = BooleanField("Ask search engines not to index my profile and my threads")
    contribute = BooleanField("Count my journal in the community statistics")
