"""Unlabelled captions on hand-made lines and picture boxes."""

from __future__ import annotations

from extraction.model import Word
from extraction.stages import figures
from extraction.stages.lines import TextLine


def block(
    x: float, y: float, rows: list[str], block_id: int, italic: bool = False, size: float = 9.0
) -> list[TextLine]:
    out = []
    for i, text in enumerate(rows):
        words = [
            Word(text=t, x=x + 20 * j, y=y + 11 * i, w=18, h=size, font_size=size, italic=italic)
            for j, t in enumerate(text.split())
        ]
        out.append(
            TextLine(
                words=words,
                x=x,
                y=y + 11 * i,
                w=20 * len(words),
                h=size,
                size=size,
                bold=False,
                block=block_id,
            )
        )
    return out


def never_heading(_line: TextLine) -> bool:
    return False


PICTURE = (100.0, 100.0, 220.0, 150.0)  # x, y, w, h: bottom at 250


def test_block_under_a_picture_that_names_what_it_shows_is_a_caption() -> None:
    cap = block(100, 255, ["Black points represent nightly means of the", "observations in the field."], 1)
    figures.mark_unlabelled(cap, [PICTURE], 1000, 600, never_heading)
    assert figures.CAPTION_TAG in cap[0].tags


def test_running_text_under_a_picture_stays_text() -> None:
    text = block(
        100,
        255,
        ["Our second sample consists of 36 common proper", "motion twin binaries from the survey."],
        2,
    )
    figures.mark_unlabelled(text, [PICTURE], 1000, 600, never_heading)
    assert not text[0].tags


def test_italic_block_beside_a_picture_is_a_caption() -> None:
    cap = block(
        330,
        120,
        ["Papers that are identified as containing one", "of the search terms would be binned."],
        3,
        italic=True,
    )
    figures.mark_unlabelled(cap, [PICTURE], 1000, 600, never_heading)
    assert figures.CAPTION_TAG in cap[0].tags


def test_far_from_any_picture_is_not_a_caption() -> None:
    cap = block(600, 500, ["Black points represent nightly means of the", "observations in the field."], 4)
    figures.mark_unlabelled(cap, [PICTURE], 1000, 600, never_heading)
    assert not cap[0].tags


def test_page_background_is_not_a_picture() -> None:
    cap = block(100, 255, ["Black points represent nightly means of the", "observations in the field."], 5)
    figures.mark_unlabelled(cap, [(0.0, 0.0, 1000.0, 600.0)], 1000, 600, never_heading)
    assert not cap[0].tags


def test_line_after_a_picture_in_its_column_is_tagged() -> None:
    above = block(100, 80, ["Text above the figure that ends its paragraph here."], 1)
    below = block(100, 260, ["SMARTS time is available on the telescope for a fee."], 2)
    beside = block(600, 260, ["Another column that has no picture above it at all."], 3)
    ordered = above + below + beside
    figures.mark_after_pictures(ordered, [PICTURE], 1000, 600)
    assert figures.AFTER_PICTURE_TAG in below[0].tags
    assert not above[0].tags and not beside[0].tags
