"""A headline drawn as graphics: the banner strip is read by OCR (rapidocr's bundled models)."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from extraction import extract

TITLE = "Coral Reef Recovery Maps"


def graphic_title_pdf(path: Path) -> Path:
    """A poster whose title is a picture (a wordmark) while the rest has a text layer."""
    font = ImageFont.load_default(size=110)
    img = Image.new("RGB", (2000, 200), "white")
    ImageDraw.Draw(img).text((40, 30), TITLE, font=font, fill="black")
    png = path.with_suffix(".png")
    img.save(png)
    pdf = FPDF(unit="pt", format=(1200, 1600))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.image(str(png), x=60, y=40, w=1080, h=108)
    pdf.set_font("Helvetica", "", 24)
    pdf.set_xy(60, 180)
    pdf.cell(1080, 30, "Anna Berg, Carl Dunn and Eva Fox", align="C")
    pdf.set_font("Helvetica", "B", 30)
    y = 300
    for heading in ("Introduction", "Methods", "Results"):
        pdf.set_font("Helvetica", "B", 30)
        pdf.set_xy(60, y)
        pdf.cell(500, 36, heading)
        pdf.set_font("Helvetica", "", 20)
        pdf.set_xy(60, y + 50)
        pdf.multi_cell(1000, 26, "we mapped the reef every year and counted the colonies that came back " * 3)
        y += 300
    pdf.output(str(path))
    png.unlink()
    return path


def test_graphic_headline_is_read_from_the_banner(tmp_path) -> None:
    doc = extract(graphic_title_pdf(tmp_path / "wordmark.pdf"))
    info = doc["_extraction"]
    assert doc["titles"][0]["title"].lower() == TITLE.lower(), doc["titles"]
    assert "banner_ocr_seconds" in info
    assert any("drawn as graphics" in w for w in info["warnings"])
    assert [c["familyName"] for c in doc["creators"]] == ["Berg", "Dunn", "Fox"]


def test_text_title_needs_no_banner_ocr(tmp_path) -> None:
    from tests.factories import poster_pdf

    doc = extract(poster_pdf(tmp_path / "p.pdf"))
    assert "banner_ocr_seconds" not in doc["_extraction"]
