"""The page model every backend produces and every stage reads.

Backends (pdfalto for PDFs, OCR for images) differ in what they know: pdfalto gives fonts,
OCR gives only boxes and text. Both are reduced to this one shape so the stages that find
reading order, headings, creators and captions never care where a page came from.
Coordinates are in the backend's own units (PDF points or pixels), origin top-left, y down.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class Box:
    """Geometry shared by everything placed on a page: a box `x, y, w, h`, origin top-left.

    A mixin without fields, so each dataclass keeps its own field order ("Word(text, x, y, ...)").
    """

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h


@dataclass
class Word(Box):
    """One token as printed, with the typography that tells headings and markers apart."""

    text: str
    x: float
    y: float
    w: float
    h: float
    font_size: float = 0.0
    bold: bool = False
    italic: bool = False
    superscript: bool = False
    font_family: str = ""


@dataclass
class Line(Box):
    """A run of words on one baseline, in reading order."""

    words: list[Word] = field(default_factory=list)
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass
class Block(Box):
    """A paragraph-like group of lines, as the backend segmented it."""

    lines: list[Line] = field(default_factory=list)
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass
class Page:
    """One poster page: its size, its text blocks, and how the text was obtained."""

    width: float
    height: float
    blocks: list[Block] = field(default_factory=list)
    source: str = "pdfalto"  # "pdfalto" or "ocr"
    media_type: str = "PDF"  # what the uploaded file was: PDF, PNG, JPEG, ...
    page_count: int = 1
    warnings: list[str] = field(default_factory=list)
    # Boxes (x, y, w, h) of the bitmaps placed on the page: captions sit next to them.
    images: list[tuple[float, float, float, float]] = field(default_factory=list)
