"""Format backends: each turns one kind of file into the common `Page` model.

`load_page` decides which backend runs from the file's content, never its extension: an HTML
page saved as `.pdf` must get a message about HTML, not a parser crash. Cheap checks (size, page
count, encryption, pixel count, a ZIP's declared sizes) run before any heavy work. PowerPoint
files are read natively (`pptx.py`); other office formats go through LibreOffice when it is
installed (`office.py`), and are refused with a message naming the format when it is not.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from extraction.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedPdfError,
    ExtractionError,
    InputTooLargeError,
    UnsupportedFormatError,
)
from extraction.model import Block, Line, Page, Word
from extraction.options import ExtractOptions

MAX_PAGES = 50
MAX_PIXELS = 150_000_000
MIN_WORDS_FOR_TEXT_LAYER = 5
OCR_RENDER_MAX_SIDE = 4000  # twice what OCR reads (image.OCR_MAX_SIDE): area averaging then halves it
ACCEPTED = "a PDF, an image (PNG, JPEG, TIFF, WebP, BMP, GIF) or a PowerPoint file"

_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
)


def sniff(head: bytes) -> str:
    """'pdf', 'zip', 'ole', an image format name, or raise UnsupportedFormatError naming what it
    looks like. ZIP and OLE containers are told apart by their directories (`office.py`)."""
    if head.startswith(b"PK\x03\x04"):  # before the PDF check: a ZIP may store a PDF uncompressed
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if b"%PDF-" in head[:1024]:
        return "pdf"
    for magic, name in _IMAGE_MAGIC:
        if head.startswith(magic):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    lowered = head[:512].lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in lowered:
        what = "an HTML web page"
    elif lowered.startswith((b"<?xml", b"<svg")):
        what = "an XML or SVG file"
    else:
        what = "not a format we recognise"
    raise UnsupportedFormatError(
        f"the file is {what}, not {ACCEPTED}; export the poster as PDF and upload it again"
    )


def check_file(path: Path, options: ExtractOptions) -> str:
    """The cheap checks every input passes first (exists, not empty, within `max_file_mb`);
    returns what its content is (`sniff`)."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise CorruptFileError(f"the file {path.name} does not exist") from exc
    if size == 0:
        raise EmptyFileError("the file is empty (0 bytes); upload the poster again")
    if size > options.max_file_bytes:
        raise InputTooLargeError(
            f"the file is {size / 1048576:.0f} MB; the limit is {options.max_file_mb:.0f} MB (MAX_FILE_MB)"
        )
    with path.open("rb") as fh:
        head = fh.read(2048)
    return sniff(head)


def load_page(path: Path, options: ExtractOptions | None = None) -> Page:
    """The `Page` for page 1 of `path`, through the backend its content calls for."""
    path = Path(path)
    options = options or ExtractOptions()
    kind = check_file(path, options)
    if kind in ("zip", "ole"):
        return _load_office(path, kind, options)
    if kind != "pdf":
        from extraction.backends import image

        page = image.load(path, MAX_PIXELS)
        page.media_type = kind
        return page
    return _load_pdf(path, options)


def _load_office(path: Path, container: str, options: ExtractOptions) -> Page:
    """A PowerPoint file natively; another office format as the PDF LibreOffice makes of it."""
    from extraction.backends import office

    fmt = office.identify_zip(path) if container == "zip" else office.identify_ole(path)
    if fmt.key == "pptx":
        from extraction.backends import pptx

        page = pptx.load(path)
        if _letter_words(page) < MIN_WORDS_FOR_TEXT_LAYER:
            page = _ocr_slide_picture(path, page)
        return page
    if fmt.pdf_filter is None:
        raise UnsupportedFormatError(f"the file is {fmt.name}, not a poster; {office.ASK_FOR_PDF}")
    if office.soffice_binary(options.soffice_path) is None:
        raise office.refuse_without_soffice(fmt)
    with tempfile.TemporaryDirectory(prefix="posterx-office-") as tmp:
        pdf = office.convert_to_pdf(path, fmt, Path(tmp), soffice_path=options.soffice_path)
        page = _load_pdf(pdf, options)
    page.media_type = fmt.key.upper()
    page.source = f"{page.source} (LibreOffice PDF of the {fmt.key} file, page 1)"
    page.warnings.append(
        f"the file is {fmt.name}; LibreOffice converted its first page to PDF, which was read"
    )
    return page


def _letter_words(page: Page) -> int:
    return sum(1 for b in page.blocks for ln in b.lines for w in ln.words if any(c.isalpha() for c in w.text))


def _ocr_slide_picture(path: Path, text_page: Page) -> Page:
    """A slide with (almost) no text whose poster is one pasted picture: OCR that picture."""
    from extraction.backends import image, pptx
    from extraction.errors import NoTextError

    found = pptx.slide_picture(path)
    if found is None:
        if text_page.blocks:
            return text_page  # a few words, exactly as typed: nothing better to read
        raise NoTextError(
            "no text was found on the poster slide, and no picture covers it to be read instead; "
            "export the poster as PDF and upload it again"
        )
    data, index = found
    with tempfile.NamedTemporaryFile(prefix="posterx-slide-", suffix=".img") as tmp:
        tmp.write(data)
        tmp.flush()
        page = image.load(Path(tmp.name), MAX_PIXELS)
    page.media_type = "PPTX"
    page.page_count = text_page.page_count
    page.warnings = text_page.warnings + [
        f"slide {index + 1} has no text but a picture of the poster; it was read by OCR"
    ]
    if not page.blocks:
        raise NoTextError("no text was found on the poster slide, neither as text nor by OCR of its picture")
    return page


def _load_pdf(path: Path, options: ExtractOptions) -> Page:
    import pypdfium2 as pdfium

    from extraction.backends import pdf

    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise EncryptedPdfError(
                "the PDF is password-protected; remove the password (print or export to a new PDF) and upload again"
            ) from exc
        raise CorruptFileError(
            "the PDF is damaged or truncated and cannot be opened; export it again and upload the new file"
        ) from exc
    try:
        pages = len(doc)
        if pages == 0:
            raise CorruptFileError("the PDF has no pages")
        if pages > MAX_PAGES:
            raise InputTooLargeError(
                f"the PDF has {pages} pages; a poster is one page (at most {MAX_PAGES} accepted, page 1 is read): "
                "upload the poster page alone"
            )
        page = pdf.load(path, options.pdfalto_path)
        if pages > 1:
            page.warnings.append(f"the PDF has {pages} pages; only page 1 was processed")
        page.page_count = pages
        if _letter_words(page) < MIN_WORDS_FOR_TEXT_LAYER:
            page = _ocr_pdf_page(path, page)
        return page
    finally:
        doc.close()


def _ocr_pdf_page(path: Path, text_page: Page) -> Page:
    """A scanned PDF: render page 1 (in a limited child process) and OCR it."""
    from extraction.backends import image
    from extraction.backends.render import render_page
    from extraction.errors import NoTextError

    img = render_page(path, OCR_RENDER_MAX_SIDE)
    page = image.ocr_image(img, source="ocr")
    page.warnings = text_page.warnings + ["the PDF has no text layer; its text was read by OCR"]
    page.page_count = text_page.page_count
    if not page.blocks:
        raise NoTextError("no text was found on the poster, neither in the PDF's text layer nor by OCR")
    return page


BANNER_SHARE = 0.3  # the banner strip read by OCR when the headline is drawn as graphics


def ocr_banner(path: Path, page: Page, share: float = BANNER_SHARE) -> Page | None:
    """`page` with the text drawn as graphics in its top `share` read by OCR, or None.

    A headline set as a wordmark or as outlined letters has no text layer, yet it is the
    poster's title. Only the banner strip is OCR'd (a fraction of the cost of the whole page),
    and only OCR lines where the PDF has no text of its own are added, so nothing is doubled.
    """
    import dataclasses

    from extraction.backends import image
    from extraction.backends.render import render_page

    try:
        img = render_page(path, OCR_RENDER_MAX_SIDE)
    except ExtractionError:
        return None
    strip = img.crop((0, 0, img.width, max(1, int(img.height * share))))
    ocr = image.ocr_image(strip, source="ocr")
    scale = page.width / img.width
    existing = [(w.x, w.y, w.right, w.bottom) for b in page.blocks for ln in b.lines for w in ln.words]
    added: list[Block] = []
    for block in ocr.blocks:
        lines = []
        for line in block.lines:
            box = (line.x * scale, line.y * scale, line.right * scale, line.bottom * scale)
            if sum(_overlap(box, e) for e in existing) > 0.3:
                continue  # the PDF has this text already
            words = [
                Word(
                    text=w.text,
                    x=w.x * scale,
                    y=w.y * scale,
                    w=w.w * scale,
                    h=w.h * scale,
                    font_size=w.font_size * scale,
                )  # fmt: skip
                for w in line.words
            ]
            lines.append(Line(words=words, x=box[0], y=box[1], w=box[2] - box[0], h=box[3] - box[1]))
        if lines:
            x0, y0 = min(ln.x for ln in lines), min(ln.y for ln in lines)
            x1, y1 = max(ln.right for ln in lines), max(ln.bottom for ln in lines)
            added.append(Block(lines=lines, x=x0, y=y0, w=x1 - x0, h=y1 - y0))
    if not added:
        return None
    return dataclasses.replace(
        page,
        blocks=page.blocks + added,
        warnings=page.warnings + ["the title is drawn as graphics; the banner was read by OCR"],
    )


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """Share of box `a`'s area covered by box `b`."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    area = max((a[2] - a[0]) * (a[3] - a[1]), 1e-6)
    return max(w, 0) * max(h, 0) / area
