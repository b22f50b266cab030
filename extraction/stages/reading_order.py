"""Reading order for multi-column posters: a recursive XY-cut over line boxes.

At each level the region is split at vertical gutters that run its whole height (columns are
read left to right); when there is none, it is split at horizontal gaps (bands are read top
to bottom). Banner rows and full-width sections fall out of the same rule, with no column
count to guess.
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


def order(lines: list[TextLine], body: float) -> list[TextLine]:
    """Return `lines` in reading order."""
    if len(lines) <= 1:
        return list(lines)
    col_gap = max(body * 1.2, 4.0)
    vcuts = _gaps([(ln.x, ln.right) for ln in lines], col_gap)
    if vcuts:
        out: list[TextLine] = []
        for part in _split(lines, vcuts, key=lambda ln: ln.x + 0.01):
            out.extend(order(part, body))
        return out
    hcuts = _gaps([(ln.y, ln.bottom) for ln in lines], body * 1.0)
    if hcuts:
        parts = _split(lines, hcuts, key=lambda ln: ln.y + 0.01)
        if len(parts) > 1:
            out = []
            for part in parts:
                out.extend(order(part, body))
            return out
    return sorted(lines, key=lambda ln: (ln.y, ln.x))
