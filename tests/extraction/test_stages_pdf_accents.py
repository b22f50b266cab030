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


def test_drop_shadow_copies_are_removed() -> None:
    from extraction.backends.pdf import _drop_shadows

    def word(text: str, x: float, y: float) -> Word:
        return Word(text, x, y, 30, 40, font_size=38)

    top = Line(words=[word("17", 1395, 1078), word("FAIR4RS", 1440, 1078)])
    shadow = Line(words=[word("17", 1407, 1093), word("FAIR4RS", 1452, 1093)])
    below = Line(words=[word("17", 1395, 1160)])  # the same word a line further down is kept
    page = Page(width=3000, height=2000, blocks=[Block(lines=[top]), Block(lines=[shadow, below])])
    _drop_shadows(page)
    assert [w.text for b in page.blocks for ln in b.lines for w in ln.words] == ["17", "FAIR4RS", "17"]


def test_word_cut_at_an_accented_letter_is_rejoined() -> None:
    """Type 1 fonts draw "ő" or "ğ" as composite glyphs; pdfalto starts a new word there."""
    from extraction.backends.pdf import _join_split_accented_words

    def word(text: str, x: float) -> Word:
        return Word(text, x, 280, len(text) * 20, 38, font_size=40)

    # Word spaces are 11 pt; the cuts are 4-5 pt, before an accented or a lower-case letter.
    line = Line(words=[word("Zsófia", 593), word("Sz", 724), word("őke", 769), word("and", 840),
                       word("Elif", 911), word("Aydo", 1002), word("gan", 1086), word("lived", 1157)])  # fmt: skip
    page = Page(width=2000, height=3000, blocks=[Block(lines=[line])])
    _join_split_accented_words(page)
    assert [w.text for w in page.blocks[0].lines[0].words] == [
        "Zsófia",
        "Szőke",
        "and",
        "Elif",
        "Aydogan",
        "lived",
    ]


def test_one_letter_word_drawn_twice_on_itself_is_dropped() -> None:
    from extraction.backends.pdf import _drop_shadows

    first = Line(
        words=[Word("para", 100, 50, 80, 40, font_size=38), Word("a", 190, 50, 20, 40, font_size=38)]
    )
    again = Line(words=[Word("a", 191, 50, 20, 40, font_size=38)])
    later = Line(words=[Word("a", 400, 50, 20, 40, font_size=38)])
    page = Page(width=2000, height=3000, blocks=[Block(lines=[first]), Block(lines=[again, later])])
    _drop_shadows(page)
    assert [w.text for b in page.blocks for ln in b.lines for w in ln.words] == ["para", "a", "a"]
