"""Section headings: short lines set apart from running text by size, weight or case.

A heading is judged against the page's own body size, so the same rule works for an A0
poster printed at 36 pt and a slide-sized one at 9 pt.
"""

from __future__ import annotations

import re

from extraction.stages.lines import TextLine
from extraction.vocab import CAPTION_WORDS, names

_CAPTION = re.compile(rf"^\s*({CAPTION_WORDS})\.?\s*\d", re.IGNORECASE)
_BULLET = re.compile(r"^\s*[•●▪◦‣∙·○■□➢➤►▶✓✔\-–—*]")
_SENTENCE_END = re.compile(r"[.,;:]$")
_NAMES = f"({names()})"
STANDARD = re.compile(rf"^\s*(?:\d+\.?\s*)?{_NAMES}\s*[*†‡¹²³]*\s*:?\s*$", re.IGNORECASE)
# A run-in heading: "REFERENCES: 1. Johnson DE ..." opens a section on the same line.
RUN_IN = re.compile(rf"^\s*(?P<title>{_NAMES})\s*:\s+(?P<rest>\S.*)$", re.IGNORECASE)


def is_standard_name(text: str) -> bool:
    """True when the line is nothing but a conventional section name (optionally numbered, with ':')."""
    return bool(STANDARD.match(text))


def is_heading(
    line: TextLine,
    body: float,
    next_line: TextLine | None = None,
    ratio: float = 1.15,
    emphasis_only: bool = False,
) -> bool:
    """True when the line reads as a section heading rather than text, caption or label.

    `ratio` is how much larger than body text a heading must be; OCR pages, whose sizes come
    from noisy box heights and which carry no bold flag, use a higher one. `emphasis_only`
    (OCR pages where colour marked some lines as emphasised) makes emphasis the deciding cue.
    """
    text = line.plain_text.strip()
    words = text.split()
    letters = [c for c in text if c.isalpha()]
    if not words or len(words) > 12 or len(letters) < 3:
        return False
    if _CAPTION.match(text) or _BULLET.match(text):
        return False
    upper = sum(c.isupper() for c in letters) / len(letters) > 0.85 and len(letters) >= 4
    if is_standard_name(text) and (upper or line.bold or text.endswith(":")) and line.size >= body * 0.9:
        # "INTRODUCTION", "Abstract:" alone on a line head a section whatever their colour or size.
        return True
    if _SENTENCE_END.search(text):
        return False
    if text[0].islower() or text.count(",") >= 2 or any(w.superscript for w in line.words):
        return False
    if emphasis_only:
        # OCR pages whose colour shows emphasis: sizes from box heights are too noisy to rank
        # lines, but a short run of coloured or reversed-out words is how posters set headings.
        return (
            line.bold
            and line.size >= body
            and len(words) <= 8
            and any(sum(c.isalpha() for c in w) >= 3 for w in words)
        )
    bigger = line.size >= body * ratio
    if line.bold and is_standard_name(text) and line.size >= body * 0.6:
        # "References", "Acknowledgements" in bold are headings even when set small at the foot.
        return True
    emphasis = line.bold or upper
    if bigger and (emphasis or line.size >= body * max(1.3, ratio)):
        return True
    if emphasis and line.size >= body * 0.95 and next_line is not None:
        # A bold or capitalised line at body size is a heading only when ordinary text follows it.
        nxt = next_line.plain_text.strip()
        return (not next_line.bold) and len(nxt.split()) >= 4 and upper and len(words) <= 6
    return False
