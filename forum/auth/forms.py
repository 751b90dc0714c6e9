"""Account forms. They check shape and the rules that need no database; the services
check the rest (a taken username) and check everything again."""

from flask import current_app
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, ValidationError

from forum.auth import services
from forum.forms import Form

# Long enough for any real password; bounds the hashing work a request can ask for.
LOGIN_PASSWORD_MAX = 1024


def strip_lower(value):
    return value.strip().lower() if isinstance(value, str) else value


class NewPasswordMixin:
    """``password`` and ``password_confirm`` with the site's password rules."""

    password = PasswordField("Password", validators=[InputRequired("Choose a password.")])
    password_confirm = PasswordField(
        "Password again",
        validators=[
            InputRequired("Type the password again."),
            EqualTo("password", "The two passwords do not match."),
        ],
    )

    def password_inputs(self) -> list[str]:
        return []

    def validate_password(self, field):
        if problem := services.password_problem(field.data or "", self.password_inputs()):
            raise ValidationError(problem)


class RegisterForm(NewPasswordMixin, Form):
    username = StringField(
        "Username",
        validators=[InputRequired("Choose a username."), Length(max=30)],
        filters=[strip_lower],
    )
    email = EmailField(
        "Email address",
        validators=[InputRequired("Enter your email address."), Length(max=254)],
        filters=[strip_lower],
    )
    age_confirm = BooleanField("I am old enough")
    accept_terms = BooleanField("I accept the community guidelines and the privacy notice")

    def password_inputs(self) -> list[str]:
        return [self.username.data or "", self.email.data or ""]

    def validate_username(self, field):
        if problem := services.username_problem(field.data or ""):
            raise ValidationError(problem)

    def validate_email(self, field):
        if problem := services.email_problem(field.data or ""):
            raise ValidationError(problem)

    def validate_age_confirm(self, field):
        if not field.data:
            raise ValidationError(f"You must be at least {current_app.config['MIN_AGE']} to join.")

    def validate_accept_terms(self, field):
        if not field.data:
            raise ValidationError(
                "Please read and accept the community guidelines and the privacy notice."
            )


class LoginForm(Form):
    login = StringField(
        "Username or email",
        validators=[InputRequired("Enter your username or email address."), Length(max=254)],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired("Enter your password."), Length(max=LOGIN_PASSWORD_MAX)],
    )
    remember = BooleanField("Keep me logged in on this device")


class ResetRequestForm(Form):
    email = EmailField(
        "Email address",
        validators=[InputRequired("Enter your email address."), Length(max=254)],
        filters=[strip_lower],
    )

    def validate_email(self, field):
        if problem := services.email_problem(field.data or ""):
            raise ValidationError(problem)


class ResetPasswordForm(NewPasswordMixin, Form):
    password = PasswordField("New password", validators=[InputRequired("Choose a password.")])

    def __init__(self, *args, user_inputs: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self._user_inputs = list(user_inputs)

    def password_inputs(self) -> list[str]:
        return self._user_inputs
