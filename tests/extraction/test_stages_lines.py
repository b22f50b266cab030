"""Lines stage on synthetic pages: markers raised above a line belong to it."""

from __future__ import annotations

from extraction.model import Word
from extraction.stages import creators, lines
from extraction.stages.lines import make_line
from tests.factories import line, page_of


def test_raised_markers_printed_as_their_own_words_join_the_byline() -> None:
    """Some producers print affiliation markers as separate small words above the baseline."""
    byline = line("Philipp Neubauer , Ken Andersen", x=860, y=184, size=40)
    neubauer = next(w for w in byline.words if w.text == "Neubauer")
    andersen = byline.words[-1]
    marks = [
        make_line([Word("1", neubauer.right + 1, 176, 18, 30, font_size=30)], 1),
        make_line([Word("2", andersen.right + 1, 176, 18, 30, font_size=30)], 2),
    ]
    merged = lines.collect(page_of([*marks, byline]))
    assert len(merged) == 1
    assert creators.marked_text(merged[0]) == "Philipp Neubauer \x011\x02 , Ken Andersen \x012\x02"


def test_a_number_on_its_own_row_stays_a_line() -> None:
    """A page number or a chart tick beside text is not raised over it: it is left alone."""
    text = line("the colonies came back in every survey", x=100, y=500, size=20)
    tick = make_line([Word("12", 40, 500, 20, 16, font_size=16)], 1)
    merged = lines.collect(page_of([text, tick]))
    assert sorted(ln.text for ln in merged) == ["12", "the colonies came back in every survey"]


def _w(text: str, x: float, width: float, sup: bool = False, font: str = "arial") -> Word:
    return Word(text=text, x=x, y=0, w=width, h=10, font_size=10, superscript=sup, font_family=font)


def test_touching_fragments_are_glued_and_superscripts_keep_their_space() -> None:
    """pdfalto starts a new word at every style change; words that touch on the page are one."""
    unit = [_w("m", 0, 10), _w("s", 13, 5), _w("-1", 18, 6, sup=True), _w(".", 24, 2)]
    assert lines.join_words(unit) == "m s -1."
    assert lines.join_words([_w("Co", 0, 12), _w("Cl", 12, 10, font="arial-bold"), _w("2", 22, 5)]) == "CoCl2"


def test_ocr_words_without_fonts_are_never_glued() -> None:
    """OCR box edges are estimates: two OCR words that seem to touch are still two words."""
    assert lines.join_words([_w("Juden", 0, 50, font=""), _w("buche", 50, 50, font="")]) == "Juden buche"
