from flask_wtf import FlaskForm


class MarkReadForm(FlaskForm):
    """The "Mark all as read" button: only the CSRF token."""
