"""Render page 1 of a PDF to a PNG in a separate, resource-limited process.

Why a child process: pdfium renders every drawing operator, and a hostile or broken PDF can
carry hundreds of millions of them (a stream that inflates to gigabytes). In-process that
would hold a worker for minutes; in a child it is stopped by the same timeout and memory
limit as pdfalto. Used by the scanned-PDF OCR fallback and by thumbnails.

Run as `python -m extraction.backends.render PDF OUT.png MAX_SIDE [DPI]`.
"""

from __future__ import annotations

import faulthandler
import os
import resource
import signal
import sys
import tempfile
import time
from pathlib import Path

from extraction.errors import ExtractionTimeoutError
from extraction.sandbox import run_limited

RENDER_TIMEOUT_S = 60.0
RENDER_MEMORY_MB = 3072


def _render(pdf: Path, out: Path, max_side: int, dpi: float) -> None:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        page = doc[0]
        w_pt, h_pt = page.get_size()
        scale = min(dpi / 72, max_side / max(w_pt, h_pt, 1))
        page.render(scale=scale).to_pil().convert("RGB").save(out)
    finally:
        doc.close()


def render_page(pdf: Path, max_side: int, dpi: float = 300, timeout_s: float = RENDER_TIMEOUT_S):
    """Page 1 of `pdf` as a Pillow image no larger than `max_side` pixels on its long side."""
    from PIL import Image

    with tempfile.TemporaryDirectory(prefix="posterx-render-") as tmp:
        out = Path(tmp) / "page.png"
        if hasattr(os, "fork"):
            _render_forked(pdf, out, max_side, dpi, timeout_s)
        else:  # pragma: no cover - non-POSIX: a fresh interpreter under the same limits
            cmd = [
                sys.executable,
                "-m",
                "extraction.backends.render",
                str(pdf),
                str(out),
                str(max_side),
                str(dpi),
            ]
            run_limited(cmd, timeout_s=timeout_s, memory_mb=RENDER_MEMORY_MB, what="rendering the PDF page")
        if not out.exists():
            from extraction.errors import CorruptFileError

            raise CorruptFileError("the PDF page could not be rendered; the file is probably damaged")
        with Image.open(out) as img:
            img.load()
            return img.copy()


def _render_forked(pdf: Path, out: Path, max_side: int, dpi: float, timeout_s: float) -> None:
    """Render in a forked child: as isolated as a subprocess, without paying for a new
    interpreter and its imports (~0.3 s a page). The child only calls pdfium and Pillow."""
    pid = os.fork()
    if pid == 0:  # child: never returns
        code = 1
        try:
            # Hitting the memory cap aborts pdfium; that is this child's expected way to fail,
            # reported by the parent, so no crash dump from an inherited faulthandler.
            faulthandler.disable()
            # The address-space cap is on top of what the parent already maps (models, libraries).
            with open("/proc/self/statm") as fh:
                mapped = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
            limit = mapped + RENDER_MEMORY_MB * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            cpu = int(timeout_s) + 1
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
            _render(pdf, out, max_side, dpi)
            code = 0
        finally:
            os._exit(code)
    deadline = time.monotonic() + timeout_s
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            status = -1
            break
        time.sleep(0.005)
    if status != 0:
        raise ExtractionTimeoutError(
            f"rendering the PDF page was stopped by its resource limits ({RENDER_MEMORY_MB} MB memory, "
            f"{timeout_s:.0f} s); the file is probably damaged or far larger than a poster"
        )


if __name__ == "__main__":
    _render(
        Path(sys.argv[1]),
        Path(sys.argv[2]),
        int(sys.argv[3]),
        float(sys.argv[4]) if len(sys.argv) > 4 else 300,
    )
