from wtforms import HiddenField

from forum.forms import Form


class BookmarkForm(Form):
    """The Bookmark / Remove bookmark buttons: the CSRF token, and where to go back to."""

    next = HiddenField()
