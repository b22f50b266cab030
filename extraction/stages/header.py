"""The poster's banner: its title, subtitle, where the body starts, and where authors may be.

Conventions followed (each has a stage test on a synthetic page in test_stages_header.py):

- The title is the poster's headline phrase: the largest phrase near the top. A conference
  or event line, a poster number, a quotation, a byline or contact line, and a section heading
  whose size and weight recur further down are never the title, whatever their size.
- A title may run over several adjacent lines of one style. A line set under it in a
  different style (smaller, or another case) is its subtitle, joined after ": ".
- The banner ends at the first section heading (a style that recurs, or a standard section
  name) or running text under the title. A byline, affiliation or contact line never ends it,
  however large it is set.
- Authors are printed under the title, in its column; else above it in the banner, beside it
  in a side panel, in a labelled "Authors:" block, or in an author block at the foot. The
  header returns each of these regions; the creators stage reads them in that order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extraction import vocab
from extraction.stages import creators
from extraction.stages.headings import is_heading, is_standard_name
from extraction.stages.lines import TextLine
from extraction.stages.metadata import POSTER_NO, is_event_line

TOP_SHARE = 0.4  # the title is printed in the top 40% of the page
_QUOTE_OPEN = "\"“„«‘'"
_CONTACT = re.compile(r"@|https?://|www\.", re.I)


@dataclass
class Header:
    """Title (and subtitle) lines, where the body starts, and the regions that may hold authors."""

    title: list[TextLine] = field(default_factory=list)
    subtitle: list[TextLine] = field(default_factory=list)
    zone: list[TextLine] = field(default_factory=list)
    body_top: float = 0.0
    above: list[TextLine] = field(default_factory=list)
    side: list[TextLine] = field(default_factory=list)
    column: tuple[float, float] = (0.0, 0.0)
    typographic: bool = True  # the title is set apart by its size (False: a fallback line, or none)

    def beside(self, line: TextLine) -> bool:
        """A line on the banner's rows but outside the title's column: a panel that belongs to the body."""
        left, right = self.column
        return right > left and (line.x >= right or line.right <= left)

    @property
    def lines(self) -> list[TextLine]:
        return self.title + self.subtitle

    @property
    def text(self) -> str:
        """The title, with its subtitle after ': ' (or a space when the title ends a sentence)."""
        main = " ".join(t.plain_text for t in self.title).strip()
        sub = " ".join(t.plain_text for t in self.subtitle).strip()
        main, sub = re.sub(r"\s+", " ", main), re.sub(r"\s+", " ", sub)
        if not sub:
            return main
        if not main:
            return sub
        return f"{main} {sub}" if main[-1] in ".:?!;—–-" else f"{main}: {sub}"


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


def _case(line: TextLine) -> str:
    letters = [c for c in line.plain_text if c.isalpha()]
    if not letters:
        return ""
    return "upper" if sum(c.isupper() for c in letters) / len(letters) > 0.85 else "mixed"


def _same_row(a: TextLine, b: TextLine) -> bool:
    return abs(a.y - b.y) < 0.3 * max(a.size, b.size, 1.0)


def _same_style(a: TextLine, b: TextLine, tolerance: float) -> bool:
    return abs(a.size - b.size) < tolerance * max(a.size, b.size) and a.bold == b.bold


def _style_block(line: TextLine, same: list[TextLine]) -> set[int]:
    """Ids of the lines of `line`'s own block: the same style, one under the other."""
    block = {id(line)}
    todo = [line]
    while todo:
        current = todo.pop()
        for ln in same:
            if id(ln) not in block and _adjacent(current, ln, line.size):
                block.add(id(ln))
                todo.append(ln)
    return block


def heading_style_recurs(
    line: TextLine, lines: list[TextLine], tolerance: float = 0.06, others_needed: int = 2
) -> bool:
    """Section headings share one style down the poster; a title's style is its own.

    True when `others_needed` short lines further down are set in the same size and weight,
    not counting the lines of the line's own block.
    """
    same = [ln for ln in lines if _same_style(ln, line, tolerance)]
    block = _style_block(line, same)
    others = [ln for ln in same if id(ln) not in block and ln.y > line.y and len(ln.plain_text.split()) <= 10]
    return len(others) >= others_needed


def _heading_like(line: TextLine, lines: list[TextLine]) -> bool:
    """A short line alone in its style block whose style recurs: a section heading, not a title."""
    if len(line.plain_text.split()) > 4:
        return False
    same = [ln for ln in lines if _same_style(ln, line, 0.06)]
    if any(ln is not line and _adjacent(line, ln, line.size) for ln in same):
        return False  # part of a block of its style, as a title's lines are
    below = [ln for ln in same if ln is not line and ln.y > line.y and len(ln.plain_text.split()) <= 10]
    return len(below) >= 2


def never_title(line: TextLine, lines: list[TextLine]) -> bool:
    """Lines that are never (part of) the title however large they are set."""
    text = line.plain_text.strip()
    return (
        creators.is_marked_byline(line)
        or _byline_block(line, lines)
        or bool(_CONTACT.search(text))
        or is_event_line(text)
        or bool(POSTER_NO.search(text))
        or bool(re.match(r"^\s*#\s*[A-Z]{0,3}-?\d", text))
        or (text[:1] in _QUOTE_OPEN and len(text) > 1)
        or is_standard_name(text)
    )


def _credit_line(line: TextLine, lines: list[TextLine]) -> bool:
    """A byline, a role line ("Orientadora: …") or an institution's name: OCR sizes can make
    them look like a title's next line, but a title never runs on into them. OCR may cut a
    byline into boxes at a marker: a box on the row of a byline, touching it, is byline too."""
    reading = creators.read_line(line)
    for other in lines:
        if other is not line and _same_row(other, line) and creators.is_byline(other):
            gap = max(other.x - line.right, line.x - other.right)
            if gap < other.size:
                return True
    if reading.kind in ("skip", "email", "url") or (reading.kind == "people" and reading.strong):
        return True
    return reading.kind == "affiliation" and bool(vocab.INSTITUTION_WORDS.search(line.plain_text))


def _byline_block(line: TextLine, lines: list[TextLine]) -> bool:
    """The line and every line of its style block read as several names: a byline.

    A title line can be shaped like two names ("Remote Sensing, Household Surveys"), but the
    other lines of its title do not read as names; every line of a byline does.
    """
    if not creators.is_byline(line):
        return False
    same = [ln for ln in lines if _same_style(ln, line, 0.06)]
    return all(ln is line or creators.is_byline(ln) for ln in same if id(ln) in _style_block(line, same))


def _adjacent(a: TextLine, b: TextLine, size: float) -> bool:
    """`b` is the next printed line above or below `a`, in an overlapping column."""
    gap = b.y - a.bottom if b.y >= a.y else a.y - b.bottom
    overlaps = b.x < a.right + size * 2 and b.right > a.x - size * 2
    return -0.3 * size < gap < 1.0 * size and overlaps


def _title_block(seed: TextLine, lines: list[TextLine], tolerance: float) -> list[TextLine]:
    """The seed and the adjacent lines of its style, above and below it, plus fragments on its rows."""
    block = [seed]
    grew = True
    while grew:
        grew = False
        for ln in lines:
            if ln in block or not _same_size(ln, seed, tolerance):
                continue
            new_row = not any(abs(ln.y - b.y) < 0.3 * seed.size for b in block)
            if (
                any(_adjacent(b, ln, seed.size) for b in block)
                and (new_row or _touches_row(ln, block, seed))
                and not never_title(ln, lines)
                and not _heading_like(ln, lines)
                and not _credit_line(ln, lines)
            ):
                block.append(ln)
                grew = True
    block.sort(key=lambda t: (round(t.y / max(seed.size * 0.5, 1)), t.x))
    return block


def _same_size(a: TextLine, b: TextLine, tolerance: float) -> bool:
    return abs(a.size - b.size) < tolerance * b.size


def _touches_row(ln: TextLine, block: list[TextLine], seed: TextLine) -> bool:
    """A fragment pdfalto split off a title line: same row, within a few letters of it."""
    return any(
        abs(ln.y - b.y) < 0.3 * seed.size
        and (ln.x - b.right < seed.size * 4 and b.x - ln.right < seed.size * 4)
        for b in block
    )


def _split_subtitle(block: list[TextLine]) -> tuple[list[TextLine], list[TextLine]]:
    """Within a block of one size, a change of case (ALL CAPS title, Mixed subtitle) starts the subtitle."""
    rows: list[list[TextLine]] = []
    for ln in block:
        if rows and abs(ln.y - rows[-1][0].y) < 0.3 * ln.size:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    if len(rows) < 2:
        return block, []
    first = _case(rows[0][0])
    for i, row in enumerate(rows[1:], 1):
        if _case(row[0]) != first and first and _case(row[0]):
            return [ln for r in rows[:i] for ln in r], [ln for r in rows[i:] for ln in r]
    return block, []


def _subtitle_below(
    title: list[TextLine], lines: list[TextLine], body: float, seed: TextLine
) -> list[TextLine]:
    """Lines set under the title, smaller than it but larger than body text, that read as a phrase
    (not a person, an institution, a heading, a sentence or an event line)."""
    out: list[TextLine] = []
    last = max(title, key=lambda t: t.bottom)
    left = min(t.x for t in title) - seed.size
    right = max(t.right for t in title) + seed.size
    for ln in sorted(lines, key=lambda t: t.y):
        if ln in title or ln.y < last.bottom - 0.3 * ln.size:
            continue
        if ln.x >= right or ln.right <= left:
            continue
        if any(_same_row(ln, o) for o in out):
            continue
        gap = ln.y - last.bottom
        if gap > max(1.6 * ln.size, 1.25 * seed.size):
            break
        if out and not _same_size(ln, out[0], 0.08):
            break
        text = ln.plain_text.strip()
        fits = (
            ln.size < seed.size * 0.95
            and ln.size >= max(body * 1.1, seed.size * 0.3)
            and is_phrase(ln)
            and 3 <= len(text.split()) <= 16
            and not text.endswith(".")
            and not (is_prose(ln, body) and ln.size < 1.4 * body)
            and not any(w.superscript for w in ln.words)
            and not never_title(ln, lines)
            and creators.read_line(ln).kind not in ("people", "email", "url")
            and not vocab.INSTITUTION_WORDS.search(ln.plain_text)
            and not heading_style_recurs(ln, lines)
        )
        if not fits:
            break
        out.append(ln)
        last = ln
        if len(out) == 2:
            break
    return out


def _continues_entry(line: TextLine, before: list[TextLine]) -> bool:
    """The line carries on an entry cut by a line break: the line just above it, in its style,
    ends with a comma or a conjunction ("…, Universität Innsbruck," / "Österreich")."""
    for prev in reversed(before):
        under = _same_style(prev, line, 0.06) and 0 <= line.y - prev.bottom < 0.8 * line.size
        if under and prev.x < line.right and line.x < prev.right:
            return bool(re.search(r"(?:,|;|\band|&)\s*$", prev.plain_text))
    return False


def _beside_institution(line: TextLine, lines: list[TextLine]) -> bool:
    """A name with an institution printed on its row or right under it ("Jun Ogawa (The University
    of Tokyo)" read by OCR as two boxes): an author, not a heading."""
    for ln in lines:
        if ln is line:
            continue
        near = _same_row(ln, line) or (
            0 <= ln.y - line.bottom < 0.8 * line.size and ln.x < line.right and ln.right > line.x
        )
        if (
            near
            and vocab.INSTITUTION_WORDS.search(ln.plain_text)
            and creators.read_line(ln).kind == "affiliation"
        ):
            return True
    return False


def _names_style(line: TextLine, lines: list[TextLine]) -> bool:
    """Most lines set in this line's style, standard section names aside, read as names: authors
    set each on its own line (in columns, bold) share a style that is not a heading style."""
    same = [ln for ln in lines if _same_style(ln, line, 0.06) and not is_standard_name(ln.plain_text)]
    named = sum(1 for ln in same if creators.read_line(ln).kind == "people")
    return named >= 2 and named * 2 > len(same)


def _ends_banner(
    ln: TextLine,
    nxt: TextLine | None,
    lines: list[TextLine],
    body: float,
    seed: TextLine,
    ratio: float = 1.15,
) -> bool:
    """A section heading or running text: the body of the poster starts here.

    A byline never ends the banner, however large, nor an event label or an institution's
    name; another affiliation or contact line only when set in a heading style that recurs
    down the poster.
    """
    reading = creators.read_line(ln)
    if reading.kind == "people" and (
        reading.strong or _names_style(ln, lines) or _beside_institution(ln, lines)
    ):
        return False
    text = ln.plain_text
    if is_event_line(text) or (reading.kind == "affiliation" and vocab.INSTITUTION_WORDS.search(text)):
        return False  # an event label or an institution's name is not a section heading
    if vocab.NON_AUTHOR_LABEL.match(text) and not is_standard_name(text):
        return False  # a role line ("Supervisor: …") belongs to the banner
    if is_standard_name(text) and ln.size >= body * 0.9:
        return True
    if is_prose(ln, body):
        return True
    return (
        ln.size < seed.size * 0.9
        and is_heading(ln, body, nxt, ratio)
        and heading_style_recurs(ln, lines, 0.06, 1)
    )


def find(
    lines: list[TextLine],
    page_height: float,
    body: float,
    size_tolerance: float = 0.12,
    heading_ratio: float = 1.15,
) -> Header:
    """`size_tolerance`: how far a title line's size may differ from the seed's (OCR box heights vary more)."""
    top = [ln for ln in lines if ln.y < page_height * TOP_SHARE and sum(c.isalpha() for c in ln.text) >= 3]
    if not top:
        return Header(typographic=False)
    phrases = [ln for ln in top if is_phrase(ln) and not never_title(ln, lines)]
    # A short line whose style recurs as section headings is the title only when nothing that
    # reads as a headline is printed above it.
    headings = [ln for ln in phrases if _heading_like(ln, lines)]
    plain = [ln for ln in phrases if ln not in headings]
    candidates = [ln for ln in phrases if ln not in headings or not any(p.y < ln.y for p in plain)]
    if not candidates:
        candidates = [ln for ln in top if not never_title(ln, lines)] or top
    biggest = max(ln.size for ln in candidates)
    if biggest < body * 1.1:
        # No typographic title (e.g. OCR of a flat image): take the first substantial line.
        first = candidates[0]
        return Header(title=[first], body_top=first.bottom, column=(first.x, first.right), typographic=False)
    seed = min((ln for ln in candidates if ln.size >= biggest * 0.9), key=lambda ln: ln.y)
    block = _title_block(seed, lines, size_tolerance)
    title, subtitle = _split_subtitle(block)
    if not subtitle:
        subtitle = _subtitle_below(title, lines, body, seed)
    head_lines = title + subtitle
    title_top = min(t.y for t in head_lines)
    title_bottom = max(t.bottom for t in head_lines)

    left = min(t.x for t in head_lines) - seed.size
    right = max(t.right for t in head_lines) + seed.size
    below = [ln for ln in lines if ln.y >= title_bottom - 0.2 * seed.size and ln not in head_lines]
    body_top = zone_bottom = page_height
    for i, ln in enumerate(below):
        nxt = below[i + 1] if i + 1 < len(below) else None
        if _continues_entry(ln, below[:i]):
            continue
        if ln.y > title_bottom and _ends_banner(ln, nxt, lines, body, seed, heading_ratio):
            body_top = min(body_top, ln.y - 0.1 * ln.size)
            overlap = min(ln.right, right) - max(ln.x, left)
            if overlap > (0 if is_standard_name(ln.plain_text) else 0.5 * ln.w):
                # The creator zone ends where the title's own column starts its body; a column
                # beside it may start higher, and a logo's word at the banner's edge is no
                # heading of the title's column.
                zone_bottom = ln.y - 0.1 * ln.size
                break
    # Guard: a poster with no detectable heading keeps a modest creator zone.
    limit = title_bottom + page_height * 0.15
    body_top, zone_bottom = min(body_top, limit), min(zone_bottom, limit)
    # The creator zone sits under the title, in its column: a figure or QR-code panel beside a
    # left-aligned title shares its rows but not its horizontal span.
    zone = [
        ln
        for ln in lines
        if ln not in head_lines
        and title_top - 0.2 * seed.size <= ln.y < zone_bottom
        and ln.x < right
        and ln.right > left
    ]
    # A marker set apart from its affiliation, in the margin of the same row, is still its marker.
    in_zone = set(zone)
    zone += [
        ln
        for ln in lines
        if ln not in in_zone
        and any(abs(ln.y - z.y) < 0.3 * z.size and abs(ln.size - z.size) < 0.2 * z.size for z in zone)
        and creators.read_line(ln).kind == "marker"
    ]
    above = [ln for ln in lines if ln.bottom <= title_top + 0.2 * seed.size and ln not in head_lines]
    side = [
        ln
        for ln in lines
        if ln not in head_lines
        and ln not in zone
        and ln.y < zone_bottom
        and ln.bottom > title_top - 0.2 * seed.size
        and (ln.x >= right or ln.right <= left)
    ]
    return Header(
        title=title,
        subtitle=subtitle,
        zone=zone,
        body_top=body_top,
        above=above,
        side=side,
        column=(left, right),
    )
