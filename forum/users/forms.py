"""A member's own settings: each part of /settings is its own small form."""

from wtforms import DateField, EmailField, IntegerField, PasswordField
from wtforms.validators import EqualTo, InputRequired, Length, NumberRange, Optional

from forum.auth.forms import strip_lower
from forum.forms import Form

# Field names differ between the forms so that ids stay unique on the one settings page.


class ChangePasswordForm(Form):
    current_password = PasswordField(
        "Current password", validators=[InputRequired("Enter your current password.")]
    )
    new_password = PasswordField(
        "New password", validators=[InputRequired("Choose a new password.")]
    )
    new_password_confirm = PasswordField(
        "New password again",
        validators=[
            InputRequired("Type the new password again."),
            EqualTo("new_password", "The two passwords do not match."),
        ],
    )


class ChangeEmailForm(Form):
    new_email = EmailField(
        "New email address",
        validators=[InputRequired("Enter the new address."), Length(max=254)],
        filters=[strip_lower],
    )
    email_password = PasswordField(
        "Current password", validators=[InputRequired("Enter your current password.")]
    )


class CourseForm(Form):
    course_start = DateField(
        "Started treatment on",
        validators=[Optional()],
        format="%Y-%m-%d",
    )
    course_dose_mg = IntegerField(
        "Daily dose in mg",
        validators=[
            Optional(),
            NumberRange(1, 200, "Enter a daily dose between 1 and 200 mg."),
        ],
    )
    course_end = DateField("Finished treatment on", validators=[Optional()], format="%Y-%m-%d")
