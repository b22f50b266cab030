"""Layout pipeline: stages over a `Page`, then the assembler (placeholder)."""

from __future__ import annotations

from typing import Any

from extraction.model import Page


def build(page: Page) -> dict[str, Any]:
    raise NotImplementedError("layout pipeline not written yet")
