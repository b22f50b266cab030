"""Reading order on hand-made lines: columns are read to their end across short gaps."""

from __future__ import annotations

from extraction.model import Word
from extraction.stages import reading_order
from extraction.stages.lines import TextLine


def line(x: float, y: float, text: str, width: float = 300.0, size: float = 10.0) -> TextLine:
    words = [Word(text=text, x=x, y=y, w=width, h=size, font_size=size)]
    return TextLine(words=words, x=x, y=y, w=width, h=size, size=size, bold=False, block=0)


def test_column_continues_below_a_gap_that_spans_both_columns() -> None:
    lines = [line(0, 0, "banner across the page", width=800)]
    lines += [line(0, 30 + 12 * i, f"left top {i}") for i in range(3)]
    lines += [line(500, 30 + 12 * i, f"right top {i}") for i in range(3)]
    # A gap of 40 > body size cuts both columns; each part is three lines tall.
    lines += [line(0, 105 + 12 * i, f"left chart {i}") for i in range(3)]
    lines += [line(500, 105 + 12 * i, f"right bottom {i}") for i in range(3)]
    texts = [ln.text for ln in reading_order.order(lines, 10.0)]
    assert texts == [
        "banner across the page",
        *[f"left top {i}" for i in range(3)],
        *[f"left chart {i}" for i in range(3)],
        *[f"right top {i}" for i in range(3)],
        *[f"right bottom {i}" for i in range(3)],
    ]


def test_table_rows_are_read_row_by_row() -> None:
    lines = [line(0, 0, "banner across the page", width=800)]
    for r in range(3):
        lines += [
            line(0, 40 + 40 * r, f"cell {r}a", width=100),
            line(300, 40 + 40 * r, f"cell {r}b", width=100),
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
        line(0, 0, "left a"),
        line(500, 0, "right a"),
        line(0, 40, "full width", width=800),
        line(0, 80, "left b"),
        line(500, 80, "right b"),
    ]
    texts = [ln.text for ln in reading_order.order(lines, 10.0)]
    assert texts == ["left a", "right a", "full width", "left b", "right b"]


def test_tight_gap_under_a_full_width_paragraph_still_separates_the_columns() -> None:
    lines = [line(0, 0, "abstract across the page", width=800), line(0, 11, "abstract line two", width=800)]
    # Only 5 units (half a body line) between the abstract and the two columns below it.
    lines += [line(0, 26 + 11 * i, f"left {i}") for i in range(4)]
    lines += [line(500, 26 + 11 * i, f"right {i}") for i in range(4)]
    texts = [ln.text for ln in reading_order.order(lines, 10.0)]
    assert texts == [
        "abstract across the page",
        "abstract line two",
        *[f"left {i}" for i in range(4)],
        *[f"right {i}" for i in range(4)],
    ]


def test_row_of_column_headings_opens_the_columns_below() -> None:
    lines = [line(0, 0, "banner across the page", width=800)]
    lines.append(line(0, 40, "INTRODUCTION", size=14))
    lines.append(line(500, 40, "RESULTS", size=14))
    lines += [line(0, 75 + 12 * i, f"left {i}") for i in range(4)]
    lines += [line(500, 75 + 12 * i, f"right {i}") for i in range(4)]
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
    lines = [line(0, y, f"left {y}") for y in rows] + [line(500, y, f"right {y}") for y in rows]
    lines.append(line(250, 160, "contact footer across the gutter", width=400))
    texts = [ln.text for ln in reading_order.order(lines, 10.0)]
    assert texts == [
        *[f"left {y}" for y in rows],
        *[f"right {y}" for y in rows],
        "contact footer across the gutter",
    ]
