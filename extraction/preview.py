"""`render_preview()`: page 1 of a poster (or its poster slide) as a small picture.

Public because a caller that shows posters (the service's thumbnails) needs exactly what the
extraction already knows: what a file is (format sniffing from its content, never its name),
the input checks (size, decompression-bomb pixel cap, ZIP bombs), rendering a PDF page in a
limited child process, and which slide of a deck is the poster. Keeping all of that here means a
caller never imports the private backends nor copies their limits.

Office files (PowerPoint, OpenDocument, Keynote, Word) are rendered by LibreOffice when it is
installed: the poster slide is exported to a one-page PDF, under the same limits as any office
conversion, then rendered like a PDF. Without LibreOffice, or when it fails, the preview picture
the authoring application saved inside the file (`docProps/thumbnail.jpeg`) is used, and
`Preview.note` says so.
"""

from __future__ import annotations

import io
import math
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extraction.errors import CorruptFileError, ExtractionError
from extraction.options import ExtractOptions

PREVIEW_DPI = 150  # a small page is not blown up past this
MAX_ASPECT = 8  # a page more than 8 times as tall as wide is rendered narrower than max_width
FORMATS = ("PNG", "JPEG")


class PreviewUnavailableError(ExtractionError):
    """An office file that LibreOffice cannot render (missing or failing) and that saved no
    preview picture of its own."""


@dataclass(frozen=True)
class Preview:
    """The encoded picture and how it was made."""

    data: bytes
    format: str  # "PNG" or "JPEG"
    width: int
    height: int
    # What it was made from: "pdf", "image", "libreoffice" (an office file's poster slide) or
    # "embedded preview" (the picture an office file carries, when LibreOffice could not help).
    source: str
    # Set when a fallback made it, for a person: "the file's embedded preview; LibreOffice is not installed".
    note: str = ""


def render_preview(
    source: str | Path | bytes,
    max_width: int = 1200,
    options: ExtractOptions | None = None,
    *,
    image_format: str = "PNG",
    quality: int = 75,
) -> Preview:
    """Page 1 of a PDF, an image, or an office file's poster slide, at most `max_width` pixels wide.

    `source` is a path or the file's bytes. `options` supply `max_file_mb` and `soffice_path`.
    `image_format` is PNG or JPEG (`quality` applies to JPEG). Raises `ExtractionError` with a
    message a person can act on when no preview can be made.
    """
    if options is None:
        options = ExtractOptions()
    image_format = image_format.upper()
    if image_format not in FORMATS:
        raise ValueError(f"image_format must be one of {', '.join(FORMATS)}, got {image_format!r}")
    if not isinstance(max_width, int) or max_width < 16:
        raise ValueError(f"max_width must be an integer of at least 16 pixels, got {max_width!r}")
    if isinstance(source, (bytes, bytearray, memoryview)):
        with tempfile.TemporaryDirectory(prefix="posterx-preview-") as tmp:
            path = Path(tmp) / "poster"
            path.write_bytes(bytes(source))
            return _render(path, max_width, options, image_format, quality)
    return _render(Path(source), max_width, options, image_format, quality)


def _render(path: Path, max_width: int, options: ExtractOptions, fmt: str, quality: int) -> Preview:
    from extraction.backends import check_file

    kind = check_file(path, options)
    if kind == "pdf":
        return _encode(_pdf_page(path, max_width), max_width, fmt, quality, "pdf")
    if kind in ("zip", "ole"):
        return _office(path, kind, max_width, options, fmt, quality)
    return _encode(_open_image(path, max_width), max_width, fmt, quality, "image")


def _pdf_page(pdf: Path, max_width: int) -> Any:
    from extraction.backends.render import render_page

    return render_page(pdf, max_side=_long_side_for_width(pdf, max_width), dpi=PREVIEW_DPI)


def _long_side_for_width(pdf: Path, max_width: int) -> int:
    """The long side that gives page 1 a width of `max_width` (opening a PDF reads no content)."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(pdf))
    except pdfium.PdfiumError as exc:
        raise CorruptFileError(
            "the PDF is damaged, truncated or password-protected and cannot be rendered; export it again"
        ) from exc
    try:
        width, height = doc[0].get_size()
    finally:
        doc.close()
    if width <= 0 or height <= width:
        return max_width
    return min(math.ceil(max_width * height / width), max_width * MAX_ASPECT)


def _open_image(source: Path | io.BytesIO, max_width: int) -> Any:
    """A Pillow RGB image, after the same decompression-bomb cap as the image backend."""
    from extraction.backends import MAX_PIXELS
    from extraction.backends.image import open_checked

    with open_checked(source, MAX_PIXELS) as opened:
        opened.draft("RGB", (max_width, max_width * 4))  # JPEG: decode at a reduced scale
        return opened.convert("RGB")


def _office(
    path: Path, container: str, max_width: int, options: ExtractOptions, fmt: str, quality: int
) -> Preview:
    """The poster slide through LibreOffice; else the file's embedded preview, noted as such."""
    from extraction.backends import office

    kind = office.identify_zip(path) if container == "zip" else office.identify_ole(path)
    why = "LibreOffice is not installed"
    if office.soffice_binary(options.soffice_path) is not None:
        try:
            page = 1
            if kind.key == "pptx":
                from extraction.backends import pptx

                page = pptx.poster_slide(path)[0] + 1
            with tempfile.TemporaryDirectory(prefix="posterx-preview-") as tmp:
                pdf = office.convert_to_pdf(
                    path, kind, Path(tmp), soffice_path=options.soffice_path, page=page
                )
                return _encode(_pdf_page(pdf, max_width), max_width, fmt, quality, "libreoffice")
        except Exception as exc:  # a broken conversion still leaves the embedded preview
            why = f"LibreOffice failed: {exc}"[:300]
    data = office.embedded_thumbnail(path) if container == "zip" else None
    if data is None:
        raise PreviewUnavailableError(f"{why}, and the file has no embedded preview picture")
    image = _open_image(io.BytesIO(data), max_width)
    return _encode(
        image, max_width, fmt, quality, "embedded preview", note=f"the file's embedded preview; {why}"
    )


def _encode(img: Any, max_width: int, fmt: str, quality: int, source: str, note: str = "") -> Preview:
    from PIL import Image

    if img.width > max_width:
        img = img.resize((max_width, max(1, round(img.height * max_width / img.width))), Image.LANCZOS)
    img = img.convert("RGB")
    out = io.BytesIO()
    if fmt == "JPEG":
        img.save(out, "JPEG", quality=quality, optimize=True)
    else:
        img.save(out, "PNG")
    return Preview(out.getvalue(), fmt, img.width, img.height, source, note)
