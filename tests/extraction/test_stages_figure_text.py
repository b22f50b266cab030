"""The chart-label filter of the pipeline: labels go, printed data values stay."""

from __future__ import annotations

from extraction import pipeline
from extraction.model import Word
from tests.factories import line


def test_label_only_size_is_dropped_but_data_values_are_kept() -> None:
    lines = [line("Running text of the poster body goes here at length", size=30) for _ in range(5)]
    lines += [line("0", size=25.7), line("24.5", size=25.7), line("Axis", size=25.7), line("48.3", size=25.7)]
    labels = pipeline.label_sizes(lines)
    assert 26 in labels
    assert pipeline.figure_text(line("Axis", size=25.7), 30, labels)
    assert not pipeline.figure_text(line("48.3", size=25.7), 30, labels)
    assert pipeline.figure_text(line("x", size=30), 30, labels)


def test_opening_section_is_the_description_when_no_abstract_is_printed() -> None:
    from extraction.model import Block, Line, Page

    def block(y: float, text: str, size: float, bold: bool = False) -> Block:
        words = []
        x = 50.0
        for t in text.split():
            words.append(Word(text=t, x=x, y=y, w=len(t) * size * 0.5, h=size, font_size=size, bold=bold))
            x += len(t) * size * 0.5 + size * 0.3
        return Block(lines=[Line(words=words, x=50, y=y, w=x - 50, h=size)], x=50, y=y, w=x - 50, h=size)

    body = "words of the introduction that run on for a while and say what the work is about"
    blocks = [
        block(20, "A Poster Title About Things", 60, bold=True),
        block(120, "Anna Berg, Carl Dunn, Eva Fox", 30),
    ]
    blocks += [block(220, "Introduction", 40, bold=True)]
    blocks += [block(280 + 25 * i, body, 20) for i in range(3)]
    blocks += [block(400, "Methods", 40, bold=True), block(460, body, 20)]
    doc = pipeline.build(Page(width=1000, height=1400, blocks=blocks))
    assert doc["descriptions"][0]["description"].startswith("words of the introduction")
    assert doc["content"]["sections"][0]["sectionTitle"] == "Introduction"


def test_authors_beside_a_left_title_are_found() -> None:
    from extraction.model import Block, Line, Page

    def block(x: float, y: float, text: str, size: float, bold: bool = False) -> Block:
        words = []
        cx = x
        for t in text.split():
            words.append(Word(text=t, x=cx, y=y, w=len(t) * size * 0.5, h=size, font_size=size, bold=bold))
            cx += len(t) * size * 0.5 + size * 0.3
        return Block(lines=[Line(words=words, x=x, y=y, w=cx - x, h=size)], x=x, y=y, w=cx - x, h=size)

    body = "words of the introduction that run on for a while and say what the work is about"
    blocks = [
        block(50, 20, "A Poster Title", 60, bold=True),
        block(1500, 30, "Anna Berg, Carl Dunn, Eva Fox", 30),
        block(50, 200, "Introduction", 40, bold=True),
    ]
    blocks += [block(50, 260 + 25 * i, body, 20) for i in range(3)]
    doc = pipeline.build(Page(width=2400, height=1400, blocks=blocks))
    assert [c["familyName"] for c in doc["creators"]] == ["Berg", "Dunn", "Fox"]


def test_urls_in_references_are_not_poster_identifiers() -> None:
    from extraction.model import Block, Line, Page

    def block(y: float, text: str, size: float, bold: bool = False) -> Block:
        words = []
        x = 50.0
        for t in text.split():
            words.append(Word(text=t, x=x, y=y, w=len(t) * size * 0.5, h=size, font_size=size, bold=bold))
            x += len(t) * size * 0.5 + size * 0.3
        return Block(lines=[Line(words=words, x=50, y=y, w=x - 50, h=size)], x=50, y=y, w=x - 50, h=size)

    body = "words of the introduction that run on for a while and say what the work is about"
    blocks = [
        block(20, "A Poster Title About Things", 60, bold=True),
        block(120, "Anna Berg, Carl Dunn, Eva Fox", 30),
    ]
    blocks += [
        block(220, "Introduction", 40, bold=True),
        block(280, body + " see https://example.org/tool", 20),
    ]
    blocks += [
        block(400, "References", 40, bold=True),
        block(460, "1. Smith J. Paper. https://cited.example.com/x", 20),
    ]
    doc = pipeline.build(Page(width=1400, height=1400, blocks=blocks))
    assert [i["identifier"] for i in doc["identifiers"]] == ["https://example.org/tool"]
