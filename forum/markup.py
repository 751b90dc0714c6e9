"""The only place user text becomes HTML (issue #3).

Markdown is rendered by markdown-it-py (CommonMark, tables, strikethrough, bare URLs made
links, raw HTML off), then cleaned by bleach against the allow-lists below. Both steps run
at write time; posts store the source and the result. When this policy changes, run
``flask --app forum posts rerender``.
"""

import re
from collections.abc import Collection
from html import escape
from urllib.parse import urlsplit

import bleach
from bleach.html5lib_shim import Filter
from markdown_it import MarkdownIt
from markdown_it.token import Token

# Headings in posts start at h3: the page already has its own h1 and h2.
HEADING_MAP = {"h1": "h3", "h2": "h4", "h3": "h5", "h4": "h6", "h5": "h6", "h6": "h6"}
# A guide article is the main text of its page, under the page's h1 (its title): its "##"
# sections are the page's h2s, so the outline has no gap (issue #5). A stray "#" becomes h2.
ARTICLE_HEADING_MAP = {"h1": "h2", "h2": "h2", "h3": "h3", "h4": "h4", "h5": "h5", "h6": "h6"}

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "del",
        "s",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
# Guide articles may also have h2 (see ARTICLE_HEADING_MAP); posts never do.
ARTICLE_TAGS = ALLOWED_TAGS | {"h2"}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener noreferrer"
# Table alignment travels as a class, since style attributes are never allowed (CSP).
ALIGN_CLASSES = frozenset({"align-left", "align-center", "align-right"})


def _allowed_href(value: str) -> bool:
    """An absolute http, https or mailto URL, or a path on this site.

    A scheme-less link that is not a path ("x:y", "foo") is dropped: browsers would read
    some of those as schemes. bleach checks the scheme again after this.
    """
    value = value.strip()
    if value.startswith(("/", "#")):
        return True
    try:
        scheme = urlsplit(value).scheme.lower()
    except ValueError:
        return False
    return scheme in ALLOWED_PROTOCOLS


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    if tag == "a":
        return name == "title" or (name == "href" and _allowed_href(value))
    if tag in ("th", "td"):
        return name == "class" and value in ALIGN_CLASSES
    if tag == "ol":
        # ASCII digits only: str.isdigit() also takes "²" (forum/validation.py).
        return name == "start" and value.isascii() and value.isdigit() and len(value) <= 9
    return False


# Every tag bleach may see, with the attributes it may keep (a callable per tag).
ALLOWED_ATTRIBUTES = {tag: _allow_attribute for tag in ("a", "th", "td", "ol")}


class _LinkRelFilter(Filter):
    """Give every surviving link the same rel, whatever the input said."""

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                attrs = dict(token["data"])
                attrs[(None, "rel")] = LINK_REL
                token["data"] = attrs
            yield token


def _make_cleaner(tags: frozenset[str]) -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=tags,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[_LinkRelFilter],
    )


_cleaner = _make_cleaner(ALLOWED_TAGS)
_article_cleaner = _make_cleaner(ARTICLE_TAGS)


def _render_image(self, tokens, idx, options, env) -> str:
    """No images (they would leak readers' addresses): a link to it, or just its alt text."""
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env) or "image"
    src = token.attrGet("src") or ""
    scheme = urlsplit(src).scheme.lower() if src else ""
    if scheme in ("http", "https"):
        return f'<a href="{escape(src)}">{escape(alt)}</a>'
    return escape(alt)


def _build_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.enable(["table", "strikethrough", "linkify"])
    md.add_render_rule("image", _render_image)
    return md


_md = _build_parser()


def _adjust(tokens, headings: dict[str, str]) -> None:
    # A heading is never more than one level below the one before it, the first one included
    # ("####" alone still comes right below the page's own headings), so a page's outline has
    # no gap whatever levels a member typed (issue #11).
    previous = int(min(headings.values())[1]) - 1
    for token in tokens:
        if token.type == "heading_open":
            previous = min(int(headings.get(token.tag, token.tag)[1]), previous + 1)
            token.tag = f"h{previous}"
        elif token.type == "heading_close":
            token.tag = f"h{previous}"
        elif token.type in ("th_open", "td_open"):
            style = token.attrGet("style")
            if style:
                align = style.removeprefix("text-align:").strip()
                token.attrs.pop("style", None)
                token.attrSet("class", f"align-{align}")


# "@name" (issue #12): a username after a space, a bracket or the start of a line, never
# inside an address ("me@example.org") or a path. Usernames are lower case (DESIGN.md).
MENTION_RE = re.compile(r"(?<![\w@/.+-])@([A-Za-z0-9_-]{3,30})(?![\w-])")


def _plain_text_tokens(tokens):
    """The text tokens a reader sees as prose: not code, not the text of a link."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        in_link = 0
        for child in token.children:
            if child.type == "link_open":
                in_link += 1
            elif child.type == "link_close":
                in_link -= 1
            elif child.type == "text" and not in_link:
                yield token, child


def find_mentions(text: str) -> list[str]:
    """The usernames ``text`` mentions as "@name", lower-cased, in order, each once.

    Names in code and inside links are not mentions.
    """
    names: dict[str, None] = {}
    for _, child in _plain_text_tokens(_md.parse(text or "", {})):
        for match in MENTION_RE.finditer(child.content):
            names.setdefault(match.group(1).lower(), None)
    return list(names)


def _link_mentions(tokens, members: Collection[str]) -> None:
    """Make each "@name" of a member a link to their profile; other names stay text."""
    for inline, child in list(_plain_text_tokens(tokens)):
        parts, last = [], 0
        for match in MENTION_RE.finditer(child.content):
            name = match.group(1).lower()
            if name not in members:
                continue
            parts.append(Token("text", "", 0, content=child.content[last : match.start()]))
            parts.append(Token("link_open", "a", 1, attrs={"href": f"/u/{name}"}))
            parts.append(Token("text", "", 0, content=match.group(0)))
            parts.append(Token("link_close", "a", -1))
            last = match.end()
        if not parts:
            continue
        parts.append(Token("text", "", 0, content=child.content[last:]))
        at = inline.children.index(child)
        inline.children[at : at + 1] = parts


def _render(
    text: str,
    headings: dict[str, str],
    cleaner: bleach.Cleaner,
    mentions: Collection[str] = (),
) -> str:
    if not text:
        return ""
    env: dict = {}
    tokens = _md.parse(text, env)
    _adjust(tokens, headings)
    if mentions:
        _link_mentions(tokens, mentions)
    html = _md.renderer.render(tokens, _md.options, env)
    return cleaner.clean(html).strip()


def render_user_text(text: str, *, mentions: Collection[str] = ()) -> str:
    """Markdown source to sanitised HTML, safe to insert in any page.

    ``mentions`` are the usernames (lower case) of members: each "@name" among them links
    to the member's profile. Posts are rendered when written, so the caller passes the
    members that exist then (``forum.notifications.mentions.render_post``).
    """
    return _render(text, HEADING_MAP, _cleaner, mentions)


def render_article_text(text: str) -> str:
    """A guide article's Markdown: the same pipeline and allow-lists as posts, except that
    its sections are the page's h2s rather than starting at h3."""
    return _render(text, ARTICLE_HEADING_MAP, _article_cleaner)
