"""PDF backend: pdfalto → ALTO XML → `Page` (owned by the layout work; placeholder)."""

from __future__ import annotations

from pathlib import Path

from extraction.model import Page


def load(path: Path) -> Page:
    raise NotImplementedError("PDF backend not written yet")
