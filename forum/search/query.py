"""What a reader typed, made into words and phrases that can never become search syntax."""

import re
from dataclasses import dataclass

MAX_QUERY_CHARS = 200
MAX_TERMS = 12

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WORD_RE = re.compile(r"\w+", re.UNICODE)
_PART_RE = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')


@dataclass(frozen=True)
class ParsedQuery:
    phrases: tuple[tuple[str, ...], ...]  # each a phrase of one or more words, all required
    excluded: tuple[tuple[str, ...], ...]
    text: str  # the cleaned query, as PostgreSQL's websearch_to_tsquery receives it
    shortened: bool

    @property
    def is_empty(self) -> bool:
        return not self.phrases

    @property
    def words_text(self) -> str:
        """The query with its phrases loosened to plain words (all still required)."""
        positive = " ".join(" ".join(p) for p in self.phrases)
        return " ".join([positive] + ["-" + " ".join(p) for p in self.excluded if len(p) == 1])


def parse_query(raw: str | None) -> ParsedQuery:
    """Turn whatever was typed into words and phrases; nothing typed can become syntax."""
    cleaned = " ".join(_CONTROL_RE.sub(" ", raw or "").split())
    shortened = len(cleaned) > MAX_QUERY_CHARS
    cleaned = cleaned[:MAX_QUERY_CHARS]
    phrases: list[tuple[str, ...]] = []
    excluded: list[tuple[str, ...]] = []
    for match in _PART_RE.finditer(cleaned):
        negated = bool(match.group(1) or match.group(3))
        quoted, bare = match.group(2), match.group(4)
        words = tuple(w.lower() for w in _WORD_RE.findall(bare if quoted is None else quoted))
        words = tuple(w for w in words if len(w) <= 40)
        if not words or (len(words) == 1 and words[0] == "or"):
            continue
        (excluded if negated else phrases).append(words)
    phrases = phrases[:MAX_TERMS]
    excluded = excluded[: max(0, MAX_TERMS - len(phrases))]
    parts = [" ".join(p) if len(p) == 1 else '"' + " ".join(p) + '"' for p in phrases]
    parts += ["-" + (" ".join(p) if len(p) == 1 else '"' + " ".join(p) + '"') for p in excluded]
    return ParsedQuery(tuple(phrases), tuple(excluded), " ".join(parts), shortened)


def fts5_expression(query: ParsedQuery) -> str:
    """The query as an SQLite FTS5 MATCH expression."""

    # Every word is double-quoted, so FTS5 reads it as a string, never as an operator.
    def phrase(words):
        return '"' + " ".join(words) + '"'

    positive = " AND ".join(phrase(p) for p in query.phrases)
    negative = "".join(f" NOT {phrase(p)}" for p in query.excluded)
    return f"({positive}){negative}" if negative else positive
