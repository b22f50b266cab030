"""OCR emphasis: coloured or reversed-out text is flagged, and then decides headings."""

from __future__ import annotations

import numpy as np

from extraction.backends.image import emphasised
from extraction.stages.headings import is_heading
from tests.factories import line


def box_image(background: tuple[int, int, int], ink: tuple[int, int, int]) -> np.ndarray:
    img = np.zeros((60, 200, 3), dtype=np.uint8)
    img[:, :] = background
    img[20:40, 20:180:3] = ink  # strokes of "text"
    return img


XS, YS = [0.0, 199.0, 199.0, 0.0], [0.0, 0.0, 59.0, 59.0]


def test_black_on_white_is_plain() -> None:
    assert not emphasised(box_image((255, 255, 255), (0, 0, 0)), XS, YS)


def test_white_on_a_blue_bar_is_emphasised() -> None:
    assert emphasised(box_image((40, 80, 140), (255, 255, 255)), XS, YS)


def test_coloured_ink_is_emphasised() -> None:
    assert emphasised(box_image((255, 255, 255), (200, 30, 30)), XS, YS)


def test_emphasis_only_headings() -> None:
    assert is_heading(line("Weitere Schritte", size=86, bold=True), 49, emphasis_only=True)
    assert not is_heading(line("Weitere Schritte", size=86, bold=False), 49, emphasis_only=True)
    assert not is_heading(line("w3 w4 w5 w6", size=86, bold=True), 49, emphasis_only=True)
    assert not is_heading(
        line("a long run of coloured words that is really a sentence", size=86, bold=True),
        49,
        emphasis_only=True,
    )


def test_small_bold_standard_name_is_a_heading() -> None:
    assert is_heading(line("References", size=15, bold=True), 20)
    assert not is_heading(line("References", size=15, bold=False), 20)
    assert not is_heading(line("Some small bold words", size=15, bold=True), 20)


def test_bar_extent_of_reversed_out_heading() -> None:
    from extraction.backends.image import bar_extent

    img = np.full((100, 400, 3), 255, dtype=np.uint8)
    img[20:60, 50:350] = (40, 80, 140)  # the coloured bar
    img[30:50, 120:200:3] = (255, 255, 255)  # white text inside it
    left, right = bar_extent(img, [110.0, 210.0, 210.0, 110.0], [25.0, 25.0, 55.0, 55.0])
    assert left == 50 and right == 349
    plain = np.full((100, 400, 3), 255, dtype=np.uint8)
    assert bar_extent(plain, [110.0, 210.0, 210.0, 110.0], [25.0, 25.0, 55.0, 55.0]) == (None, None)


def test_standard_name_with_footnote_mark() -> None:
    from extraction.stages.headings import is_standard_name

    assert is_standard_name("RESULTS*")
    assert is_standard_name("Abbreviations:")
    assert not is_standard_name("Results of the survey")
