"""Turn whatever the model wrote into one validated dict, or None.

Small models wrap JSON in prose or code fences, leave trailing commas, and get cut off by the
token cap mid-string. Each of those is repaired mechanically here; anything still not a JSON
object after repair is rejected, so the caller falls back to the layout result.
"""

from __future__ import annotations

import json
import re
from typing import Any

DOMAINS = ("Health Sciences", "Life Sciences", "Physical Sciences", "Social Sciences")
MIN_SUBJECTS, MAX_SUBJECTS = 3, 5
MAX_SUBJECT_CHARS = 80
MIN_DESCRIPTION_WORDS, MAX_DESCRIPTION_CHARS = 8, 2000
FENCE = re.compile(r"```(?:json|JSON)?")


class Scanner:
    """Tracks JSON nesting outside strings, one character at a time.

    Shared by the stopping criterion (stop generating when the object closes) and the parser
    (find where the first object ends, and what is left open when it does not).
    """

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.in_string = False
        self.escaped = False
        self.opened = False

    @property
    def closed(self) -> bool:
        return self.opened and not self.stack

    def feed(self, ch: str) -> bool:
        """Consume one character; True when it closed the outermost object."""
        if self.in_string:
            if self.escaped:
                self.escaped = False
            elif ch == "\\":
                self.escaped = True
            elif ch == '"':
                self.in_string = False
            return False
        if ch == '"':
            self.in_string = True
        elif ch in "{[":
            self.stack.append("}" if ch == "{" else "]")
            self.opened = True
        elif ch in "}]" and self.stack:
            self.stack.pop()
            return not self.stack
        return False

    def closing(self) -> str:
        """The characters that would close everything still open."""
        return ('"' if self.in_string else "") + "".join(reversed(self.stack))


def first_object(text: str) -> tuple[str, bool] | None:
    """The first `{...}` in `text` (code fences and prose ignored) and whether it was complete."""
    text = FENCE.sub("", text or "")
    start = text.find("{")
    if start < 0:
        return None
    scanner = Scanner()
    for i, ch in enumerate(text[start:], start):
        if scanner.feed(ch):
            return text[start : i + 1], True
    return text[start:].rstrip(), False


def _close(fragment: str) -> str:
    scanner = Scanner()
    for ch in fragment:
        scanner.feed(ch)
    if scanner.escaped:
        fragment = fragment[:-1]
    return fragment + scanner.closing()


def _cut_points(fragment: str) -> list[int]:
    """Positions of commas outside strings, last first: where a truncated object can be cut back to."""
    scanner = Scanner()
    points = []
    for i, ch in enumerate(fragment):
        if ch == "," and not scanner.in_string:
            points.append(i)
        scanner.feed(ch)
    return points[::-1]


def _drop_trailing_commas(fragment: str) -> str:
    """Remove commas (outside strings) that are followed only by whitespace and a closing bracket."""
    scanner = Scanner()
    out: list[str] = []
    for i, ch in enumerate(fragment):
        if ch == "," and not scanner.in_string and fragment[i + 1 :].lstrip()[:1] in ("}", "]"):
            continue
        scanner.feed(ch)
        out.append(ch)
    return "".join(out)


def _loads(candidate: str) -> dict[str, Any] | None:
    """json.loads, then again with trailing commas removed."""
    for attempt in (candidate, _drop_trailing_commas(candidate)):
        try:
            value = json.loads(attempt)
        except ValueError:
            continue
        return value if isinstance(value, dict) else None
    return None


def loads_lenient(text: str) -> dict[str, Any] | None:
    """Best-effort JSON object from model output; None when nothing object-shaped can be recovered."""
    found = first_object(text)
    if found is None:
        return None
    fragment, complete = found
    value = _loads(fragment)
    if value is not None or complete:
        return value
    # Truncated: close what is open; if the cut fell inside a key or value, drop back to an earlier comma.
    for candidate in [fragment] + [fragment[:i] for i in _cut_points(fragment)]:
        value = _loads(_close(candidate.rstrip().rstrip(",")))
        if value is not None:
            return value
    return None


def _text(value: Any) -> str:
    return re.sub(r"\s+", " ", value).strip() if isinstance(value, str) else ""


def _subjects(value: Any) -> list[str]:
    """3-5 distinct keywords. A research-field name is not a keyword: small models copy the list of
    fields from the prompt into `subjects`, and a subject that only names the field says nothing."""
    if isinstance(value, str):
        value = re.split(r"[;,]", value)
    if not isinstance(value, list):
        return []
    out: list[str] = []
    fields = {d.lower() for d in DOMAINS}
    for item in value:
        if isinstance(item, dict):
            item = item.get("subject")
        s = _text(item).strip(" .;,#")
        if 1 < len(s) <= MAX_SUBJECT_CHARS and s.lower() not in {o.lower() for o in out} | fields:
            out.append(s)
    out = out[:MAX_SUBJECTS]
    return out if len(out) >= MIN_SUBJECTS else []


SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _summary(value: Any) -> str:
    """The summary with repeated sentences dropped, and a cut-off last sentence dropped when a
    complete one precedes it. Greedy decoding on a small model loops on one sentence until a
    length limit stops it; what is left after removing the loop is the real summary."""
    sentences = SENTENCE_END.split(_text(value))
    kept: list[str] = []
    for sentence in sentences:
        if sentence and sentence.lower() not in {k.lower() for k in kept}:
            kept.append(sentence)
    if len(kept) > 1 and not kept[-1].endswith((".", "!", "?")):
        kept.pop()
    return " ".join(kept)


def _domain(value: Any) -> str | None:
    s = _text(value).lower()
    for domain in DOMAINS:
        if s == domain.lower() or s == domain.split()[0].lower():
            return domain
    return None


def validate(obj: dict[str, Any] | None) -> dict[str, Any]:
    """Keep only fields of the agreed shape and sane size; an empty dict means nothing usable."""
    if not obj:
        return {}
    out: dict[str, Any] = {}
    subjects = _subjects(obj.get("subjects"))
    if subjects:
        out["subjects"] = subjects
    description = _summary(obj.get("description"))
    if len(description.split()) >= MIN_DESCRIPTION_WORDS:
        out["description"] = description[:MAX_DESCRIPTION_CHARS]
    domain = _domain(obj.get("researchField"))
    if domain:
        out["researchField"] = domain
    check = obj.get("creators_check")
    if isinstance(check, (dict, list)):
        check = json.dumps(check, ensure_ascii=False)
    check = _text(check)
    if check:
        out["creators_check"] = check[:500]
    return out


def parse(text: str) -> dict[str, Any]:
    """Model output → validated fields (possibly empty)."""
    return validate(loads_lenient(text))
