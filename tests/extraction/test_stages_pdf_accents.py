"""PDF backend post-processing: accents drawn as separate glyphs go back on their letter."""

from __future__ import annotations

from extraction.backends.pdf import _attach_accents
from extraction.model import Block, Line, Page, Word


def test_diaeresis_glyph_is_attached_and_the_word_rejoined() -> None:
    first = Line(
        words=[
            Word("Ophir", 1254.8, 273.1, 72.3, 33.5),
            Word("M", 1340.5, 273.1, 25.2, 33.5),
            Word("··", 1367.6, 263.1, 15.1, 33.7),
        ]
    )
    second = Line(words=[Word("unz-Manor", 1365.6, 273.1, 135.1, 33.5)])
    page = Page(width=2000, height=3000, blocks=[Block(lines=[first]), Block(lines=[second])])
    _attach_accents(page)
    words = [w.text for b in page.blocks for ln in b.lines for w in ln.words]
    assert words == ["Ophir", "Münz-Manor"]
