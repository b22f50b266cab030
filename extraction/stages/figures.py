"""Unlabelled figure captions: text set against a picture that describes it.

Many posters caption a figure without "Figure N". Such a caption is recognised by where it
sits and what it says: a text block directly under or beside a bitmap (as the PDF places it),
which is either set in italics, the usual caption style, or opens by naming what the picture
shows ("Black points represent ...", "These figures show ..."). Running text that merely
follows a picture matches neither, so it stays in its section.
"""

from __future__ import annotations

import re

from extraction.stages.lines import TextLine

CAPTION_TAG = "caption"
MIN_WORDS = 8
# Nouns for what a picture is made of; one among a block's first words marks a description of it.
VISUAL = re.compile(
    r"\b(figures?|fig|plots?|panels?|images?|photos?|photographs?|graphs?|charts?|maps?|diagrams?|"
    r"points?|dots?|lines?|bars?|curves?|shaded|arrows?|circles?|squares?|triangles?|symbols?|markers?|"
    r"histograms?|heat ?maps?|scatter\w*|schem\w*|workflow|illustrat\w*|insets?|micrographs?)\b",
    re.IGNORECASE,
)
OPENING_WORDS = 8

Box = tuple[float, float, float, float]


def _pictures(images: list[Box], page_w: float, page_h: float) -> list[Box]:
    """Bitmaps that can be figures: not page backgrounds, not specks."""
    area = page_w * page_h
    return [b for b in images if b[2] * b[3] < 0.4 * area and min(b[2], b[3]) > 0.02 * min(page_w, page_h)]


def _adjacent(block: list[TextLine], pic: Box) -> bool:
    """Directly under the picture, or directly beside it, overlapping it along the other axis."""
    x0, y0, x1, y1 = (
        min(ln.x for ln in block),
        min(ln.y for ln in block),
        max(ln.right for ln in block),
        max(ln.bottom for ln in block),
    )
    px, py, pw, ph = pic
    size = max(ln.size for ln in block)
    h_overlap = min(x1, px + pw) - max(x0, px)
    v_overlap = min(y1, py + ph) - max(y0, py)
    below = 0 <= y0 - (py + ph) <= 1.5 * size and h_overlap >= 0.5 * (x1 - x0)
    beside = (0 <= x0 - (px + pw) <= 2 * size or 0 <= px - x1 <= 2 * size) and v_overlap >= 0.5 * (y1 - y0)
    return below or beside


def _describes_picture(block: list[TextLine]) -> bool:
    words = [w for ln in block for w in ln.words]
    if words and all(w.italic for w in words):
        return True
    opening = " ".join(w.text for w in words[:OPENING_WORDS])
    return bool(VISUAL.search(opening))


def mark_unlabelled(
    lines: list[TextLine], images: list[Box], page_w: float, page_h: float, is_heading
) -> None:
    """Tag the first line of each unlabelled caption block with CAPTION_TAG (in place)."""
    pictures = _pictures(images, page_w, page_h)
    if not pictures:
        return
    blocks: dict[int, list[TextLine]] = {}
    for ln in lines:
        blocks.setdefault(ln.block, []).append(ln)
    for block in blocks.values():
        block.sort(key=lambda ln: (ln.y, ln.x))
        first = block[0]
        if sum(len(ln.plain_text.split()) for ln in block) < MIN_WORDS or is_heading(first):
            continue
        if any(_adjacent(block, pic) for pic in pictures) and _describes_picture(block):
            first.tags.add(CAPTION_TAG)


AFTER_PICTURE_TAG = "after-picture"


def mark_after_pictures(ordered: list[TextLine], images: list[Box], page_w: float, page_h: float) -> None:
    """Tag a line that follows a picture in its column (the picture sits between it and the line
    read before it): the text under a figure starts a new passage, not more of the one above."""
    pictures = _pictures(images, page_w, page_h)
    for prev, ln in zip(ordered, ordered[1:], strict=False):
        if ln.y <= prev.bottom:
            continue
        for px, py, pw, ph in pictures:
            between = py >= prev.bottom - 0.5 * ln.size and py + ph <= ln.y + 0.5 * ln.size
            overlap = min(ln.right, px + pw) - max(ln.x, px)
            if between and overlap > 0.5 * min(ln.w, pw):
                ln.tags.add(AFTER_PICTURE_TAG)
                break
