"""Layout rules for OCR pages, on hand-made lines and pages.

OCR gives whole-line boxes whose heights (and so sizes) are noisy, reads logo lettering as
text, and knows no font weight. These tests pin the rules that keep such a page's title,
creators, columns and headings apart.
"""

from __future__ import annotations

from extraction.model import Block, Line, Page, Word
from extraction.profile import OCR, PDF
from extraction.stages import creators, header, headings, lines, reading_order
from extraction.stages.lines import TextLine


def line(x: float, y: float, text: str, size: float, bold: bool = False) -> TextLine:
    words = []
    cursor = x
    for t in text.split():
        w = len(t) * size * 0.5
        words.append(Word(text=t, x=cursor, y=y, w=w, h=size, font_size=size, bold=bold))
        cursor += w + size * 0.3
    return TextLine(words=words, x=x, y=y, w=cursor - x, h=size, size=size, bold=bold, block=0)


def box(x: float, y: float, text: str, width: float, height: float = 40.0, bold: bool = False) -> Block:
    """One OCR line box, as the image backend makes it (one word per token, size from height)."""
    tokens = text.split()
    step = width / max(1, len(tokens))
    words = [
        Word(text=t, x=x + i * step, y=y, w=step * 0.9, h=height, font_size=height * 0.75, bold=bold)
        for i, t in enumerate(tokens)
    ]
    return Block(lines=[Line(words=words, x=x, y=y, w=width, h=height)], x=x, y=y, w=width, h=height)


def test_a_large_logo_word_is_not_the_title() -> None:
    page_lines = [
        line(2000, 40, "UNICA", 70),
        line(100, 60, "Societa", 30),
        line(200, 300, "Validation of a biochemical assay for an enzyme", 45),
        line(200, 400, "Laura Dettori¹,2, Paolo Malune², Marta Cara¹", 48),
        line(200, 480, "¹University of Cagliari, Monserrato, Italy", 34),
        line(100, 700, "INTRODUCTION", 30),
    ]
    head = header.find(page_lines, 4000, 24, size_tolerance=0.25)
    assert [t.text for t in head.title] == ["Validation of a biochemical assay for an enzyme"]
    assert "Laura Dettori¹,2, Paolo Malune², Marta Cara¹" in [z.text for z in head.zone]


def test_a_byline_as_tall_as_the_title_is_not_part_of_it() -> None:
    page_lines = [
        line(800, 100, "Isolating Sources of Ionization in Nearby Galaxies", 73),
        line(800, 236, "Garrett E. Polack¹, D. M. Crenshaw¹, B. Meena1, M. Revalski²", 60),
        line(900, 316, "¹Georgia State University, Atlanta, GA, USA", 48),
    ]
    head = header.find(page_lines, 4000, 39, size_tolerance=0.25)
    assert [t.text for t in head.title] == ["Isolating Sources of Ionization in Nearby Galaxies"]


def test_digits_glued_to_names_are_affiliation_markers() -> None:
    zone = [
        line(100, 100, "Ann Berg1, Carl Dunn2, Eva Fox1,2", 30),
        line(100, 150, "1University of Oslo, Norway", 24),
        line(100, 180, "2University of Bergen, Norway", 24),
    ]
    people = creators.extract(zone)
    assert [p["familyName"] for p in people] == ["Berg", "Dunn", "Fox"]
    assert [a["name"] for a in people[0]["affiliation"]] == ["University of Oslo, Norway"]
    assert [a["name"] for a in people[1]["affiliation"]] == ["University of Bergen, Norway"]
    assert len(people[2]["affiliation"]) == 2


def test_running_text_with_a_number_is_not_a_byline() -> None:
    assert not creators.is_byline(line(0, 0, "The protein nsp14 binds, as shown in Figure 2, to RNA", 20))
    assert creators.is_byline(line(0, 0, "Ann Berg1, Carl Dunn2, Eva Fox1", 20))


def test_ocr_boxes_on_one_row_stay_apart_but_pdf_fragments_are_glued() -> None:
    blocks = [box(0, 0, "left column text", 300), box(310, 0, "right column text", 300)]
    ocr = Page(width=1000, height=1000, source="ocr", blocks=blocks)
    assert [ln.text for ln in lines.collect(ocr, reach=OCR.fragment_reach)] == [
        "left column text",
        "right column text",
    ]
    pdf = Page(
        width=1000, height=1000, source="pdfalto", blocks=[box(0, 0, "one", 300), box(280, 0, "line", 300)]
    )
    assert [ln.text for ln in lines.collect(pdf, reach=PDF.fragment_reach)] == ["one line"]


def test_a_narrow_gutter_separates_ocr_columns() -> None:
    body = 30.0
    cols = []
    for row in range(5):
        cols.append(line(0, 100 + 45 * row, f"left column line number {row}", body))
        cols.append(line(20 + cols[-1].right, 100 + 45 * row, f"right column line number {row}", body))
    wide = [ln.text for ln in reading_order.order(cols, body)]
    narrow = [ln.text for ln in reading_order.order(cols, body, gutter=0.55)]
    assert wide[:2] == ["left column line number 0", "right column line number 0"]
    assert narrow == [f"left column line number {r}" for r in range(5)] + [
        f"right column line number {r}" for r in range(5)
    ]


def test_standard_heading_counts_when_colour_marks_other_headings() -> None:
    plain = line(100, 100, "INTRODUCTION", 30)
    nxt = line(100, 140, "In a study undertaken to define the repertoire of peptides", 25)
    assert headings.is_heading(plain, 25, nxt, ratio=1.6, emphasis_only=True)
    assert headings.is_heading(line(100, 100, "Abstract:", 26), 25, nxt, ratio=1.6)
    assert not headings.is_heading(
        line(100, 100, "Results were good", 25), 25, nxt, ratio=1.6, emphasis_only=True
    )
