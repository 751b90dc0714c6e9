"""Crisis safety: spot posts that speak of suicide or self-harm, and the resources to show.

A post whose title or text matches is published as usual, queued for a moderator at the top
of the queue, and its author sees crisis resources at once (issue #4). The phrases and the
resources are data files, replaceable per deployment through ``CRISIS_PHRASES_FILE`` and
``CRISIS_RESOURCES_FILE``; the phrase file documents its own syntax at the top.

Deciding whether a match counts, for each phrase or topic match in the text:

- an idiom match overlapping it cancels it ("cut myself shaving");
- a negation right before it, with only filler words between, cancels it ("not suicidal",
  "never had any thoughts of self-harm"), and only that match: later matches still count;
- a topic word (not a first-person phrase) preceded in the same sentence by a mention word
  is someone talking about the subject ("the label mentions suicidal thoughts").

False positives only queue a post for a human, so the rules lean towards matching.
"""

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask import current_app, has_app_context

HERE = Path(__file__).resolve().parent
DEFAULT_PHRASES_FILE = HERE / "crisis_phrases.txt"
DEFAULT_RESOURCES_FILE = HERE / "crisis_resources.json"

SECTIONS = ("phrases", "topics", "idioms", "negations", "negation-fillers", "mentions")
WORD_SECTIONS = ("negations", "negation-fillers")
MAX_FILLERS = 5
# How far back (in characters) negations and mention words are looked for.
LOOKBACK = 400

APOSTROPHES = "'\u2019\u2018\u02bc`\u00b4"
_APOSTROPHE_CLASS = "['\u2019\u2018\u02bc`\u00b4]"
# Between two words of a phrase: any run of spaces and punctuation.
_SEP = r"[\W_]+"
# A phrase starts and ends on a word boundary (letters and digits only; "_" counts as space).
_START = r"(?<![^\W_])"
_END = r"(?![^\W_])"
# Between a negation and the phrase it cancels: spaces, hyphens, quotes; no sentence stop.
_NEGATION_GAP = re.compile(r"[\s\-\"'\u2019\u2018\u201c\u201d*]*")
_WORD = re.compile(rf"[^\W_]+(?:{_APOSTROPHE_CLASS}[^\W_]+)*")
_SENTENCE_END = re.compile(r"[.!?;\n]")
_PATTERN_CHARS = re.compile(rf"^[a-z0-9 ()|*{_APOSTROPHE_CLASS[1:-1]}-]+$")


class PhraseFileError(ValueError):
    """A crisis phrase file that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class PhraseSet:
    phrases: tuple[re.Pattern, ...]
    topics: tuple[re.Pattern, ...]
    idioms: tuple[re.Pattern, ...]
    mentions: tuple[re.Pattern, ...]
    negations: frozenset[str]
    fillers: frozenset[str]


def _normal_word(word: str) -> str:
    return "".join(ch for ch in word.lower() if ch not in APOSTROPHES)


def _compile_word(word: str) -> str:
    stem = word.endswith("*")
    if stem:
        word = word[:-1]
    if not word or "*" in word:
        raise ValueError(f"bad word {word!r}: '*' may only end a word")
    parts = []
    for index, char in enumerate(word):
        if char in APOSTROPHES:
            parts.append(_APOSTROPHE_CLASS + "?")
            continue
        piece = re.escape(char)
        is_last_letter = index == len(word) - 1 or all(c in APOSTROPHES for c in word[index + 1 :])
        if is_last_letter and not stem and char.isalpha():
            piece += "+"  # "dieee", "too"
        parts.append(piece)
    if stem:
        parts.append(r"[^\W_]*")
    return "".join(parts)


def _split_items(pattern: str) -> list[str]:
    """Split a pattern into words and (groups) at the top level."""
    items, depth, current = [], 0, ""
    for char in pattern:
        if char == "(":
            if depth:
                raise ValueError("groups cannot be nested")
            depth += 1
        elif char == ")":
            if not depth:
                raise ValueError("')' without '('")
            depth -= 1
        if char == " " and not depth:
            if current:
                items.append(current)
            current = ""
        else:
            current += char
    if depth:
        raise ValueError("'(' without ')'")
    if current:
        items.append(current)
    return items


def _compile_sequence(pattern: str) -> str:
    """Compile words and groups into a regex (without word-boundary anchors)."""
    out: list[str] = []
    started = False  # a non-optional item has been emitted: later items need a separator
    pending_optional: list[str] = []
    for item in _split_items(pattern.strip()):
        if item.startswith("("):
            if not item.endswith(")"):
                raise ValueError(f"a group must stand alone, not {item!r}")
            alternatives = item[1:-1].split("|")
            optional = any(not alt.strip() for alt in alternatives)
            compiled = [_compile_sequence(alt) for alt in alternatives if alt.strip()]
            if not compiled:
                raise ValueError("a group needs at least one alternative")
            regex = "(?:" + "|".join(compiled) + ")"
        else:
            optional = False
            regex = _compile_word(item)
        if optional:
            if started:
                out.append(f"(?:{_SEP}{regex})?")
            else:
                pending_optional.append(regex)
            continue
        if started:
            out.append(_SEP + regex)
        else:
            out.extend(f"(?:{opt}{_SEP})?" for opt in pending_optional)
            pending_optional = []
            out.append(regex)
            started = True
    if not started:
        raise ValueError("a pattern must have at least one required word")
    return "".join(out)


def compile_pattern(pattern: str) -> re.Pattern:
    """Compile one line of the phrase syntax (see crisis_phrases.txt) to a regex."""
    pattern = " ".join(pattern.lower().split())
    if not _PATTERN_CHARS.match(pattern):
        raise ValueError(f"unexpected characters in {pattern!r}")
    return re.compile(_START + _compile_sequence(pattern) + _END, re.IGNORECASE)


def parse_phrase_text(text: str, *, name: str = "<text>") -> PhraseSet:
    """Parse the phrase file format; raises PhraseFileError naming the file and line."""
    sections: dict[str, list] = {section: [] for section in SECTIONS}
    current = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip().lower()
            if current not in sections:
                raise PhraseFileError(f"{name}, line {number}: unknown section [{current}]")
            continue
        if current is None:
            raise PhraseFileError(f"{name}, line {number}: a line before any [section]")
        if current in WORD_SECTIONS:
            if not _WORD.fullmatch(line):
                raise PhraseFileError(f"{name}, line {number}: [{current}] takes single words")
            sections[current].append(_normal_word(line))
            continue
        try:
            sections[current].append(compile_pattern(line))
        except ValueError as exc:
            raise PhraseFileError(f"{name}, line {number}: {exc}") from None
    if not sections["phrases"] and not sections["topics"]:
        raise PhraseFileError(f"{name}: no [phrases] or [topics]")
    return PhraseSet(
        phrases=tuple(sections["phrases"]),
        topics=tuple(sections["topics"]),
        idioms=tuple(sections["idioms"]),
        mentions=tuple(sections["mentions"]),
        negations=frozenset(sections["negations"]),
        fillers=frozenset(sections["negation-fillers"]),
    )


@lru_cache(maxsize=8)
def load_phrases(path: str) -> PhraseSet:
    """Read and compile a phrase file once per path."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise PhraseFileError(f"{file}: cannot read the crisis phrase file ({exc})") from None
    return parse_phrase_text(text, name=str(file))


def _configured(key: str, default: Path) -> str:
    if has_app_context():
        configured = current_app.config.get(key) or ""
        if configured:
            return str(configured)
    return str(default)


def current_phrases() -> PhraseSet:
    return load_phrases(_configured("CRISIS_PHRASES_FILE", DEFAULT_PHRASES_FILE))


def _negated(text: str, start: int, phrases: PhraseSet) -> bool:
    """Whether a negation stands right before ``start``, with only filler words between."""
    before = text[max(0, start - LOOKBACK) : start]
    words = list(_WORD.finditer(before))
    end = len(before)
    for fillers, word in enumerate(reversed(words)):
        if not _NEGATION_GAP.fullmatch(before[word.end() : end]):
            return False
        normal = _normal_word(word.group())
        if normal in phrases.negations:
            return True
        if normal not in phrases.fillers or fillers >= MAX_FILLERS:
            return False
        end = word.start()
    return False


def _mentioned(text: str, start: int, phrases: PhraseSet) -> bool:
    """Whether a mention word comes earlier in the same sentence."""
    window_start = max(0, start - LOOKBACK)
    sentence_start = window_start
    for stop in _SENTENCE_END.finditer(text, window_start, start):
        sentence_start = stop.end()
    clause = text[sentence_start:start]
    return any(pattern.search(clause) for pattern in phrases.mentions)


def find_crisis_phrase(text: str | None, phrases: PhraseSet | None = None) -> str | None:
    """The first crisis phrase in ``text`` as written there, or None."""
    if not text:
        return None
    phrases = phrases or current_phrases()
    candidates: list[tuple[int, int, bool]] = []
    for is_topic, patterns in ((False, phrases.phrases), (True, phrases.topics)):
        for pattern in patterns:
            candidates.extend((m.start(), m.end(), is_topic) for m in pattern.finditer(text))
    if not candidates:
        return None
    idiom_spans = [m.span() for pattern in phrases.idioms for m in pattern.finditer(text)]
    for start, end, is_topic in sorted(candidates):
        if any(i_start < end and start < i_end for i_start, i_end in idiom_spans):
            continue
        if _negated(text, start, phrases):
            continue
        if is_topic and _mentioned(text, start, phrases):
            continue
        return text[start:end]
    return None


def matches_crisis(text: str | None) -> bool:
    """Whether ``text`` contains a crisis phrase that counts."""
    return find_crisis_phrase(text) is not None


# Crisis resources ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Resource:
    region: str
    name: str
    how: str
    url: str = ""
    tel: str = ""
    sms: str = ""
    note: str = ""


@dataclass(frozen=True)
class CrisisResources:
    emergency: str
    resources: tuple[Resource, ...]
    prescriber: str


def parse_resources(data: dict, *, name: str = "<data>") -> CrisisResources:
    """Check and convert the resources document; raises ValueError naming the file."""
    if not isinstance(data, dict):
        raise ValueError(f"{name}: expected a JSON object")
    try:
        emergency = str(data["emergency"]).strip()
        prescriber = str(data.get("prescriber", "")).strip()
        items = data["resources"]
        if not emergency or not isinstance(items, list) or not items:
            raise ValueError("'emergency' and a non-empty 'resources' list are required")
        resources = []
        for index, item in enumerate(items):
            unknown = set(item) - set(Resource.__dataclass_fields__)
            if unknown:
                raise ValueError(f"resource {index}: unknown keys {sorted(unknown)}")
            resource = Resource(**{key: str(value).strip() for key, value in item.items()})
            if not (resource.region and resource.name and resource.how):
                raise ValueError(f"resource {index}: 'region', 'name' and 'how' are required")
            if resource.url and not resource.url.startswith(("https://", "http://")):
                raise ValueError(f"resource {index}: 'url' must start with https://")
            resources.append(resource)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{name}: {exc}") from None
    return CrisisResources(emergency=emergency, resources=tuple(resources), prescriber=prescriber)


@lru_cache(maxsize=8)
def load_resources(path: str) -> CrisisResources:
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{file}: cannot read the crisis resources ({exc})") from None
    return parse_resources(data, name=str(file))


def crisis_resources() -> CrisisResources:
    """The resources this deployment shows (CRISIS_RESOURCES_FILE, else the shipped file)."""
    return load_resources(_configured("CRISIS_RESOURCES_FILE", DEFAULT_RESOURCES_FILE))
