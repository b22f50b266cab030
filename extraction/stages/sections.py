"""Sections and captions from the body lines in reading order.

Content stays verbatim: lines of a paragraph are joined with a space, and a bullet or a
vertical gap starts a new paragraph (kept as a blank line, as the ground truth does). A
caption ("Figure 2. ...", "Table 1: ...") is taken out of the running text whole, including
the lines of the same block that continue it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from extraction.stages.figures import AFTER_PICTURE_TAG, CAPTION_TAG
from extraction.stages.headings import RUN_IN, is_heading
from extraction.stages.lines import TextLine
from extraction.stages.reading_order import FOOTER_TAG
from extraction.vocab import CAPTION_WORDS

# A caption label may follow a glyph the designer set before it (a bullet, an arrow, or an
# icon-font symbol: Wingdings and Symbol put theirs in the private-use area), as long as the
# label is set as a label, its number followed by a separator: "➤ Table 2: ...". A list item
# that mentions a figure ("• Fig. 3 illustrates ...") is text.
_ICON = "\ue000-\uf8ff"
_LEAD = rf"[{_ICON}•●▪◦‣∙·○■□➢➤►▶✓✔→⇒➔➜]"
CAPTION = re.compile(
    rf"^\s*(?:(?:{_LEAD}\s*)+(?=[^\W\d_]+\.?\s*\d+[a-z]?\s*[.:|\-–—]))?"
    rf"(?P<kind>{CAPTION_WORDS})\.?\s*(?P<num>\d+[a-z]?)\b\s*[.:|\-–—]?",
    re.IGNORECASE,
)
BULLET = re.compile(r"^\s*([•●▪◦‣∙·○■□➢➤►▶✓✔\-–—*]|\d+[.)]\s|[a-z][.)]\s)")


@dataclass
class Section:
    title: str
    lines: list[TextLine] = field(default_factory=list)

    lead: list[str] = field(default_factory=list)
    tail: list[str] = field(default_factory=list)

    @property
    def content(self) -> str:
        parts = [*self.lead, paragraphs(self.lines), *self.tail]
        return "\n\n".join(p for p in parts if p.strip()).strip()


@dataclass
class Caption:
    kind: str  # "figure" or "table"
    number: str
    lines: list[TextLine] = field(default_factory=list)

    @property
    def text(self) -> str:
        return re.sub(rf"^(?:{_LEAD}|\s)+", "", " ".join(ln.text for ln in self.lines)).strip()


_HYPHENATED = re.compile(r"\b(\w+)-\s?([a-zäöüßàâçéèêëîïôûùüÿñæœ]\w*)")


def vocabulary(texts: list[str]) -> set[str]:
    """Lower-case words printed on the page, to tell a line-break hyphen from a real one."""
    return {w.lower() for t in texts for w in re.findall(r"\w+", t)}


def dehyphenate(text: str, vocab: set[str]) -> str:
    """ "Interpretations-texte" → "Interpretationstexte" when the poster prints the joined word
    elsewhere (so the hyphen only broke a line); compounds like "co-culture" are left alone
    unless their joined spelling is printed too."""

    def join(m: re.Match[str]) -> str:
        whole = m.group(1) + m.group(2)
        return whole if whole.lower() in vocab else m.group(0)

    return _HYPHENATED.sub(join, text)


def paragraphs(lines: list[TextLine]) -> str:
    out: list[str] = []
    prev: TextLine | None = None
    for ln in lines:
        text = ln.text.strip()
        if not text:
            continue
        new_para = prev is None or bool(BULLET.match(text))
        if prev is not None and not new_para:
            gap = ln.y - prev.bottom
            if gap > 0.9 * max(prev.size, ln.size) or ln.x < prev.x - 2 * prev.size or ln.y < prev.y:
                new_para = True
        if new_para:
            out.append(text)
        elif out[-1].endswith("-") and text[:1].islower():
            out[-1] = out[-1] + text
        else:
            out[-1] = out[-1] + " " + text
        prev = ln
    return "\n\n".join(out)


def split(
    ordered: list[TextLine], body: float, heading_ratio: float = 1.15, emphasis_only: bool = False
) -> tuple[list[Section], list[Caption]]:
    sections: list[Section] = []
    captions: list[Caption] = []
    current: Section | None = None
    caption: Caption | None = None
    i = 0
    while i < len(ordered):
        ln = ordered[i]
        text = ln.plain_text.strip()
        nxt = ordered[i + 1] if i + 1 < len(ordered) else None
        m = CAPTION.match(text)
        if (m and len(text.split()) >= 2) or CAPTION_TAG in ln.tags:
            kind = "table" if m and m.group("kind").lower().startswith("tab") else "figure"
            caption = Caption(kind=kind, number=m.group("num") if m else "", lines=[ln])
            captions.append(caption)
            i += 1
            continue
        if caption is not None:
            last = caption.lines[-1]
            continues = ln.block == last.block or (
                abs(ln.size - last.size) < 0.1 * last.size
                and 0 <= ln.y - last.bottom < 0.8 * last.size
                and abs(ln.x - last.x) < 3 * last.size
                and ln.bold == last.bold
            )
            if continues and not is_heading(ln, body, nxt, heading_ratio, emphasis_only):
                caption.lines.append(ln)
                i += 1
                continue
            caption = None
        if is_heading(ln, body, nxt, heading_ratio, emphasis_only):
            if current is not None and not current.lines and _same_style(current, ln):
                current.title = f"{current.title} {text}"
            else:
                current = Section(title=text)
                current.heading_line = ln  # type: ignore[attr-defined]
                sections.append(current)
            i += 1
            continue
        run_in = _run_in(ln, ordered[i - 1] if i else None)
        if run_in is not None:
            title, rest = run_in
            current = Section(title=title)
            current.heading_line = ln  # type: ignore[attr-defined]
            sections.append(current)
            if rest is not None:
                current.lines.append(rest)
            i += 1
            continue
        new_passage = FOOTER_TAG in ln.tags or AFTER_PICTURE_TAG in ln.tags
        if current is None or _starts_note(current, ln, nxt) or (new_passage and current.lines):
            current = Section(title="")
            sections.append(current)
        current.lines.append(ln)
        i += 1
    return _fold_empty(_nest(sections, by_inset=emphasis_only)), captions


SUB_RATIO = 0.97


def _run_in(ln: TextLine, prev: TextLine | None) -> tuple[str, TextLine | None] | None:
    """(title, rest of the line) for a block opening with a run-in heading such as
    "REFERENCES: 1. Johnson DE ..." (the name in capitals or bold), else None."""
    if prev is not None and prev.block == ln.block:
        return None
    m = RUN_IN.match(ln.plain_text)
    if not m:
        return None
    title = m.group("title")
    letters = [c for c in title if c.isalpha()]
    head_words = len(title.split())
    if not (all(c.isupper() for c in letters) or all(w.bold for w in ln.words[:head_words])):
        return None
    words = [w for w in ln.words if not w.superscript]
    taken = 0
    while taken < len(words) and ":" not in words[taken].text:
        taken += 1
    rest_words = ln.words[ln.words.index(words[taken]) + 1 :] if taken < len(words) else []
    after = words[taken].text.split(":", 1)[1] if taken < len(words) else ""
    if after.strip():
        first = words[taken]
        rest_words = [replace(first, text=after.strip()), *rest_words]
    if not rest_words:
        return title, None
    rest = TextLine(
        words=rest_words,
        x=rest_words[0].x,
        y=ln.y,
        w=ln.right - rest_words[0].x,
        h=ln.h,
        size=ln.size,
        bold=ln.bold,
        block=ln.block,
    )
    return title, rest


def _starts_note(section: Section, ln: TextLine, nxt: TextLine | None) -> bool:
    """A paragraph in clearly smaller type after a gap (a funding note, a contact block under the
    last section) is a text of its own, not more of the section above it."""
    if len(section.lines) < 2 or nxt is None:
        return False
    prev = section.lines[-1]
    usual = sorted(x.size for x in section.lines)[len(section.lines) // 2]
    small = ln.size < 0.9 * usual and abs(nxt.size - ln.size) < 0.05 * ln.size and nxt.block == ln.block
    return small and ln.y - prev.bottom > 0.5 * ln.size and ln.block != prev.block


def _size(sec: Section) -> float:
    head = getattr(sec, "heading_line", None)
    return head.size if head is not None else 0.0


def _inset(sub: Section, parent: Section) -> bool:
    """The sub-section's heading lies inside the parent heading's span, indented on both sides."""
    head, top = getattr(sub, "heading_line", None), getattr(parent, "heading_line", None)
    if head is None or top is None:
        return False
    margin = 0.5 * top.size
    return head.x > top.x + margin and head.right < top.right - margin


_NUMBERED = re.compile(r"^\s*\(?(\d{1,2})[.)]")


def _by_printed_number(subs: list[Section]) -> list[Section]:
    """Sub-sections numbered by the author (1., 2., ...) in the author's order: a grid of numbered
    panels is otherwise read row by row, which may not be how it is numbered. An unnumbered
    sub-section (a label promoted to heading) stays with the numbered one before it."""
    if len(subs) < 2 or not _NUMBERED.match(subs[0].title):
        return subs
    groups: list[tuple[int, list[Section]]] = []
    for sub in subs:
        m = _NUMBERED.match(sub.title)
        if m:
            groups.append((int(m.group(1)), [sub]))
        else:
            groups[-1][1].append(sub)
    values = [v for v, _ in groups]
    if len(groups) < 2 or sorted(values) != list(range(min(values), min(values) + len(values))):
        return subs
    return [sub for _, group in sorted(groups, key=lambda g: g[0]) for sub in group]


def _nest(sections: list[Section], by_inset: bool = False) -> list[Section]:
    """A heading with no text of its own, followed by smaller headings, is a group heading: the
    smaller sections are its sub-sections and become its content (titles kept as paragraphs),
    up to the next heading as large as it. A poster's "Methods" over "Data" and "Model" is one
    section, as a reader (and the ground truth) sees it. On OCR pages whose headings are found
    by colour, sizes come from box heights and are too noisy to rank headings by; there a
    sub-heading is one whose bar sits inset inside the group heading's bar (`by_inset`)."""

    def is_sub(sub: Section, parent: Section) -> bool:
        if by_inset:
            return _inset(sub, parent)
        return 0 < _size(sub) < SUB_RATIO * _size(parent)

    out: list[Section] = []
    i = 0
    while i < len(sections):
        sec = sections[i]
        nxt = sections[i + 1] if i + 1 < len(sections) else None
        if sec.lines or not _size(sec) or nxt is None or not is_sub(nxt, sec):
            out.append(sec)
            i += 1
            continue
        j = i + 1
        subs: list[Section] = []
        while j < len(sections) and is_sub(sections[j], sec):
            subs.append(sections[j])
            j += 1
        for sub in _by_printed_number(subs):
            sec.tail.extend(part for part in (sub.title, sub.content) if part.strip())
        out.append(sec)
        i = j
    return out


def _fold_empty(sections: list[Section]) -> list[Section]:
    """A heading with no text of its own (a group heading over sub-headings) is kept as the first
    paragraph of the section that follows, so no printed word is lost."""
    out: list[Section] = []
    orphan: list[str] = []
    for sec in sections:
        if not sec.lines and not sec.tail:
            if sec.title:
                orphan.append(sec.title)
            continue
        if orphan:
            sec.lead = orphan
            orphan = []
        out.append(sec)
    if orphan and out:
        out[-1].tail = orphan
    return out


def _same_style(section: Section, ln: TextLine) -> bool:
    head = getattr(section, "heading_line", None)
    return head is not None and abs(head.size - ln.size) < 0.1 * ln.size and 0 <= ln.y - head.bottom < ln.size
