"""Image backend: RapidOCR line boxes become a `Page`.

OCR gives text and boxes but no fonts, so each word's size is estimated from its line's box
height; the layout stages then work on images exactly as on PDFs. The OCR engine (ONNX
models shipped in the rapidocr wheel, no download) is created once per process, lazily, so
importing the library and forking workers stay cheap.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any

from extraction.errors import EngineUnavailableError, ExtractionTimeoutError
from extraction.model import Block, Line, Page, Word

_engine: Any = None
_lock = threading.Lock()
# The OCR engine reads a page at most this long: it would shrink a larger one itself, with a
# bilinear resize that drops small print. We shrink first, by area averaging, which reads
# better (dev image poster: r .797 → .805) and keeps coordinates ours. Reading at a larger
# size was tried and is worse: the detector, tuned for this scale, splits lines.
OCR_MAX_SIDE = 2000


def _ocr_engine() -> Any:
    global _engine
    with _lock:
        if _engine is None:
            try:
                import logging

                from rapidocr import RapidOCR

                logging.getLogger("RapidOCR").setLevel(logging.WARNING)
                # One text line per recognition batch: the same text, ~90 MB less peak memory on a
                # large poster (batches pad every line to the widest one), and no slower on a CPU.
                _engine = RapidOCR(params={"Global.log_level": "warning", "Rec.rec_batch_num": 1,
                                           "Global.max_side_len": OCR_MAX_SIDE})  # fmt: skip
            except Exception as exc:
                raise EngineUnavailableError(
                    "the OCR engine (rapidocr) could not be started; reinstall the `rapidocr` and `onnxruntime` packages"
                ) from exc
        return _engine


def ocr_image(image: Any, source: str = "ocr") -> Page:
    """OCR a Pillow image into a `Page` in the image's pixel coordinates."""
    import numpy as np
    from PIL import Image

    width, height = image.size
    scale = 1.0
    if max(width, height) > OCR_MAX_SIDE:
        scale = OCR_MAX_SIDE / max(width, height)
        image = image.resize((int(width * scale), int(height * scale)), resample=Image.Resampling.BOX)
    array = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    try:
        result = _ocr_engine()(array)
    except MemoryError as exc:
        raise ExtractionTimeoutError("OCR ran out of memory on this image; upload a smaller image") from exc
    finally:
        release_free_memory()
    page = Page(width=width, height=height, source=source)
    vertical: list[tuple[float, float, float, float, str]] = []
    if result is None or result.boxes is None:
        return page
    for box, text in zip(result.boxes, result.txts, strict=False):
        text = (text or "").strip()
        if not text:
            continue
        xs = [float(p[0]) / scale for p in box]
        ys = [float(p[1]) / scale for p in box]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        h = y1 - y0
        if h > 1.5 * (x1 - x0) and len(text) > 2:
            # Text set bottom-to-top (a side label): kept when it reads as words.
            if sum(c.isalpha() for c in text) >= 0.6 * len(text.replace(" ", "")):
                vertical.append((x0, y0, x1, y1, text))
            continue
        tokens = text.split()
        total = sum(len(t) for t in tokens) + len(tokens) - 1 or 1
        words: list[Word] = []
        cursor = x0
        raw_xs, raw_ys = [float(p[0]) for p in box], [float(p[1]) for p in box]
        emphasis = emphasised(array, raw_xs, raw_ys)
        for tok in tokens:
            w = (x1 - x0) * len(tok) / total
            words.append(Word(text=tok, x=cursor, y=y0, w=w, h=h, font_size=h * 0.75, bold=emphasis))
            cursor += w + (x1 - x0) / total
        if emphasis:
            # A heading printed in a coloured bar heads the whole panel under the bar: give the
            # line the bar's width so reading order sees the panel as one region.
            left, right = bar_extent(array, raw_xs, raw_ys)
            if left is not None and right is not None:
                words[0].w += words[0].x - left / scale
                words[0].x = left / scale
                words[-1].w = right / scale - words[-1].x
                x0, x1 = min(x0, left / scale), max(x1, right / scale)
        line = Line(words=words, x=x0, y=y0, w=x1 - x0, h=h)
        page.blocks.append(Block(lines=[line], x=x0, y=y0, w=x1 - x0, h=h))
    _add_vertical(page, vertical)
    return page


def release_free_memory() -> None:
    """Hand the OCR pass's freed buffers back to the operating system.

    Text detection allocates several hundred MB of short-lived tensors. glibc keeps freed
    blocks in the process, fragmented, so each later poster's peak lands on top of the last
    one's leftovers and a long-lived worker creeps past its memory budget. `malloc_trim`
    returns them; where glibc is absent (musl, macOS) there is nothing to do.
    """
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if not name:
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(name).malloc_trim(0)


def _add_vertical(page: Page, boxes: list[tuple[float, float, float, float, str]]) -> None:
    """Rotated lines printed side by side (read left to right) become one line at their top,
    with the size of their text height, so the label reads whole and before what it labels."""
    boxes = sorted(boxes)
    used = [False] * len(boxes)
    for i in range(len(boxes)):
        if used[i]:
            continue
        group = [boxes[i]]
        used[i] = True
        for j in range(i + 1, len(boxes)):
            gx0, gy0, gx1, gy1, _ = boxes[j]
            last = group[-1]
            if not used[j] and gx0 - last[2] < 0.5 * (last[2] - last[0]) and gy0 < last[3] and gy1 > last[1]:
                group.append(boxes[j])
                used[j] = True
        size = max(b[2] - b[0] for b in group)
        top = min(b[1] for b in group)
        left, right = group[0][0], group[-1][2]
        word = Word(
            text=" ".join(b[4] for b in group), x=left, y=top, w=right - left, h=size, font_size=size * 0.75
        )
        page.blocks.append(Block(lines=[Line(words=[word], x=left, y=top, w=right - left, h=size)]))


def _luma(c: Any) -> float:
    return 0.299 * float(c[0]) + 0.587 * float(c[1]) + 0.114 * float(c[2])


def emphasised(array: Any, xs: list[float], ys: list[float]) -> bool:
    """Whether the text in this box is set off by colour, the emphasis OCR can see.

    OCR gives no font weight, but posters mark headings by colour: white text on a coloured
    title bar, or coloured text on a light panel. The box's border pixels give its background,
    pixels far from that are ink; black-on-white running text is neither light-on-dark nor
    coloured, so it is not flagged. Rows and columns are subsampled: the box is only read for
    two colours, and the page can be 70 megapixels.
    """
    import numpy as np

    height, width = array.shape[:2]
    x0, x1 = max(0, int(min(xs))), min(width, int(max(xs)) + 1)
    y0, y1 = max(0, int(min(ys))), min(height, int(max(ys)) + 1)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return False
    step = max(1, (y1 - y0) // 24)
    crop = array[y0:y1:step, x0:x1:step].astype(np.int16)
    border = np.concatenate([crop[0], crop[-1], crop[:, 0], crop[:, -1]])
    background = np.median(border, axis=0)
    distance = np.abs(crop - background).sum(axis=2)
    ink = crop[distance > 150]
    if len(ink) < 8:
        return False
    colour = np.median(ink, axis=0)
    light_on_dark = _luma(background) < 150 and _luma(colour) > _luma(background) + 60
    coloured_ink = float(colour.max() - colour.min()) > 90
    return bool(light_on_dark or coloured_ink)


def bar_extent(array: Any, xs: list[float], ys: list[float]) -> tuple[float | None, float | None]:
    """Left and right ends of the coloured bar a reversed-out line sits in, or (None, None).

    Walks along the row through the middle of the box, outward from its ends, while the pixels
    keep the bar's colour (that of the box's border); text on a plain page gets None.
    """
    import numpy as np

    height, width = array.shape[:2]
    x0, x1 = max(0, int(min(xs))), min(width - 1, int(max(xs)))
    y0, y1 = max(0, int(min(ys))), min(height - 1, int(max(ys)))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None, None
    row = array[(y0 + y1) // 2].astype(np.int16)
    top = array[y0, x0 : x1 + 1].astype(np.int16)
    bar = np.median(top, axis=0)
    if _luma(bar) >= 150:
        return None, None
    same = np.abs(row - bar).sum(axis=1) < 60
    breaks_left = np.flatnonzero(~same[:x0])
    left = int(breaks_left[-1]) + 1 if len(breaks_left) else 0
    breaks_right = np.flatnonzero(~same[x1 + 1 :])
    right = x1 + int(breaks_right[0]) if len(breaks_right) else width - 1
    return float(left), float(right)


@contextlib.contextmanager
def open_checked(source: Path | Any, max_pixels: int) -> Any:
    """Open an image with the pixel cap checked from its header, before any decoding, and
    Pillow's failures turned into errors a person can act on. OCR and previews both open images
    through it, so they refuse the same files with the same words."""
    from PIL import Image

    from extraction.errors import CorruptFileError, InputTooLargeError

    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with Image.open(source) as img:
            w, h = img.size
            if w * h > max_pixels:
                raise InputTooLargeError(
                    f"the image is {w}×{h} pixels ({w * h / 1e6:.0f} megapixels); the limit is "
                    f"{max_pixels / 1e6:.0f} megapixels: scale it down and upload again"
                )
            yield img
    except InputTooLargeError:
        raise
    except Image.DecompressionBombError as exc:
        raise InputTooLargeError(
            f"the image has too many pixels (limit {max_pixels / 1e6:.0f} megapixels): scale it down and upload again"
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise CorruptFileError(
            "the image could not be decoded; it is probably truncated or damaged: export it again"
        ) from exc


def load(path: Path, max_pixels: int) -> Page:
    """OCR an image file; the pixel cap is checked from the header before any decoding."""
    with open_checked(path, max_pixels) as img:
        w, h = img.size
        if img.format == "JPEG":
            # libjpeg can decode at 1/2, 1/4 or 1/8 scale for a fraction of the memory: take
            # the smallest that keeps twice the OCR size, which area averaging then halves.
            fit = 2 * OCR_MAX_SIDE / max(w, h)
            if fit < 1:
                img.draft("RGB", (int(w * fit), int(h * fit)))
        img.load()
        page = ocr_image(img)
        if img.size != (w, h):  # report in the file's own pixel coordinates
            page = _rescale(page, w / img.size[0])
        return page


def _rescale(page: Page, factor: float) -> Page:
    """Scale every box of `page` by `factor` (pixel coordinates of a half-scale decode → file)."""
    page.width *= factor
    page.height *= factor
    for block in page.blocks:
        block.x, block.y, block.w, block.h = (v * factor for v in (block.x, block.y, block.w, block.h))
        for line in block.lines:
            line.x, line.y, line.w, line.h = (v * factor for v in (line.x, line.y, line.w, line.h))
            for word in line.words:
                word.x, word.y, word.w, word.h = (v * factor for v in (word.x, word.y, word.w, word.h))
                word.font_size *= factor
    page.images = [(x * factor, y * factor, w * factor, h * factor) for x, y, w, h in page.images]
    return page
