"""Poster thumbnails: page 1 (or the poster slide) as a JPEG no wider than 1200 px (quality 75,
as the extraction API posterx replaces made them), stored in Bunny, linked from
`"Poster"."imageUrl"`.

`imageUrl` is the frontend's private-storage URL (PRIVATE_STORAGE_URL) plus the object path:
the frontend serves a thumbnail only when `imageUrl` starts with that URL, and on publication
copies the object named by what follows it.

The picture itself comes from `extraction.render_preview()`, which knows what a file is and how
to render it safely (format sniffing, pixel and size caps, LibreOffice for office files with the
file's embedded preview as the fallback). This module only stores and links it.

Both ways a thumbnail is made go through `publish()`: the pipeline's (rendered by the extract
task while the poster file is there, published by the upsert task once the job is completed) and
"Regenerate thumbnail" (`posterx.thumbnail`: download, render, publish). `publish()` never raises:
it returns a `ThumbnailOutcome`, whose failure reason is scrubbed of secrets in one place
(`_reason`), and whose `record` is what the attempt's history stores: the storage path,
`path (how it was made)` for a fallback, or `failed: reason`. A thumbnail is a convenience for
the frontend, never a reason to fail a job.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from app.db import poster, utcnow
from app.settings import Settings, scrub
from app.storage import BunnyStorage

log = logging.getLogger("posterx.thumbnails")
PUBLISHED = "published"  # the frontend's Poster.status once it is on Zenodo and the CDN
MAX_WIDTH = 1200
QUALITY = 75
RECORD_CHARS = 500  # the attempts table's thumbnail note is cut to this


@dataclass(frozen=True)
class Thumbnail:
    """A rendered JPEG and how it was made (`extraction.Preview.source`; `note` when a fallback
    made it, e.g. an office file's embedded preview)."""

    jpeg: bytes
    source: str = ""
    note: str = ""


@dataclass(frozen=True)
class ThumbnailOutcome:
    """What became of one thumbnail: stored and linked, or why not."""

    ok: bool
    trigger: str  # "extraction" (the job's pipeline) or "regenerate" (POST /thumbnails/generate)
    path: str | None = None  # the storage path, when stored
    url: str | None = None  # the Poster.imageUrl it was linked as
    # Failed: why, scrubbed of secrets. Stored by a fallback: how it was made instead.
    reason: str | None = None
    source: str = ""  # what the picture was made from (pdf, image, libreoffice, embedded preview)

    @property
    def record(self) -> str:
        """The attempt history's note: `thumbnails/…`, `thumbnails/… (how)` or `failed: why`."""
        if not self.ok:
            return f"failed: {self.reason}"[:RECORD_CHARS]
        return f"{self.path} ({self.reason})"[:RECORD_CHARS] if self.reason else str(self.path)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "record": self.record}


class ThumbnailError(Exception):
    """A step of making a thumbnail failed; `str()` says which step and what happened."""


def render(path: Path, options=None) -> Thumbnail:
    """Page 1 of a PDF, an image, or an office file's poster slide, as a JPEG; raises ThumbnailError."""
    from extraction import ExtractionError, render_preview

    try:
        preview = render_preview(path, MAX_WIDTH, options, image_format="JPEG", quality=QUALITY)
    except ExtractionError as exc:
        raise ThumbnailError(f"could not render the thumbnail ({exc})") from exc
    except Exception as exc:  # not the file's fault: say what broke
        raise ThumbnailError(f"could not render the thumbnail ({type(exc).__name__}: {exc})") from exc
    return Thumbnail(preview.data, preview.source, preview.note)


def storage_path(poster_id: int) -> str:
    return f"thumbnails/{int(poster_id)}/{uuid.uuid4()}.jpeg"


def image_url(settings: Settings, path: str) -> str:
    """What `Poster.imageUrl` holds for the object at `path`."""
    return f"{settings.frontend_storage_url}/{path}"


# `key=value` query parameters and headers that carry credentials, in case a library error
# message quotes a URL or a request: the known secrets are replaced as well, by `scrub`.
_CREDENTIAL = re.compile(
    r"(?i)\b(access_?key|api_?key|token|password|signature|x-api-key)(=|:\s*)[^&\s,;)'\"]+"
)


def _reason(settings: Settings, why: BaseException | str) -> str:
    """The one place a failure (or a fallback's note) becomes a stored, logged reason: secrets
    and credentials out, cut to what the attempt's note holds."""
    text = why if isinstance(why, str) else str(why) or type(why).__name__
    text = _CREDENTIAL.sub(r"\1\2***", scrub(text, settings.secrets()))
    return text[: RECORD_CHARS - len("failed: ")]


def publish(
    settings: Settings,
    eng: sa.Engine,
    poster_id: int,
    produce: Callable[[], Thumbnail],
    trigger: str,
) -> ThumbnailOutcome:
    """Make the thumbnail with `produce`, upload it and point the poster at it. Never raises.

    `produce` renders (or fetches what an earlier task rendered); its failure, the upload's and
    the link's all end in a failed outcome. A published poster keeps its imageUrl: the frontend
    has copied its thumbnail to the CDN.
    """
    extra = {"poster_id": poster_id}
    try:
        thumb = produce()
        path = storage_path(poster_id)
        try:
            BunnyStorage(settings).upload(path, thumb.jpeg, content_type="image/jpeg")
        except Exception as exc:
            raise ThumbnailError(f"could not store the thumbnail ({exc})") from exc
        url = image_url(settings, path)
        try:
            with eng.begin() as conn:
                conn.execute(
                    poster.update()
                    .where(poster.c.id == poster_id, poster.c.status != PUBLISHED)
                    .values(imageUrl=url, updated=utcnow())
                )
        except Exception as exc:
            raise ThumbnailError(
                f"could not link the thumbnail to the poster ({type(exc).__name__}: {exc})"
            ) from exc
    except Exception as exc:  # never fails the job; the outcome says what happened
        outcome = ThumbnailOutcome(ok=False, trigger=trigger, reason=_reason(settings, exc))
        log.warning(
            "thumbnail for poster %s (%s) failed: %s", poster_id, trigger, outcome.reason, extra=extra
        )
        return outcome
    outcome = ThumbnailOutcome(
        ok=True,
        trigger=trigger,
        path=path,
        url=url,
        reason=_reason(settings, thumb.note) if thumb.note else None,
        source=thumb.source,
    )
    log.info("thumbnail for poster %s (%s) stored at %s (%d bytes)", poster_id, trigger, path, len(thumb.jpeg),
             extra=extra)  # fmt: skip
    return outcome


# --- the pipeline: rendered in one task, published in the next ------------------------------------


def prepare(path: Path, options=None) -> dict[str, Any]:
    """Render now, while the poster file is here, for `from_prepared()` in the next task.

    Returns a JSON-safe handle (a Celery message field): the temporary JPEG's path and how it was
    made, or the render's error. Never raises.
    """
    import tempfile

    try:
        thumb = render(path, options)
    except Exception as exc:
        return {"error": str(exc) or type(exc).__name__}
    fd, tmp = tempfile.mkstemp(prefix="posterx-thumb-", suffix=".jpeg")
    with open(fd, "wb") as out:
        out.write(thumb.jpeg)
    return {"file": tmp, "source": thumb.source, "note": thumb.note}


def from_prepared(handle: dict[str, Any]) -> Thumbnail:
    """The thumbnail `prepare()` rendered; raises ThumbnailError when it failed or is not here."""
    if handle.get("error"):
        raise ThumbnailError(handle["error"])
    try:
        jpeg = Path(handle["file"]).read_bytes()
    except (KeyError, TypeError, FileNotFoundError) as exc:
        raise ThumbnailError(
            "the rendered thumbnail was not on this worker (the upsert ran elsewhere)"
        ) from exc
    return Thumbnail(jpeg, handle.get("source", ""), handle.get("note", ""))
