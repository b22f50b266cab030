"""Banner stage on hand-made lines: creator zone limits and where the body starts."""

from __future__ import annotations

from extraction.model import Word
from extraction.stages import header
from extraction.stages.lines import TextLine


def line(x: float, y: float, text: str, size: float, bold: bool = False) -> TextLine:
    words = []
    cursor = x
    for t in text.split():
        w = len(t) * size * 0.5
        words.append(Word(text=t, x=cursor, y=y, w=w, h=size, font_size=size, bold=bold))
        cursor += w + size * 0.3
    return TextLine(words=words, x=x, y=y, w=cursor - x, h=size, size=size, bold=bold, block=0)


def test_panel_beside_a_left_title_is_not_creator_zone() -> None:
    lines = [
        line(90, 90, "A study of things", 40),
        line(1300, 95, "FIGURE 1: model schematic", 24),
        line(1300, 140, "100", 18),
        line(90, 200, "Anna Berg, Carl Dunn, Eva Fox", 26),
        line(90, 400, "Introduction", 30, bold=True),
        line(90, 440, "Body text that runs on and on in lower case words here", 20),
    ]
    head = header.find(lines, 3000, 20)
    texts = [ln.text for ln in head.zone]
    assert texts == ["Anna Berg, Carl Dunn, Eva Fox"]


def test_standard_section_name_in_title_size_ends_the_banner() -> None:
    lines = [
        line(200, 100, "A study of things", 60, bold=True),
        line(200, 200, "Anna Berg, Carl Dunn, Eva Fox", 40),
        line(200, 300, "INTRODUCTION", 60, bold=True),
        line(1000, 300, "RESULTS", 60, bold=True),
        line(200, 380, "body words", 20),
    ]
    head = header.find(lines, 3000, 20)
    assert [ln.text for ln in head.zone] == ["Anna Berg, Carl Dunn, Eva Fox"]
    assert head.body_top < 300


def test_lines_above_the_title_are_kept_for_the_creator_fallback() -> None:
    lines = [
        line(100, 50, "Institut für Informationswissenschaft", 190),
        line(100, 350, "Frederik Arnold", 140),
        line(200, 700, "A study of things and more", 240),
        line(200, 1500, "Korpus", 100),
    ]
    head = header.find(lines, 7000, 50, size_tolerance=0.25)
    assert [ln.text for ln in head.above] == ["Institut für Informationswissenschaft", "Frederik Arnold"]


def test_beside_tells_a_side_panel_from_the_title_column() -> None:
    lines = [
        line(90, 90, "A study of things", 40),
        line(1300, 95, "FIGURE 1: model schematic", 24),
        line(90, 200, "Anna Berg, Carl Dunn, Eva Fox", 26),
        line(90, 400, "Introduction", 30, bold=True),
    ]
    head = header.find(lines, 3000, 20)
    assert head.beside(lines[1])
    assert not head.beside(lines[2])
