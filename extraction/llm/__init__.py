"""Optional LLM enrichment for the `hybrid` engine (placeholder until the GPU work lands)."""

from __future__ import annotations

from typing import Any

from extraction.model import Page


def gpu_ready() -> bool:
    return False


def enrich(doc: dict[str, Any], page: Page) -> tuple[dict[str, Any], dict[str, Any]]:
    return doc, {"llm_used": False, "warnings": ["LLM enrichment is not available; layout result kept"]}


def status() -> dict[str, str]:
    return {"cuda": "unavailable", "gpu": "none", "json_model": "not configured"}
