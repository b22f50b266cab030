"""Line text: touching words (a style change inside a word) are glued, spaced words are not."""

from __future__ import annotations

from extraction.model import Word
from extraction.stages.lines import join_words


def w(text: str, x: float, width: float, sup: bool = False, font: str = "arial") -> Word:
    return Word(text=text, x=x, y=0, w=width, h=10, font_size=10, superscript=sup, font_family=font)


def test_touching_punctuation_is_glued_and_superscripts_keep_their_space() -> None:
    words = [w("m", 0, 10), w("s", 13, 5), w("-1", 18, 6, sup=True), w(".", 24, 2)]
    assert join_words(words) == "m s -1."


def test_ocr_words_without_fonts_are_never_glued() -> None:
    assert join_words([w("Juden", 0, 50, font=""), w("buche", 50, 50, font="")]) == "Juden buche"


def test_bold_run_inside_a_word_is_glued() -> None:
    assert join_words([w("Co", 0, 12), w("Cl", 12, 10, font="arial-bold"), w("2", 22, 5)]) == "CoCl2"
