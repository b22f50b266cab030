"""The PowerPoint backend: posters drawn with python-pptx come out as the same `Page` a PDF gives,
and every stage then finds title, creators, sections and captions unchanged."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from pptx.enum.text import PP_ALIGN
from pptx.util import Pt

from extraction import extract
from extraction.backends import load_page, pptx
from extraction.model import Page, Word
from tests import factories_pptx as fx
from tests.factories import PosterSpec, poster_pdf


@pytest.fixture(scope="module")
def poster(tmp_path_factory) -> Path:
    return fx.poster_pptx(tmp_path_factory.mktemp("pptx") / "poster.pptx")


@pytest.fixture(scope="module")
def page(poster) -> Page:
    return load_page(poster)


def words(page: Page) -> list[Word]:
    return [w for b in page.blocks for ln in b.lines for w in ln.words]


def find(page: Page, text: str) -> Word:
    return next(w for w in words(page) if w.text == text)


def line_of(page: Page, text: str):
    return next(ln for b in page.blocks for ln in b.lines if any(w.text == text for w in ln.words))


# The whole pipeline


def test_pptx_poster_gives_what_its_pdf_twin_gives(poster, tmp_path):
    spec = PosterSpec()
    doc = extract(poster)
    twin = extract(poster_pdf(tmp_path / "twin.pdf"))
    assert doc["titles"] == twin["titles"] == [{"title": spec.title}]
    assert doc["creators"] == twin["creators"]
    people = {c["familyName"]: [a["name"] for a in c["affiliation"]] for c in doc["creators"]}
    assert people == {
        "Lopez": [spec.affiliations[0]],
        "Smith": spec.affiliations,
        "Tanaka": [spec.affiliations[1]],
    }
    titles = [s.get("sectionTitle") for s in doc["content"]["sections"]]
    assert titles[:2] == ["Abstract", "Methods"] and {"Results", "Conclusions"} <= set(titles)
    text = " ".join(s["sectionContent"] for s in doc["content"]["sections"])
    assert "• Survey photographs are aligned to a common grid." in text  # the bullet as printed
    assert "bipartite graph" in text and "0.87 across the whole study period" in text
    assert [c["caption"] for c in doc["imageCaptions"]] == [spec.captions[0]]
    assert [c["caption"] for c in doc["tableCaptions"]] == [spec.captions[1]]
    assert doc["identifiers"] == twin["identifiers"]
    assert doc["formats"] == ["PPTX"]
    assert doc["_extraction"]["source"] == "pptx slide 1 of 1"


# The page model


def test_the_slide_read_is_in_the_source_and_the_office_profile_applies(page):
    from extraction import profile

    assert page.source == "pptx slide 1 of 1"
    assert profile.for_source(page.source) is profile.OFFICE
    assert profile.for_source("pdfalto (LibreOffice PDF of the odp file, page 1)") is profile.PDF


def test_page_is_in_points_with_the_slide_size(page):
    assert (page.width, page.height) == fx.POSTER_SIZE
    assert page.media_type == "PPTX" and page.page_count == 1


def test_sizes_bold_and_superscript_markers(page):
    title = find(page, "Graph")
    assert title.font_size == 44 and title.bold and not title.superscript
    name = find(page, "Lopez")
    assert name.font_size == 24 and not name.bold and not name.superscript
    marker = line_of(page, "Lopez").words[line_of(page, "Lopez").words.index(name) + 1]
    assert marker.text == "1" and marker.superscript
    assert marker.font_size == pytest.approx(16, abs=0.01)  # drawn at two thirds of 24 pt
    assert marker.y < name.y and marker.x == pytest.approx(name.right)  # raised, touching the name
    comma = line_of(page, "Lopez").words[line_of(page, "Lopez").words.index(marker) + 1]
    assert comma.text == "," and not comma.superscript and comma.x == pytest.approx(marker.right)
    assert find(page, "Figure").italic


def test_leading_markers_of_affiliations(page):
    line = line_of(page, "Testing,")
    assert line.words[0].text == "1" and line.words[0].superscript
    assert line.words[1].text == "University" and not line.words[1].superscript


def test_centred_title_sits_in_the_middle_of_its_box(page):
    line = line_of(page, "Graph")
    assert line.x + line.w / 2 == pytest.approx(600, abs=3)
    assert 60 < line.y < 80


def test_group_children_are_placed_through_the_group_offset(page):
    heading = find(page, "Results")
    x, y = fx.GROUP_OFFSET
    assert heading.x == pytest.approx(x + 7.2, abs=0.5)  # the text box's left inset
    assert y < heading.y < y + 30


def test_group_child_space_is_scaled_onto_the_group(tmp_path):
    """A group resized in PowerPoint keeps its children's coordinates and maps its child extent
    onto its own: positions scale (fonts do not)."""
    from pptx.oxml.ns import qn

    prs = fx.new_deck()
    slide = fx.blank(prs)
    group = slide.shapes.add_group_shape()
    box = group.shapes.add_textbox(Pt(100), Pt(100), Pt(400), Pt(60))
    box.text_frame.text = "Scaled"
    box.text_frame.paragraphs[0].runs[0].font.size = Pt(20)
    box2 = group.shapes.add_textbox(Pt(100), Pt(100), Pt(400), Pt(60))
    box2.text_frame.text = "Centred"
    box2.text_frame.paragraphs[0].alignment = PP_ALIGN.CENTER
    xfrm = group._element.grpSpPr.get_or_add_xfrm()
    xfrm.find(qn("a:off")).set("x", str(Pt(200)))
    xfrm.find(qn("a:off")).set("y", str(Pt(300)))
    xfrm.find(qn("a:chOff")).set("x", str(Pt(100)))
    xfrm.find(qn("a:chOff")).set("y", str(Pt(100)))
    xfrm.find(qn("a:ext")).set("cx", str(Pt(800)))
    xfrm.find(qn("a:ext")).set("cy", str(Pt(120)))
    xfrm.find(qn("a:chExt")).set("cx", str(Pt(400)))
    xfrm.find(qn("a:chExt")).set("cy", str(Pt(60)))
    path = tmp_path / "group.pptx"
    prs.save(str(path))
    page = load_page(path)
    word = find(page, "Scaled")
    assert word.x == pytest.approx(
        200 + 7.2, abs=0.5
    )  # the child's box starts at the group's; insets are absolute
    assert word.font_size == 20
    centred = find(page, "Centred")
    assert centred.x + centred.w / 2 == pytest.approx(600, abs=1)  # child box 100..500 → slide 200..1000


def test_table_cells_are_laid_out_in_rows_and_columns(page):
    region, precision, recall = (find(page, t) for t in ("Region", "Precision", "Recall"))
    north = find(page, "North")
    x, y, w, h = fx.TABLE_BOX
    assert region.y == precision.y == recall.y
    assert x < region.x < precision.x < recall.x < x + w
    assert north.y > region.y and north.x == region.x
    assert region.bold and not north.bold  # the default table style sets the header row in bold
    assert region.font_size == 16


def test_pictures_are_figure_regions(page):
    assert [tuple(round(v, 1) for v in box) for box in page.images] == [fx.PICTURE_BOX]


def test_blocks_come_in_reading_order(page):
    tops = [b.y for b in page.blocks]
    assert page.blocks[0].text.startswith(PosterSpec().title[:10])
    assert tops.index(min(tops)) == 0


def test_bullets_hang_left_of_their_text(page):
    line = line_of(page, "Survey")
    bullet, first = line.words[0], line.words[1]
    assert bullet.text == "•"
    assert bullet.x == pytest.approx(60 + 7.2, abs=0.1)  # at marL + indent (a hanging indent of 18 pt)
    assert first.x == pytest.approx(bullet.x + 18, abs=0.1)  # the text at marL


# Text layout rules, on single text boxes


def one_box(tmp_path, text: str, *, size: float = 20, width: float = 300, setup=None) -> Page:
    prs = fx.new_deck()
    slide = fx.blank(prs)
    box = slide.shapes.add_textbox(Pt(100), Pt(100), Pt(width), Pt(200))
    box.text_frame.word_wrap = True
    run = box.text_frame.paragraphs[0].add_run()
    run.text = text
    run.font.size = Pt(size)
    if setup:
        setup(box)
    path = tmp_path / "box.pptx"
    prs.save(str(path))
    return load_page(path)


def test_long_paragraph_wraps_inside_its_box(tmp_path):
    text = "Survey photographs are aligned to a common grid before colonies are matched " * 3
    page = one_box(tmp_path, text.strip())
    lines = page.blocks[0].lines
    assert len(lines) >= 4
    assert all(ln.right <= 100 + 300 - 7.2 + 0.5 for ln in lines)
    assert " ".join(ln.text for ln in lines) == " ".join(text.split())
    gaps = [b.y - a.y for a, b in zip(lines, lines[1:], strict=False)]
    assert all(g == pytest.approx(24, abs=0.01) for g in gaps)  # single spacing: 1.2 x 20 pt


def test_autofit_scale_shrinks_the_type(tmp_path):
    def shrink(box):
        body_pr = box.text_frame._txBody.bodyPr
        fit = body_pr.makeelement("{http://schemas.openxmlformats.org/drawingml/2006/main}normAutofit",
                                  {"fontScale": "50000"})  # fmt: skip
        body_pr.append(fit)

    page = one_box(tmp_path, "Shrunk to fit", size=40, setup=shrink)
    assert find(page, "Shrunk").font_size == 20


def test_capitals_are_printed_as_capitals(tmp_path):
    def caps(box):
        box.text_frame.paragraphs[0].runs[0].font._rPr.set("cap", "all")

    assert [w.text for w in words(one_box(tmp_path, "Coral reef recovery", setup=caps))] == [
        "CORAL",
        "REEF",
        "RECOVERY",
    ]


def test_auto_numbered_paragraphs_print_their_numbers(tmp_path):
    from pptx.oxml.ns import qn

    from extraction.backends.drawingml import _autonumber

    def number(box):
        frame = box.text_frame
        for text in ("Align the photographs", "Match the colonies"):
            frame.add_paragraph().add_run().text = text
        for para in frame.paragraphs:
            ppr = para._p.get_or_add_pPr()
            ppr.append(ppr.makeelement(qn("a:buAutoNum"), {"type": "arabicParenR"}))

    page = one_box(tmp_path, "Survey the sites", setup=number)
    assert [ln.words[0].text for b in page.blocks for ln in b.lines] == ["1)", "2)", "3)"]
    assert (_autonumber("romanUcPeriod", 14), _autonumber("alphaLcParenBoth", 27)) == ("XIV.", "(aa)")


def test_a_url_longer_than_its_line_stays_one_word_inside_the_column(tmp_path):
    url = "https://github.com/example-organisation/a-rather-long-repository-name/tree/main/docs"
    page = one_box(tmp_path, f"Code: {url} and more", width=200)
    word = find(page, url)
    assert word.right <= 100 + 200
    after = find(page, "and")
    assert after.y > word.y + 20  # the URL took more than one row


def test_hidden_rotated_and_off_slide_text_is_not_printed(tmp_path):
    prs = fx.new_deck()
    slide = fx.blank(prs)
    for label, (x, y), setup in (
        ("Printed", (100, 100), None),
        ("Hidden", (100, 200), lambda s: s._element.nvSpPr.cNvPr.set("hidden", "1")),
        ("Sideways", (100, 300), lambda s: setattr(s, "rotation", 90)),
        ("Parked", (1300, 100), None),
    ):
        box = slide.shapes.add_textbox(Pt(x), Pt(y), Pt(200), Pt(40))
        box.text_frame.text = label
        if setup:
            setup(box)
    path = tmp_path / "odd.pptx"
    prs.save(str(path))
    assert [w.text for w in words(load_page(path))] == ["Printed"]


def test_placeholder_text_inherits_size_and_position_from_layout_and_master(tmp_path):
    """A title placeholder carries no size or box of its own: both come from its layout and
    the master's title style (python-pptx's default template: 44 pt)."""
    prs = fx.new_deck(fx.SCREEN_SIZE)
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # Title Only
    slide.shapes.title.text = "Inherited Title"
    assert (
        slide.shapes.title._element.spPr.find("{http://schemas.openxmlformats.org/drawingml/2006/main}xfrm")
        is None
    )
    path = tmp_path / "ph.pptx"
    prs.save(str(path))
    word = find(load_page(path), "Inherited")
    assert word.font_size == 44
    layout_title = prs.slide_layouts[5].placeholders[0]
    assert layout_title.top / 12700 < word.y < (layout_title.top + layout_title.height) / 12700


def test_master_drawings_show_under_the_slide(tmp_path):
    prs = fx.new_deck()
    slide = fx.blank(prs)
    banner = slide.shapes.add_textbox(Pt(60), Pt(1560), Pt(600), Pt(30))
    banner.text_frame.text = "Conference banner"
    prs.slide_master.shapes._spTree.append(banner._element)  # python-pptx has no API to draw on a master
    path = tmp_path / "master.pptx"
    prs.save(str(path))
    assert "Conference" in [w.text for w in words(load_page(path))]


def test_slide_shows_and_templates_are_read_like_presentations(tmp_path, poster):
    """A .ppsx (or .potx) differs from a .pptx only in its main part's content type."""
    from tests.factories_pptx import rewrite

    with zipfile.ZipFile(poster) as zf:
        types = zf.read("[Content_Types].xml")
    show = types.replace(b"presentationml.presentation.main+xml", b"presentationml.slideshow.main+xml")
    assert show != types
    path = rewrite(poster, tmp_path / "poster.ppsx", {"[Content_Types].xml": show})
    assert extract(path)["titles"][0]["title"] == PosterSpec().title


def test_a_poster_pasted_as_one_picture_is_read_by_ocr(tmp_path):
    """People paste an exported poster into a slide: no text, one picture covering it."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(poster_pdf(tmp_path / "p.pdf")))
    pdf[0].render(scale=1.5).to_pil().convert("RGB").save(tmp_path / "p.png")
    pdf.close()
    prs = fx.new_deck()
    fx.blank(prs).shapes.add_picture(str(tmp_path / "p.png"), 0, 0, prs.slide_width, prs.slide_height)
    path = tmp_path / "pasted.pptx"
    prs.save(str(path))
    doc = extract(path)
    assert doc["_extraction"]["source"] == "ocr"
    assert any("slide 1 has no text but a picture" in w for w in doc["_extraction"]["warnings"])
    assert doc["titles"][0]["title"] == PosterSpec().title
    assert doc["formats"] == ["PPTX"]


def test_a_slide_with_neither_text_nor_a_covering_picture(tmp_path):
    from extraction.errors import NoTextError

    prs = fx.new_deck()
    fx.blank(prs).shapes.add_picture(fx._png(), Pt(10), Pt(10), Pt(100), Pt(50))
    path = tmp_path / "empty.pptx"
    prs.save(str(path))
    with pytest.raises(NoTextError, match="no text was found on the poster slide"):
        extract(path)


# Which slide is the poster


def test_poster_sized_deck_reads_slide_one(tmp_path):
    prs = fx.new_deck()
    fx.draw_poster(fx.blank(prs))
    fx.presentation_slide(prs, "Thank you", ["Questions?"])
    path = tmp_path / "deck.pptx"
    prs.save(str(path))
    doc = extract(path)
    assert doc["titles"][0]["title"] == PosterSpec().title
    assert doc["_extraction"]["source"] == "pptx slide 1 of 2"
    assert any("2 slides; slide 1 was read" in w for w in doc["_extraction"]["warnings"])


def test_screen_sized_deck_reads_the_first_poster_like_slide(tmp_path):
    prs = fx.new_deck(fx.SCREEN_SIZE)
    fx.presentation_slide(prs, "Coral reef recovery", ["Why reefs matter", "What we measured"])
    fx.dense_slide(prs, "Graph Methods for Tracking Coral Reef Recovery")
    fx.presentation_slide(prs, "Thank you", ["Questions?"])
    path = tmp_path / "talk.pptx"
    prs.save(str(path))
    prs_read = pptx.open_presentation(path)
    assert pptx.choose_slide(prs_read) == 1
    doc = extract(path)
    assert doc["_extraction"]["source"] == "pptx slide 2 of 3"
    assert doc["titles"][0]["title"] == "Graph Methods for Tracking Coral Reef Recovery"


def test_screen_sized_deck_without_a_poster_like_slide_reads_slide_one(tmp_path):
    prs = fx.new_deck(fx.SCREEN_SIZE)
    fx.presentation_slide(prs, "Opening Slide Title", ["one", "two"])
    fx.presentation_slide(prs, "Second Slide Title", ["three"])
    path = tmp_path / "short.pptx"
    prs.save(str(path))
    assert pptx.poster_slide(path) == (0, 2)


def test_poster_on_a_screen_sized_first_slide_is_read(tmp_path):
    prs = fx.new_deck(fx.SCREEN_SIZE)
    fx.dense_slide(prs, "Small Print Poster")
    fx.dense_slide(prs, "Another Dense Slide")
    path = tmp_path / "small.pptx"
    prs.save(str(path))
    assert pptx.poster_slide(path) == (0, 2)


# Corpus twins, when ../shared is here


def test_corpus_pptx_twins_when_present():
    from tests.support import REPO

    wild = REPO.parent / "shared" / "corpus" / "wild"
    if not (wild / "dataone-tika-pptx").is_dir():
        pytest.skip("../shared/corpus/wild is absent: the PPTX twins are not measured here")
    doc = extract(wild / "dataone-tika-pptx" / "dataone-tika-pptx.pptx")
    assert doc["_extraction"]["source"] == "pptx slide 1 of 8"
    assert doc["titles"][0]["title"].startswith("Identification of Science Resources & Tool")
    assert [c["familyName"] for c in doc["creators"]] == ["Shrivastava", "Vieglais"]
