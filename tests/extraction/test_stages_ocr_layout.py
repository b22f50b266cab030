"""Layout rules for OCR pages, on hand-made lines and pages.

OCR gives whole-line boxes whose heights (and so sizes) are noisy, reads logo lettering as
text, and knows no font weight. These tests pin the rules that keep such a page's title,
creators, columns and headings apart.
"""

from __future__ import annotations

from extraction.model import Block, Line, Page, Word
from extraction.profile import OCR, PDF
from extraction.stages import creators, header, headings, lines, reading_order
from tests.factories import line


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
        line("UNICA", x=2000, y=40, size=70),
        line("Societa", x=100, y=60, size=30),
        line("Validation of a biochemical assay for an enzyme", x=200, y=300, size=45),
        line("Laura Dettori¹,2, Paolo Malune², Marta Cara¹", x=200, y=400, size=48),
        line("¹University of Cagliari, Monserrato, Italy", x=200, y=480, size=34),
        line("INTRODUCTION", x=100, y=700, size=30),
    ]
    head = header.find(page_lines, 4000, 24, size_tolerance=0.25)
    assert [t.text for t in head.title] == ["Validation of a biochemical assay for an enzyme"]
    assert "Laura Dettori¹,2, Paolo Malune², Marta Cara¹" in [z.text for z in head.zone]


def test_a_byline_as_tall_as_the_title_is_not_part_of_it() -> None:
    page_lines = [
        line("Isolating Sources of Ionization in Nearby Galaxies", x=800, y=100, size=73),
        line("Garrett E. Polack¹, D. M. Crenshaw¹, B. Meena1, M. Revalski²", x=800, y=236, size=60),
        line("¹Georgia State University, Atlanta, GA, USA", x=900, y=316, size=48),
    ]
    head = header.find(page_lines, 4000, 39, size_tolerance=0.25)
    assert [t.text for t in head.title] == ["Isolating Sources of Ionization in Nearby Galaxies"]


def test_digits_glued_to_names_are_affiliation_markers() -> None:
    zone = [
        line("Ann Berg1, Carl Dunn2, Eva Fox1,2", x=100, y=100, size=30),
        line("1University of Oslo, Norway", x=100, y=150, size=24),
        line("2University of Bergen, Norway", x=100, y=180, size=24),
    ]
    people = creators.extract(zone)
    assert [p["familyName"] for p in people] == ["Berg", "Dunn", "Fox"]
    assert [a["name"] for a in people[0]["affiliation"]] == ["University of Oslo, Norway"]
    assert [a["name"] for a in people[1]["affiliation"]] == ["University of Bergen, Norway"]
    assert len(people[2]["affiliation"]) == 2


def test_running_text_with_a_number_is_not_a_byline() -> None:
    assert not creators.is_byline(
        line("The protein nsp14 binds, as shown in Figure 2, to RNA", x=0, y=0, size=20)
    )
    assert creators.is_byline(line("Ann Berg1, Carl Dunn2, Eva Fox1", x=0, y=0, size=20))


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
        cols.append(line(f"left column line number {row}", x=0, y=100 + 45 * row, size=body))
        cols.append(
            line(f"right column line number {row}", x=20 + cols[-1].right, y=100 + 45 * row, size=body)
        )
    wide = [ln.text for ln in reading_order.order(cols, body)]
    narrow = [ln.text for ln in reading_order.order(cols, body, gutter=0.55)]
    assert wide[:2] == ["left column line number 0", "right column line number 0"]
    assert narrow == [f"left column line number {r}" for r in range(5)] + [
        f"right column line number {r}" for r in range(5)
    ]


def test_standard_heading_counts_when_colour_marks_other_headings() -> None:
    plain = line("INTRODUCTION", x=100, y=100, size=30)
    nxt = line("In a study undertaken to define the repertoire of peptides", x=100, y=140, size=25)
    assert headings.is_heading(plain, 25, nxt, ratio=1.6, emphasis_only=True)
    assert headings.is_heading(line("Abstract:", x=100, y=100, size=26), 25, nxt, ratio=1.6)
    assert not headings.is_heading(
        line("Results were good", x=100, y=100, size=25), 25, nxt, ratio=1.6, emphasis_only=True
    )
