"""Poster thumbnails: page 1 as a JPEG no wider than 1200 px, stored in Bunny, linked from
`"Poster"."imageUrl"`.

A thumbnail is a convenience for the frontend, never a reason to fail a job: every error here
is returned as a note for the attempt's history instead of raised into the pipeline.
"""

from __future__ import annotations

import io
import logging
import uuid
from pathlib import Path

import sqlalchemy as sa

from app.db import poster
from app.settings import Settings
from app.storage import BunnyStorage

log = logging.getLogger("posterx.thumbnails")
MAX_WIDTH = 1200
QUALITY = 75
MAX_PIXELS = 150_000_000  # the same decompression-bomb cap as the extraction's image backend


def render_jpeg(path: Path) -> bytes:
    """Page 1 of a PDF (rendered in a limited child process) or an image, as JPEG bytes."""
    from PIL import Image

    with path.open("rb") as fh:
        is_pdf = b"%PDF-" in fh.read(1024)
    if is_pdf:
        from extraction.backends.render import render_page

        img = render_page(path, max_side=MAX_WIDTH, dpi=150)  # long side ≤ 1200, so width ≤ 1200
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


def storage_path(poster_id: int) -> str:
    return f"thumbnails/{int(poster_id)}/{uuid.uuid4()}.jpeg"


def publish(settings: Settings, eng: sa.Engine, poster_id: int, jpeg: bytes) -> str:
    """Upload the JPEG and point the poster at it; returns the storage path. Raises on failure."""
    path = storage_path(poster_id)
    BunnyStorage(settings).upload(path, jpeg, content_type="image/jpeg")
    with eng.begin() as conn:
        conn.execute(
            poster.update().where(poster.c.id == poster_id).values(imageUrl=path, updated=sa.func.now())
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
