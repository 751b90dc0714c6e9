"""The form at /settings/tokens (issue #18)."""

from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length

from forum.api.tokens import NAME_MAX, TOKEN_DAYS
from forum.forms import Form

try:
    from wtforms.fields.choices import SelectChoice
except ImportError:  # WTForms before 3.3 takes (value, label) pairs

    def SelectChoice(value, label):  # noqa: N802 - stands in for the class
        return (value, label)


class TokenForm(Form):
    name = StringField(
        "What it is for",
        validators=[
            InputRequired("Give the token a name, so you know later what it is for."),
            Length(max=NAME_MAX, message=f"At most {NAME_MAX} characters."),
        ],
    )
    days = SelectField(
        "Expires after",
        choices=[SelectChoice(str(days), f"{days} days") for days in TOKEN_DAYS],
        default="90",
        validators=[InputRequired("Choose how long the token lasts.")],
    )
