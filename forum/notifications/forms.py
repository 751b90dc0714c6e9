from forum.forms import Form


class MarkReadForm(Form):
    """The "Mark all as read" button: only the CSRF token."""
