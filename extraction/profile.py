"""Tuning numbers per text source, in one place (as pdfplumber's `TableSettings` does).

The stages are the same for every source; what differs is how much a measurement can be
trusted. pdfalto reports font sizes and weights exactly and splits printed lines into
fragments; OCR reports whole-line boxes whose heights vary with the letters in them and knows
no weight; an office file reports sizes and runs exactly but places text boxes freely.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceProfile:
    """How the stages read a page from one kind of source."""

    # How far apart (in font sizes) two fragments on one baseline may be and still be one line.
    fragment_reach: float = 1.2
    # How far a title line's size may differ from the title's first line (a fraction of it).
    title_size_tolerance: float = 0.12
    # How much larger than body text a heading must be.
    heading_ratio: float = 1.15
    # The narrowest gap (in body sizes) that separates two columns.
    column_gutter: float = 1.2
    # Bold means emphasis; when False, "bold" is a colour cue that may mark every line.
    exact_weight: bool = True


PDF = SourceProfile()
# OCR box heights vary more than font sizes, lines are whole already, and "bold" is colour.
# The heading ratio only decides on pages without colour emphasis: on the dev PDFs rasterised
# and read with emphasis off, 1.3 reads them best (1.6 suited one poster).
OCR = SourceProfile(
    fragment_reach=0.3, title_size_tolerance=0.25, heading_ratio=1.3, column_gutter=0.55, exact_weight=False
)
OFFICE = SourceProfile()

PROFILES = {"pdfalto": PDF, "ocr": OCR, "pptx": OFFICE}


def for_source(source: str) -> SourceProfile:
    """The profile of a `Page.source`, whose first word is its kind ("pptx slide 2 of 8")."""
    return PROFILES.get(source.split(" ", 1)[0], PDF)
