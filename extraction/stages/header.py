"""The poster's banner: the title and the lines between it and the first section.

The title is the largest text near the top; the creator zone is what lies under it and above
the first heading. Both are found by geometry alone, so a logo's caption or a conference
label at the same height does not derail them (they are smaller than the title).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from extraction.stages import creators
from extraction.stages.headings import is_heading, is_standard_name
from extraction.stages.lines import TextLine


@dataclass
class Header:
    """Title lines, creator-zone lines, and where the body of the poster starts (y)."""

    title: list[TextLine] = field(default_factory=list)
    zone: list[TextLine] = field(default_factory=list)
    body_top: float = 0.0
    above: list[TextLine] = field(default_factory=list)
    column: tuple[float, float] = (0.0, 0.0)

    def beside(self, line: TextLine) -> bool:
        """A line on the banner's rows but outside the title's column: a panel that belongs to the body."""
        left, right = self.column
        return right > left and (line.x >= right or line.right <= left)


def is_prose(line: TextLine, body: float) -> bool:
    """Running text (not names or affiliations): long, body-sized, mostly lower-case words."""
    words = line.plain_text.split()
    if len(words) < 8 or line.size < body * 0.85 or "@" in line.text:
        return False
    if line.words and line.words[0].superscript:
        return False
    lower = sum(1 for w in words if w[:1].islower())
    return lower / len(words) >= 0.5


def is_phrase(line: TextLine) -> bool:
    """Three words or more, or two making at least 12 letters: what a title is and a logo is not."""
    words = [w for w in line.plain_text.split() if any(c.isalpha() for c in w)]
    letters = sum(c.isalpha() for c in line.plain_text)
    return len(words) >= 3 or (len(words) == 2 and letters >= 12)


def find(lines: list[TextLine], page_height: float, body: float, size_tolerance: float = 0.12) -> Header:
    """`size_tolerance`: how far a title line's size may differ from the first (OCR box heights vary more)."""
    top = [ln for ln in lines if ln.y < page_height * 0.4 and sum(c.isalpha() for c in ln.text) >= 3]
    if not top:
        return Header()
    # A title is a phrase: a logo's one or two words ("UNICA", "(idw)") can be set larger, and
    # OCR reads them as text. Lines naming authors are never the title either.
    phrases = [ln for ln in top if is_phrase(ln) and not creators.is_byline(ln)]
    candidates = phrases or top
    biggest = max(ln.size for ln in candidates)
    if biggest < body * 1.1 and len(top) > 0:
        # No typographic title (e.g. OCR of a flat image): take the first substantial line.
        first = candidates[0]
        return Header(title=[first], zone=[], body_top=first.bottom)
    seed = min((ln for ln in candidates if ln.size >= biggest * 0.9), key=lambda ln: ln.y)
    title = [seed]
    for ln in lines:
        if ln is seed or ln.y < seed.y:
            continue
        last = title[-1]
        close = ln.y - last.bottom < 1.2 * seed.size
        same = abs(ln.size - seed.size) < size_tolerance * seed.size
        overlaps = ln.x < seed.right + seed.size * 4 and ln.right > seed.x - seed.size * 4
        contact = "@" in ln.text or "www." in ln.text or "://" in ln.text
        if (
            same
            and close
            and overlaps
            and not ln.y < last.y + 0.3 * last.h
            and not creators.is_byline(ln)
            and not contact
        ):
            title.append(ln)
        elif ln.y > last.bottom + 1.2 * seed.size:
            break
    # Other lines on the title's rows (fragments pdfalto split off).
    rows = [(t.y, t.bottom) for t in title]
    for ln in lines:
        if ln in title:
            continue
        if (
            abs(ln.size - seed.size) < size_tolerance * seed.size
            and any(abs(ln.y - y0) < 0.3 * seed.size for y0, _ in rows)
            and not creators.is_byline(ln)
        ):
            title.append(ln)
    title.sort(key=lambda t: (round(t.y / max(seed.size * 0.5, 1)), t.x))
    title_bottom = max(t.bottom for t in title)

    below = [ln for ln in lines if ln.y >= title_bottom - 0.2 * seed.size and ln not in title]
    body_top = page_height
    for i, ln in enumerate(below):
        nxt = below[i + 1] if i + 1 < len(below) else None
        if ln.y > title_bottom and (
            (ln.size < seed.size * 0.9 and is_heading(ln, body, nxt))
            or is_prose(ln, body)
            or (is_standard_name(ln.plain_text) and ln.size >= body * 0.9)
        ):
            body_top = ln.y - 0.1 * ln.size
            break
    # Guard: a poster with no detectable heading keeps a modest creator zone.
    body_top = min(body_top, title_bottom + page_height * 0.15)
    # The creator zone sits under the title, in its column: a figure or QR-code panel beside a
    # left-aligned title shares its rows but not its horizontal span.
    left = min(t.x for t in title) - seed.size
    right = max(t.right for t in title) + seed.size
    zone = [
        ln
        for ln in lines
        if ln not in title
        and ln.y < body_top
        and ln.y >= title[0].y - 0.2 * seed.size
        and ln.x < right
        and ln.right > left
    ]
    above = [
        ln for ln in lines if ln.bottom <= title[0].y + 0.2 * seed.size and ln.x < right and ln.right > left
    ]
    return Header(title=title, zone=zone, body_top=body_top, above=above, column=(left, right))
