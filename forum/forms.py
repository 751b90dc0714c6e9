"""The base of every form: what any value typed into the forum goes through (issue #9)."""

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import SUBMIT_METHODS, _Auto
from werkzeug.exceptions import BadRequest
from wtforms import PasswordField, StringField
from wtforms.widgets import TextArea

from forum.validation import single_line, strip_controls

JSON_REFUSED = "This address takes a form sent from the page, not JSON."


class Form(FlaskForm):
    """A Flask-WTF form that reads only form data and strips control characters from text.

    Text areas keep tabs and line breaks; every other text input (titles, names) becomes
    one line. Passwords are left as typed: they are hashed, never stored or shown.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            # Flask-WTF would read a JSON body as the form's data, and a JSON array, string
            # or number cannot be: it raised, and the request answered 500.
            if formdata is _Auto and request.method in SUBMIT_METHODS and request.is_json:
                raise BadRequest(JSON_REFUSED)
            return super().wrap_formdata(form, formdata)

        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if isinstance(field, StringField) and not isinstance(field, PasswordField):
                clean = strip_controls if isinstance(field.widget, TextArea) else single_line
                field.filters = (clean, *field.filters)
            return field
