"""The /contact form and the moderators' answer (issue #13)."""

from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from forum.contact.services import ANSWER_MAX, BODY_MAX
from forum.forms import Form


class ContactForm(Form):
    body = TextAreaField(
        "Your message",
        validators=[
            InputRequired("Write your message first."),
            Length(max=BODY_MAX, message=f"A message is at most {BODY_MAX:,} characters."),
        ],
    )


class AnswerForm(Form):
    body = TextAreaField(
        "Your answer",
        validators=[
            InputRequired("Write your answer first."),
            Length(max=ANSWER_MAX, message=f"An answer is at most {ANSWER_MAX:,} characters."),
        ],
    )
