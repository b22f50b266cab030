"""Fold the LLM's fields into the layout result without touching anything read off the poster.

Precedence, most trusted first: what is printed (keywords line, abstract, every verbatim
field), then the LLM, then YAKE. So LLM subjects replace only YAKE-derived subjects, the LLM
summary is added as descriptionType "Other" only when the poster has no abstract, and
researchField is set only when absent. The creators check is advice for a reviewer and is
returned in `_extraction`, never applied to `creators`.
"""

from __future__ import annotations

import copy
from typing import Any

from extraction.model import Page
from extraction.stages import metadata


def printed_keywords(page: Page) -> bool:
    """Whether the poster prints a keywords line (then its subjects are verbatim and stay)."""
    return bool(metadata.keywords_line([line.text for block in page.blocks for line in block.lines]))


def merge(
    doc: dict[str, Any], fields: dict[str, Any], keywords_printed: bool
) -> tuple[dict[str, Any], list[str]]:
    """A new doc with the LLM fields filled in, and the names of the fields that were filled."""
    out = copy.deepcopy(doc)
    filled: list[str] = []
    if fields.get("subjects") and not keywords_printed:
        out["subjects"] = [{"subject": s} for s in fields["subjects"]]
        filled.append("subjects")
    descriptions = out.get("descriptions", [])
    summary = fields.get("description")
    if summary and not any(
        d.get("descriptionType") == "Abstract" or d.get("description") == summary for d in descriptions
    ):
        out["descriptions"] = [*descriptions, {"description": summary, "descriptionType": "Other"}]
        filled.append("descriptions")
    if fields.get("researchField") and not out.get("researchField"):
        out["researchField"] = fields["researchField"]
        filled.append("researchField")
    return out, filled
