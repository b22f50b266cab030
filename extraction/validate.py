"""Schema check of the output against the bundled poster-json v0.2 schema, as warnings.

Why warnings and not errors: a poster that lacks, say, a publication year still yields useful
metadata, and the pipeline must never invent a value to satisfy the schema. Missing required
fields are already named by the pipeline ("no evidence on the poster ..."), so here only the
shape of what *is* present is checked: each property against its own definition.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft7Validator

SCHEMA_FILE = "poster_schema_v0.2.json"


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return json.loads(files("extraction").joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> Draft7Validator:
    # The same schema minus `required`: absence is reported by the pipeline, not here.
    full = dict(schema())
    full.pop("required", None)
    return Draft7Validator(full)


def problems(doc: dict[str, Any]) -> list[str]:
    """One readable line per schema violation of the public keys (`_`-prefixed keys are private)."""
    public = {k: v for k, v in doc.items() if not k.startswith("_")}
    out = []
    for err in sorted(_validator().iter_errors(public), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        out.append(f"schema: {where}: {err.message[:200]}")
    return out
