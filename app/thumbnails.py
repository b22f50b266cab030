"""Poster thumbnails: page 1 (or the poster slide) as a JPEG no wider than 1200 px (quality 75,
as the extraction API posterx replaces made them), stored in Bunny, linked from
`"Poster"."imageUrl"`.

`imageUrl` is the frontend's private-storage URL (PRIVATE_STORAGE_URL) plus the object path:
the frontend serves a thumbnail only when `imageUrl` starts with that URL, and on publication
copies the object named by what follows it.

A thumbnail is a convenience for the frontend, never a reason to fail a job: every error here
is returned as a note for the attempt's history instead of raised into the pipeline.

Office files (PowerPoint, OpenDocument, Keynote, Word) are rendered by LibreOffice when it is
installed: the poster slide is exported to a one-page PDF, under the same limits as any office
conversion, then rendered like a PDF. Without LibreOffice, or when it fails, the preview picture
the authoring application saved inside the file (`docProps/thumbnail.jpeg`) is used, and the
attempt's note says so.
"""

from __future__ import annotations

import io
import logging
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from app.db import poster, utcnow
from app.settings import Settings
from app.storage import BunnyStorage

log = logging.getLogger("posterx.thumbnails")
PUBLISHED = "published"  # the frontend's Poster.status once it is on Zenodo and the CDN
MAX_WIDTH = 1200
QUALITY = 75
MAX_PIXELS = 150_000_000  # the same decompression-bomb cap as the extraction's image backend
MAX_TALL = 8  # a page more than 8 times as tall as wide is rendered narrower than 1200 px


@dataclass
class Thumbnail:
    """The JPEG, and how it was made when that is worth a note on the attempt (a fallback)."""

    jpeg: bytes
    note: str = ""


def render(path: Path) -> Thumbnail:
    """Page 1 of a PDF (rendered in a limited child process), an image, or an office file's
    poster slide, as a JPEG."""
    from extraction.backends import sniff
    from extraction.errors import UnsupportedFormatError

    with path.open("rb") as fh:
        head = fh.read(2048)
    try:
        kind = sniff(head)
    except UnsupportedFormatError:
        kind = "image"  # let Pillow say what it is
    if kind == "pdf":
        from extraction.backends.render import render_page

        return Thumbnail(_jpeg(render_page(path, max_side=_long_side_for_width(path), dpi=150)))
    if kind in ("zip", "ole"):
        return _office(path, kind)
    return Thumbnail(_jpeg(_open_image(path)))


def render_jpeg(path: Path) -> bytes:
    return render(path).jpeg


def _open_image(source: Path | io.BytesIO):
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with Image.open(source) as opened:
        if opened.width * opened.height > MAX_PIXELS:
            raise ValueError(f"the image has more than {MAX_PIXELS // 1_000_000} megapixels")
        opened.draft("RGB", (MAX_WIDTH, MAX_WIDTH * 4))  # JPEG: decode at a reduced scale
        return opened.convert("RGB")


def _office(path: Path, container: str) -> Thumbnail:
    """The poster slide through LibreOffice; else the file's embedded preview, noted as such."""
    from extraction.backends import office
    from extraction.backends.render import render_page

    fmt = office.identify_zip(path) if container == "zip" else office.identify_ole(path)
    why = "LibreOffice is not installed"
    if office.soffice_binary() is not None:
        try:
            page = 1
            if fmt.key == "pptx":
                from extraction.backends import pptx

                page = pptx.poster_slide(path)[0] + 1
            with tempfile.TemporaryDirectory(prefix="posterx-thumb-") as tmp:
                pdf = office.convert_to_pdf(path, fmt, Path(tmp), page=page)
                return Thumbnail(_jpeg(render_page(pdf, max_side=_long_side_for_width(pdf), dpi=150)))
        except Exception as exc:  # a broken conversion still leaves the embedded preview
            why = f"LibreOffice failed: {exc}"[:300]
    data = office.embedded_thumbnail(path) if container == "zip" else None
    if data is None:
        raise ValueError(f"{why}, and the file has no embedded preview picture")
    return Thumbnail(_jpeg(_open_image(io.BytesIO(data))), note=f"the file's embedded preview; {why}")


def _jpeg(img) -> bytes:
    from PIL import Image

    if img.width > MAX_WIDTH:
        img = img.resize((MAX_WIDTH, max(1, round(img.height * MAX_WIDTH / img.width))), Image.LANCZOS)
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()


def _long_side_for_width(pdf: Path) -> int:
    """The long side that gives page 1 a width of MAX_WIDTH (opening a PDF reads no content)."""
    import math

    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        width, height = doc[0].get_size()
    finally:
        doc.close()
    if width <= 0 or height <= width:
        return MAX_WIDTH
    return min(math.ceil(MAX_WIDTH * height / width), MAX_WIDTH * MAX_TALL)


def storage_path(poster_id: int) -> str:
    return f"thumbnails/{int(poster_id)}/{uuid.uuid4()}.jpeg"


def image_url(settings: Settings, path: str) -> str:
    """What `Poster.imageUrl` holds for the object at `path`."""
    return f"{settings.frontend_storage_url}/{path}"


def publish(settings: Settings, eng: sa.Engine, poster_id: int, jpeg: bytes) -> str:
    """Upload the JPEG and point the poster at it; returns the storage path. Raises on failure.

    A published poster keeps its imageUrl: the frontend has copied its thumbnail to the CDN.
    """
    path = storage_path(poster_id)
    BunnyStorage(settings).upload(path, jpeg, content_type="image/jpeg")
    with eng.begin() as conn:
        conn.execute(
            poster.update()
            .where(poster.c.id == poster_id, poster.c.status != PUBLISHED)
            .values(imageUrl=image_url(settings, path), updated=utcnow())
        )
    return path


def make_and_publish(settings: Settings, eng: sa.Engine, poster_id: int, path: Path) -> str:
    """Render and publish; returns a note for the attempt history ('thumbnails/…' or 'failed: …')."""
    try:
        thumb = render(path)
        jpeg = thumb.jpeg
        stored = publish(settings, eng, poster_id, jpeg)
    except Exception as exc:  # never fails the job; the note says what happened
        from app.settings import scrub

        note = f"failed: {scrub(str(exc) or type(exc).__name__, settings.secrets())}"[:500]
        log.warning("thumbnail for poster %s %s", poster_id, note, extra={"poster_id": poster_id})
        return note
    log.info("thumbnail for poster %s stored at %s (%d bytes)", poster_id, stored, len(jpeg),
             extra={"poster_id": poster_id})  # fmt: skip
    return with_note(stored, thumb.note)


def with_note(stored: str, note: str) -> str:
    """The attempt's thumbnail note: the stored path, and how the picture was made if noteworthy."""
    return f"{stored} ({note})"[:500] if note else stored
