"""Format backends: each turns one kind of file into the common `Page` model."""

from __future__ import annotations

from pathlib import Path

from extraction.model import Page


def load_page(path: Path) -> Page:
    """Sniff the file's real type (never trust the extension) and run the matching backend."""
    from extraction.backends import pdf

    return pdf.load(path)
