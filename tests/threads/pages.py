"""Reading rendered pages in tests: the reply tree's nesting, links, form values."""

from html.parser import HTMLParser


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.parent_of: dict[str, str | None] = {}
        self.order: list[str] = []
        self.links: list[dict] = []
        self.textareas: dict[str, str] = {}
        self.inputs: dict[str, dict] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link":
            self.links.append(attrs)
            return
        if tag == "input":
            self.inputs.setdefault(attrs.get("name") or attrs.get("id") or "", attrs)
            if attrs.get("type") == "checkbox":
                self.inputs[f"{attrs.get('name')}={attrs.get('value')}"] = attrs
            return
        if tag in ("meta", "br", "hr", "img"):
            return
        if tag == "textarea":
            self._textarea = attrs.get("name")
            self.textareas[self._textarea] = ""
        node_id = (
            attrs.get("id") if tag == "li" and (attrs.get("id") or "").startswith("p") else None
        )
        if node_id:
            enclosing = next((nid for _, nid in reversed(self.stack) if nid), None)
            self.parent_of[node_id] = enclosing
            self.order.append(node_id)
        self.stack.append((tag, node_id))

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if self._textarea is not None:
            self.textareas[self._textarea] += data


def read(html: str | bytes) -> _Reader:
    reader = _Reader()
    reader.feed(html.decode() if isinstance(html, bytes) else html)
    reader.close()
    return reader


def tree_of(html) -> dict[str, str | None]:
    """{"p12": "p10", ...}: each reply node's enclosing reply node (None at the top)."""
    return read(html).parent_of


def head_link(html, rel: str) -> str | None:
    return next((link.get("href") for link in read(html).links if link.get("rel") == rel), None)


def textarea(html, name: str = "body") -> str | None:
    value = read(html).textareas.get(name)
    if value is None:
        return None
    # Like a browser, drop the one newline that may follow <textarea>.
    return value[2:] if value.startswith("\r\n") else value.removeprefix("\n")


def input_value(html, name: str) -> str | None:
    attrs = read(html).inputs.get(name)
    return attrs.get("value") if attrs else None


def is_checked(html, name: str, value: str) -> bool:
    attrs = read(html).inputs.get(f"{name}={value}")
    return attrs is not None and "checked" in attrs
