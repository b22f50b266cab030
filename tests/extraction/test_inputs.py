"""Every bad input fails fast with its own exception and a message a person can act on."""

from __future__ import annotations

import random
import time

import pytest

from extraction import ExtractOptions, extract
from extraction.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedPdfError,
    ExtractionTimeoutError,
    InputTooLargeError,
    UnsupportedFormatError,
)
from tests import factories


def fails(path, exc_type, *phrases, within: float = 10.0, options: ExtractOptions | None = None):
    started = time.perf_counter()
    with pytest.raises(exc_type) as info:
        extract(path, options)
    seconds = time.perf_counter() - started
    message = str(info.value)
    for phrase in phrases:
        assert phrase in message, message
    assert seconds < within, f"took {seconds:.1f} s"
    return message


def test_empty_file(tmp_path):
    p = tmp_path / "poster.pdf"
    p.write_bytes(b"")
    fails(p, EmptyFileError, "empty (0 bytes)")


def test_random_bytes(tmp_path):
    p = tmp_path / "poster.pdf"
    p.write_bytes(random.Random(1).randbytes(8192))
    fails(p, UnsupportedFormatError, "not a format we recognise", "export the poster as PDF")


def test_html_saved_as_pdf(tmp_path):
    p = tmp_path / "poster.pdf"
    p.write_text("<!DOCTYPE html><html><head><title>403</title></head><body>Forbidden</body></html>")
    fails(p, UnsupportedFormatError, "HTML web page")


def test_truncated_pdf(tmp_path, poster):
    fails(factories.truncated_pdf(tmp_path / "cut.pdf", poster), CorruptFileError, "damaged or truncated")


def test_encrypted_pdf(tmp_path, poster):
    fails(factories.encrypted_pdf(tmp_path / "locked.pdf", poster), EncryptedPdfError, "password-protected")


def test_hundred_page_pdf(tmp_path):
    msg = fails(factories.many_pages_pdf(tmp_path / "book.pdf", 100), InputTooLargeError, "100 pages")
    assert "one page" in msg


def test_two_page_pdf_reads_page_one_and_says_so(tmp_path, poster):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.add_page(PdfReader(str(poster)).pages[0])
    writer.add_blank_page(600, 800)
    two = tmp_path / "two.pdf"
    with two.open("wb") as fh:
        writer.write(fh)
    doc = extract(two)
    assert doc["titles"][0]["title"] == factories.PosterSpec().title
    assert any("2 pages; only page 1" in w for w in doc["_extraction"]["warnings"])


def test_huge_png_is_refused_before_decoding(tmp_path):
    p = factories.png_header_only(tmp_path / "huge.png", 30000, 30000)
    fails(p, InputTooLargeError, "too many pixels", within=2.0)


def test_docx_is_unsupported_without_libreoffice(tmp_path):
    no_soffice = ExtractOptions(soffice_path="/nonexistent/soffice")  # test_inputs_office.py has the rest
    fails(factories.docx(tmp_path / "poster.docx"), UnsupportedFormatError, ".docx", options=no_soffice)


def test_file_over_max_file_mb(tmp_path):
    p = tmp_path / "big.pdf"
    p.write_bytes(b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024))
    fails(
        p,
        InputTooLargeError,
        "2 MB",
        "the limit is 1 MB (MAX_FILE_MB)",
        options=ExtractOptions(max_file_mb=1),
    )


def test_missing_file(tmp_path):
    fails(tmp_path / "nope.pdf", CorruptFileError, "does not exist")


def test_scanned_pdf_succeeds_through_ocr(tmp_path, poster):
    doc = extract(factories.scanned_pdf(tmp_path / "scan.pdf", poster))
    assert doc["_extraction"]["source"] == "ocr"
    assert any("no text layer" in w for w in doc["_extraction"]["warnings"])
    assert doc["titles"][0]["title"] == factories.PosterSpec().title
    text = " ".join(s["sectionContent"] for s in doc["content"]["sections"])
    assert "bipartite graph" in text


def test_stream_bomb_is_stopped_by_the_limits(tmp_path):
    """A content stream that inflates to 1 GB: pdfalto skips it, the render child is stopped."""
    p = factories.stream_bomb_pdf(tmp_path / "bomb.pdf", 1024)
    fails(p, ExtractionTimeoutError, "stopped by its resource limits", within=90)


def test_names_with_spaces_quotes_and_unicode(tmp_path, poster):
    odd = tmp_path / "Poster “final” d'été; $(rm -rf ~) v2.pdf"
    odd.write_bytes(poster.read_bytes())
    assert extract(odd)["titles"][0]["title"] == factories.PosterSpec().title


def test_large_jpeg_is_decoded_at_half_scale_and_reported_in_file_pixels(tmp_path):
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (7000, 1400), "white")
    draw = ImageDraw.Draw(img)
    draw.text((3500, 300), "Coral Reef Recovery", fill="black", font=ImageFont.load_default(size=200))
    draw.text((3500, 800), "Methods and results", fill="black", font=ImageFont.load_default(size=120))
    path = tmp_path / "wide.jpg"
    img.save(path, quality=90)
    doc = extract(path)
    assert doc["titles"][0]["title"] == "Coral Reef Recovery"
    assert doc["formats"] == ["JPEG"]
    from extraction import backends

    page = backends.load_page(path)
    xs = [w.x for b in page.blocks for ln in b.lines for w in ln.words]
    assert page.width == 7000 and min(xs) > 3000  # file coordinates, not the half-scale decode's
