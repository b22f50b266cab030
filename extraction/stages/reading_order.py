"""Reading order for multi-column posters: a recursive XY-cut over line boxes.

At each level the region is split at vertical gutters that run its whole height (columns are
read left to right); when there is none, it is split at horizontal gaps (bands are read top
to bottom). Banner rows and full-width sections fall out of the same rule, with no column
count to guess. Consecutive bands whose columns line up are read as one region, column by
column, because posters are read down a column before moving right.
"""

from __future__ import annotations

from extraction.stages.lines import TextLine


def _gaps(spans: list[tuple[float, float]], min_gap: float) -> list[float]:
    """Cut positions where no span covers an interval of at least `min_gap`."""
    cuts: list[float] = []
    spans = sorted(spans)
    reach = spans[0][1]
    for start, end in spans[1:]:
        if start - reach >= min_gap:
            cuts.append((start + reach) / 2)
        reach = max(reach, end)
    return cuts


def _split(items: list[TextLine], cuts: list[float], key) -> list[list[TextLine]]:
    parts: list[list[TextLine]] = [[] for _ in range(len(cuts) + 1)]
    for it in items:
        pos = key(it)
        idx = sum(1 for c in cuts if pos > c)
        parts[idx].append(it)
    return [p for p in parts if p]


def _tall(band: list[TextLine], body: float) -> bool:
    """A band of at least three rows of text: a table row (one or two lines) is never one."""
    rows: list[float] = []
    for ln in sorted(band, key=lambda ln: ln.y):
        if not rows or ln.y - rows[-1] > 0.5 * max(ln.size, body * 0.5):
            rows.append(ln.y)
    return len(rows) >= 3


def _heading_row(band: list[TextLine], body: float) -> bool:
    """A row of column headings (short lines, all bold or capitals): it opens the columns below."""
    if _tall(band, body):
        return False
    for ln in band:
        text = ln.plain_text
        letters = [c for c in text if c.isalpha()]
        caps = bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.85
        if len(text.split()) > 8 or not (ln.bold or caps):
            return False
    return True


def _merge_columns(bands: list[list[TextLine]], col_gap: float, body: float) -> list[list[TextLine]]:
    """Rejoin consecutive bands that share a column gutter, so a column is read to its end.

    A full-width line above splits the region into bands first; without this, a short gap
    inside a column (under a bullet list, above a chart) would cut both columns in two and
    interleave them: left-top, right-top, left-bottom, right-bottom. Table rows (short bands)
    stay apart, so a table is still read row by row; a row of headings joins the columns it heads.
    """
    merged: list[list[TextLine]] = [bands[0]]
    for prev, band in zip(bands, bands[1:], strict=False):
        union = merged[-1] + band
        joinable = (_tall(prev, body) and _tall(band, body)) or _heading_row(prev, body)
        if joinable and _gaps([(ln.x, ln.right) for ln in union], col_gap):
            merged[-1] = union
        else:
            merged.append(band)
    return merged


MAX_PEEL = 3
FOOTER_TAG = "footer"


def _peel(lines: list[TextLine], body: float, col_gap: float) -> list[list[TextLine]] | None:
    """[top, columns, bottom] when a few full-width bands at the top or bottom are all that hide
    the column gutter (a footer with contact details, a banner line), else None.

    Without this, one footer line across the gutter forces the whole page into horizontal bands
    and the columns are read band by band, interleaved.
    """
    parts = _split(lines, _gaps([(ln.y, ln.bottom) for ln in lines], body * 0.4), key=lambda ln: ln.y + 0.01)
    if len(parts) < 3:
        return None
    best: tuple[int, int] | None = None
    best_size = 0
    for top in range(0, MAX_PEEL + 1):
        for bottom in range(0, MAX_PEEL + 1):
            if top + bottom == 0 or top + bottom >= len(parts):
                continue
            kept = parts[top : len(parts) - bottom]
            if not any(_tall(part, body) for part in kept):
                continue  # rows of a table, not columns of text
            middle = [ln for part in kept for ln in part]
            if len(middle) > best_size and _gaps([(ln.x, ln.right) for ln in middle], col_gap):
                best, best_size = (top, bottom), len(middle)
    if best is None or best_size < 0.6 * len(lines):
        return None
    top, bottom = best

    def gap(upper: list[TextLine], lower: list[TextLine]) -> float:
        return min(ln.y for ln in lower) - max(ln.bottom for ln in upper)

    # A peeled footer or banner takes along the lines set tightly against it (the names above a
    # contact address), as long as the columns keep at least one band.
    while bottom and top + bottom + 1 < len(parts) and gap(parts[-bottom - 1], parts[-bottom]) < body:
        bottom += 1
    while top and top + bottom + 1 < len(parts) and gap(parts[top - 1], parts[top]) < body:
        top += 1
    head = [ln for part in parts[:top] for ln in part]
    middle = [ln for part in parts[top : len(parts) - bottom] for ln in part]
    tail = [ln for part in parts[len(parts) - bottom :] for ln in part]
    return [p for p in (head, middle, tail) if p]


def order(lines: list[TextLine], body: float, gutter: float = 1.2) -> list[TextLine]:
    """Return `lines` in reading order.

    `gutter`: the narrowest column gap, in body sizes. PDF lines can be fragments a word space
    apart, so a gap must be wider than that; OCR lines are whole, so any clear vertical strip
    running the region's height is a gutter (OCR pages pass a smaller value).
    """
    if len(lines) <= 1:
        return list(lines)
    col_gap = max(body * gutter, 4.0)
    vcuts = _gaps([(ln.x, ln.right) for ln in lines], col_gap)
    if vcuts:
        out: list[TextLine] = []
        for part in _split(lines, vcuts, key=lambda ln: ln.x + 0.01):
            out.extend(order(part, body, gutter))
        return out
    peeled = _peel(lines, body, col_gap)
    if peeled is not None:
        out = []
        for part in peeled:
            ordered = order(part, body, gutter)
            if part is peeled[-1] and len(peeled) > 1 and ordered:
                # A full-width band under the columns (contact details, a funding line) is
                # not the end of the last column's section.
                ordered[0].tags.add(FOOTER_TAG)
            out.extend(ordered)
        return out
    for min_gap in (body * 1.0, body * 0.4):
        # Tightly set posters leave less than a line between a full-width paragraph and the
        # columns under it; the finer cut finds that boundary, and bands that share a gutter are
        # merged again, so it cannot interleave columns.
        hcuts = _gaps([(ln.y, ln.bottom) for ln in lines], min_gap)
        if not hcuts:
            continue
        parts = _merge_columns(_split(lines, hcuts, key=lambda ln: ln.y + 0.01), col_gap, body)
        if len(parts) > 1:
            out = []
            for part in parts:
                out.extend(order(part, body, gutter))
            return out
    return sorted(lines, key=lambda ln: (ln.y, ln.x))
