"""Schema validation of the output, reported as warnings (placeholder)."""

from __future__ import annotations

from typing import Any


def problems(doc: dict[str, Any]) -> list[str]:
    return []
