"""Highlighted snippets of search results, safe whatever a member wrote."""

import html
import secrets
from dataclasses import dataclass

# Highlights come back from the database between two markers, so the snippet can be
# HTML-escaped as plain text first and the markers turned into <mark> afterwards. Text a
# member wrote may hold any character, so the markers are new random words for every
# search (issue #9): a post cannot contain what it cannot know.
MARKER_BYTES = 12


@dataclass(frozen=True)
class Markers:
    start: str
    end: str

    @classmethod
    def fresh(cls) -> "Markers":
        # Letters and digits only: html.escape leaves them alone and ts_headline's option
        # string needs no quoting.
        token = secrets.token_hex(MARKER_BYTES)
        return cls(f"hlstart{token}", f"hlend{token}")

    def highlight(self, fragment: str | None) -> str:
        """The snippet as HTML: its text escaped, only these markers made <mark>."""
        escaped = html.escape(fragment or "", quote=False)
        return escaped.replace(self.start, "<mark>").replace(self.end, "</mark>")
