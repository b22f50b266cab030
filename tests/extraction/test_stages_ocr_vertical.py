"""OCR side labels: rotated lines printed side by side are kept as one line at their top."""

from __future__ import annotations

from extraction.backends.image import _add_vertical
from extraction.model import Page


def test_rotated_lines_side_by_side_join_left_to_right() -> None:
    page = Page(width=10000, height=7000, source="ocr")
    boxes = [
        (6088.0, 1712.0, 6219.0, 2641.0, "Interpretationstexten"),
        (5967.0, 1803.0, 6098.0, 2641.0, "Zitierte Stellen aus"),
    ]
    _add_vertical(page, boxes)
    assert len(page.blocks) == 1
    line = page.blocks[0].lines[0]
    assert line.words[0].text == "Zitierte Stellen aus Interpretationstexten"
    assert line.y == 1712.0 and abs(line.words[0].font_size - 131 * 0.75) < 1


def test_separate_rotated_labels_stay_apart() -> None:
    page = Page(width=10000, height=7000, source="ocr")
    _add_vertical(page, [(100.0, 100.0, 200.0, 900.0, "Survival"), (3000.0, 100.0, 3100.0, 900.0, "Time")])
    assert sorted(b.lines[0].words[0].text for b in page.blocks) == ["Survival", "Time"]
