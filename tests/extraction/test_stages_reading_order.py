"""Reading order on hand-made lines: columns are read to their end across short gaps."""

from __future__ import annotations

from extraction.stages import reading_order
from tests.factories import line


def test_column_continues_below_a_gap_that_spans_both_columns() -> None:
    lines = [line("banner across the page", x=0, y=0, width=800, size=10.0)]
    lines += [line(f"left top {i}", x=0, y=30 + 12 * i, width=300.0, size=10.0) for i in range(3)]
    lines += [line(f"right top {i}", x=500, y=30 + 12 * i, width=300.0, size=10.0) for i in range(3)]
    # A gap of 40 > body size cuts both columns; each part is three lines tall.
    lines += [line(f"left chart {i}", x=0, y=105 + 12 * i, width=300.0, size=10.0) for i in range(3)]
    lines += [line(f"right bottom {i}", x=500, y=105 + 12 * i, width=300.0, size=10.0) for i in range(3)]
    texts = [ln.text for ln in reading_order.order(lines, 10.0)]
    assert texts == [
        "banner across the page",
        *[f"left top {i}" for i in range(3)],
        *[f"left chart {i}" for i in range(3)],
        *[f"right top {i}" for i in range(3)],
        *[f"right bottom {i}" for i in range(3)],
    ]


def test_table_rows_are_read_row_by_row() -> None:
    lines = [line("banner across the page", x=0, y=0, width=800, size=10.0)]
    for r in range(3):
        lines += [
            line(f"cell {r}a", x=0, y=40 + 40 * r, width=100, size=10.0),
            line(f"cell {r}b", x=300, y=40 + 40 * r, width=100, size=10.0),
        ]
    texts = [ln.text for ln in reading_order.order(lines, 10.0)]
    assert texts == [
        "banner across the page",
        "cell 0a",
        "cell 0b",
        "cell 1a",
        "cell 1b",
        "cell 2a",
        "cell 2b",
    ]


def test_full_width_line_still_separates_bands() -> None:
    lines = [
        line("left a", x=0, y=0, width=300.0, size=10.0),
        line("right a", x=500, y=0, width=300.0, size=10.0),
        line("full width", x=0, y=40, width=800, size=10.0),
        line("left b", x=0, y=80, width=300.0, size=10.0),
        line("right b", x=500, y=80, width=300.0, size=10.0),
    ]
    texts = [ln.text for ln in reading_order.order(lines, 10.0)]
    assert texts == ["left a", "right a", "full width", "left b", "right b"]


def test_tight_gap_under_a_full_width_paragraph_still_separates_the_columns() -> None:
    lines = [
        line("abstract across the page", x=0, y=0, width=800, size=10.0),
        line("abstract line two", x=0, y=11, width=800, size=10.0),
    ]
    # Only 5 units (half a body line) between the abstract and the two columns below it.
    lines += [line(f"left {i}", x=0, y=26 + 11 * i, width=300.0, size=10.0) for i in range(4)]
    lines += [line(f"right {i}", x=500, y=26 + 11 * i, width=300.0, size=10.0) for i in range(4)]
    texts = [ln.text for ln in reading_order.order(lines, 10.0)]
    assert texts == [
        "abstract across the page",
        "abstract line two",
        *[f"left {i}" for i in range(4)],
        *[f"right {i}" for i in range(4)],
    ]


def test_row_of_column_headings_opens_the_columns_below() -> None:
    lines = [line("banner across the page", x=0, y=0, width=800, size=10.0)]
    lines.append(line("INTRODUCTION", x=0, y=40, size=14, width=300.0))
    lines.append(line("RESULTS", x=500, y=40, size=14, width=300.0))
    lines += [line(f"left {i}", x=0, y=75 + 12 * i, width=300.0, size=10.0) for i in range(4)]
    lines += [line(f"right {i}", x=500, y=75 + 12 * i, width=300.0, size=10.0) for i in range(4)]
    texts = [ln.text for ln in reading_order.order(lines, 10.0)]
    assert texts == [
        "banner across the page",
        "INTRODUCTION",
        *[f"left {i}" for i in range(4)],
        "RESULTS",
        *[f"right {i}" for i in range(4)],
    ]


def test_footer_across_the_gutter_does_not_interleave_the_columns() -> None:
    rows = [0, 12, 24, 60, 96, 108, 120]  # a one-line band in the middle breaks the band merging
    lines = [line(f"left {y}", x=0, y=y, width=300.0, size=10.0) for y in rows] + [
        line(f"right {y}", x=500, y=y, width=300.0, size=10.0) for y in rows
    ]
    lines.append(line("contact footer across the gutter", x=250, y=160, width=400, size=10.0))
    texts = [ln.text for ln in reading_order.order(lines, 10.0)]
    assert texts == [
        *[f"left {y}" for y in rows],
        *[f"right {y}" for y in rows],
        "contact footer across the gutter",
    ]
