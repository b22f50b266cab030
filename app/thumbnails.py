"""Poster thumbnails: page 1 as a JPEG no wider than 1200 px (quality 75, as the extraction API
posterx replaces made them), stored in Bunny, linked from `"Poster"."imageUrl"`.

`imageUrl` is the frontend's private-storage URL (PRIVATE_STORAGE_URL) plus the object path:
the frontend serves a thumbnail only when `imageUrl` starts with that URL, and on publication
copies the object named by what follows it.

A thumbnail is a convenience for the frontend, never a reason to fail a job: every error here
is returned as a note for the attempt's history instead of raised into the pipeline.
"""

from __future__ import annotations

import io
import logging
import uuid
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


def render_jpeg(path: Path) -> bytes:
    """Page 1 of a PDF (rendered in a limited child process) or an image, as JPEG bytes."""
    from PIL import Image

    with path.open("rb") as fh:
        is_pdf = b"%PDF-" in fh.read(1024)
    if is_pdf:
        from extraction.backends.render import render_page

        img = render_page(path, max_side=_long_side_for_width(path), dpi=150)
    else:
        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        with Image.open(path) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise ValueError(f"the image has more than {MAX_PIXELS // 1_000_000} megapixels")
            opened.draft("RGB", (MAX_WIDTH, MAX_WIDTH * 4))  # JPEG: decode at a reduced scale
            img = opened.convert("RGB")
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
        jpeg = render_jpeg(path)
        stored = publish(settings, eng, poster_id, jpeg)
    except Exception as exc:  # never fails the job; the note says what happened
        from app.settings import scrub

        note = f"failed: {scrub(str(exc) or type(exc).__name__, settings.secrets())}"[:500]
        log.warning("thumbnail for poster %s %s", poster_id, note, extra={"poster_id": poster_id})
        return note
    log.info("thumbnail for poster %s stored at %s (%d bytes)", poster_id, stored, len(jpeg),
             extra={"poster_id": poster_id})  # fmt: skip
    return stored
