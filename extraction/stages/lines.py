"""Flatten a `Page` into text lines with one font size and weight each.

pdfalto sometimes cuts one printed line into fragments (a bold word, a link) that land in
separate blocks; stages reason about printed lines, so fragments on one baseline that touch
are glued back together here. Superscript words are kept (creators need them as markers) but
do not count towards a line's size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import median

from extraction.model import Box, Page, Word


@dataclass(eq=False)
class TextLine(Box):
    """A printed line: its words, box, dominant font size and weight, and source block.

    Compared by identity: two lines with the same words at the same place are still two lines.
    `memo` keeps what stages derive from the line's words (which never change once it is made).
    """

    words: list[Word]
    x: float
    y: float
    w: float
    h: float
    size: float
    bold: bool
    block: int
    index: int = 0
    tags: set[str] = field(default_factory=set)
    memo: dict = field(default_factory=dict, repr=False)

    @property
    def text(self) -> str:
        if "text" not in self.memo:
            self.memo["text"] = join_words(self.words)
        return self.memo["text"]

    @property
    def plain_text(self) -> str:
        """Text without superscript markers (for titles, headings, names)."""
        if "plain" not in self.memo:
            self.memo["plain"] = join_words([w for w in self.words if not w.superscript]) or self.text
        return self.memo["plain"]


def join_words(words: list[Word]) -> str:
    """Words separated by a space, except where they touch on the page.

    pdfalto starts a new word at every style change, so "m s⁻¹." arrives as "s", "-1", "." with
    no gap between them; printing them with spaces would turn "s-1." into "s -1 .". A superscript
    keeps its space: it is most often a reference or affiliation marker, not part of the word.
    Only words with font information (pdfalto) are glued: OCR box edges are estimates.
    """
    out = ""
    prev: Word | None = None
    for w in words:
        touching = (
            prev is not None
            and not w.superscript
            and bool(w.font_family and prev.font_family)
            and -0.05 * max(prev.h, 1) < w.x - prev.right < 0.06 * max(prev.h, 1)
        )
        out += w.text if (prev is None or touching) else " " + w.text
        prev = w
    return out.strip()


def _size(words: list[Word]) -> float:
    sizes = [w.font_size or w.h * 0.8 for w in words if not w.superscript] or [
        w.font_size or w.h * 0.8 for w in words
    ]
    return float(median(sizes)) if sizes else 0.0


def make_line(words: list[Word], block: int) -> TextLine:
    """A `TextLine` over `words`: its box, its size (superscripts left out) and its weight."""
    x = min(w.x for w in words)
    y = (
        min(w.y for w in words if not w.superscript)
        if any(not w.superscript for w in words)
        else min(w.y for w in words)
    )
    right = max(w.right for w in words)
    bottom = max(w.bottom for w in words)
    chars_bold = sum(len(w.text) for w in words if w.bold)
    chars = sum(len(w.text) for w in words) or 1
    return TextLine(
        words=words,
        x=x,
        y=y,
        w=right - x,
        h=bottom - y,
        size=_size(words),
        bold=chars_bold / chars > 0.6,
        block=block,
    )


def collect(page: Page, reach: float = 1.2) -> list[TextLine]:
    """All lines of the page, fragments on a shared baseline merged, sorted top to bottom.

    `reach`: how far apart (in font sizes) fragments may be and still be one printed line.
    pdfalto's fragments of one printed line can sit a word space or more apart; OCR boxes are
    whole lines already, so two of them on one row are columns however narrow the gutter.
    """
    raw: list[TextLine] = []
    for bi, block in enumerate(page.blocks):
        for line in block.lines:
            if line.words:
                raw.append(make_line(list(line.words), bi))
    raw.sort(key=lambda t: (t.y, t.x))
    merged: list[TextLine] = []
    for line in raw:
        target = None
        for cand in reversed(merged[-12:]):
            same_row = abs(cand.y - line.y) < 0.35 * max(cand.size, line.size, 1) and abs(
                cand.bottom - line.bottom
            ) < 0.5 * max(cand.size, line.size, 1)
            gap = line.x - cand.right
            if (
                same_row
                and -0.2 * cand.size < gap < reach * max(cand.size, line.size)
                and abs(cand.size - line.size) < 0.25 * max(cand.size, line.size)
            ):
                target = cand
                break
        if target is None:
            merged.append(line)
        else:
            words = sorted(target.words + line.words, key=lambda w: w.x)
            merged[merged.index(target)] = make_line(words, target.block)
    merged = attach_raised_markers(merged)
    merged.sort(key=lambda t: (t.y, t.x))
    for i, line in enumerate(merged):
        line.index = i
    return merged


_MARKER_TEXT = re.compile(r"^[\d,*∗⁎†‡§¶#]{1,6}$")


def attach_raised_markers(lines: list[TextLine]) -> list[TextLine]:
    """Glue markers set small and raised beside a word back onto that word's line.

    Affiliation and footnote markers are printed smaller than the text and above its baseline.
    Some PDF producers emit them as words of their own that never get pdfalto's superscript
    style, so they arrive as separate one-word lines just above the line they belong to.
    """
    hosts = [ln for ln in lines if not _marker_only(ln)]
    out: list[TextLine] = []
    changed: dict[int, TextLine] = {}
    for ln in lines:
        if not _marker_only(ln):
            continue
        host = next((h for h in hosts if _raised_over(ln, h)), None)
        if host is None:
            out.append(ln)
            continue
        current = changed.get(id(host), host)
        marks = [Word(**{**w.__dict__, "superscript": True}) for w in ln.words]
        words = sorted(current.words + marks, key=lambda w: w.x)
        rebuilt = make_line(words, current.block)
        changed[id(host)] = rebuilt
    for ln in lines:
        if not _marker_only(ln):
            out.append(changed.get(id(ln), ln))
    return out


def _marker_only(line: TextLine) -> bool:
    return bool(_MARKER_TEXT.match(line.text.replace(" ", "")))


def _raised_over(mark: TextLine, host: TextLine) -> bool:
    """`mark` is smaller than `host`, raised above its baseline, and touches one of its words.

    A marker may follow a name ("Berg¹") or open an affiliation ("¹University"); PowerPoint sets
    it at a 30% baseline shift, so a small marker's top may sit below the text's top.
    """
    if not (0 < mark.size < 0.85 * host.size):
        return False
    if not (host.y - 0.5 * host.size <= mark.y < host.y + 0.4 * host.size):
        return False
    if mark.bottom > host.bottom - 0.15 * host.size:
        return False
    reach = 0.4 * host.size
    return any(
        -0.3 * host.size <= mark.x - w.right <= reach or -0.3 * host.size <= w.x - mark.right <= reach
        for w in host.words
    )


def body_size(lines: list[TextLine]) -> float:
    """The running-text size: the font size that carries the most characters."""
    weight: dict[float, int] = {}
    for line in lines:
        key = round(line.size * 2) / 2
        weight[key] = weight.get(key, 0) + len(line.text)
    return max(weight, key=lambda k: weight[k]) if weight else 10.0
