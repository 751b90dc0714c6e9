"""What patients say beside a guide article (issue #11): an opening post or a reply that
readers found helpful, or a recent experience, with a short plain-text excerpt and the
experience badge of the post itself."""

from dataclasses import dataclass

from markupsafe import Markup

from forum.models import Post, Thread, User

EXCERPT_MAX = 160


def excerpt(html: str, limit: int = EXCERPT_MAX) -> str:
    """The first words of a post as plain text, cut at a word and marked with an ellipsis."""
    # Stored HTML, already sanitised, is only read here: what comes out is plain text.
    plain = " ".join(Markup(html).striptags().split())  # noqa: S704
    if len(plain) <= limit:
        return plain
    cut = plain[: limit + 1].rsplit(" ", 1)[0] if " " in plain[:limit] else plain[:limit]
    return cut.rstrip(" ,;:.-") + "…"


@dataclass(frozen=True)
class Said:
    """One experience in the list; the thread's title names it."""

    post: Post
    thread: Thread
    helpful_count: int

    @property
    def is_reply(self) -> bool:
        return self.post.parent_id is not None

    @property
    def deleted(self) -> bool:
        return self.post.deleted_at is not None

    @property
    def title(self) -> str:
        return self.thread.title

    @property
    def url(self) -> str:
        base = f"/t/{self.thread.id}/{self.thread.slug}"
        return f"{base}#p{self.post.id}" if self.is_reply else base

    @property
    def author(self) -> User | None:
        return None if self.deleted else self.post.author

    @property
    def badge(self) -> str:
        if self.deleted:
            return ""
        # The thread's details are the opening post's, and its author can correct them.
        return self.post.badge if self.is_reply else self.thread.badge

    @property
    def excerpt(self) -> str:
        return "" if self.deleted else excerpt(self.post.body_html)

    @property
    def reply_count(self) -> int:
        return self.thread.reply_count
