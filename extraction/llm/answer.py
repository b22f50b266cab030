"""The one small JSON object the engine asks the model for, as a JSON schema.

The schema serves three readers: constrained decoding (`constrain.py`) compiles it into a token
mask, so the model cannot write anything else; the prompt shows the model the same shape; and
`posterx bench` uses it to tell a schema-valid answer from one the lenient parser had to repair.

Why the order and the bounds:
- Properties are generated in the order listed, shortest and most useful first. An answer cut
  short by the token cap or the timeout is still a prefix of a valid object, and the lenient
  parser closes it; putting `researchField` (a closed set) and `subjects` first means a cut
  answer still carries them.
- Every string has a maximum length, so a model that loops (small models repeat a sentence
  until the cap) is stopped by the grammar rather than by the cap. The bounds add up to about
  900 characters: far below the default 512-token cap for any text a tokenizer produces at
  its usual 3-4 characters per token.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from extraction.llm.parse import DOMAINS, MAX_SUBJECTS, MIN_SUBJECTS

SUBJECT_CHARS = (2, 40)
DESCRIPTION_CHARS = (40, 400)
CHECK_CHARS = (2, 200)

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "researchField": {"enum": list(DOMAINS)},
        "subjects": {
            "type": "array",
            "items": {"type": "string", "minLength": SUBJECT_CHARS[0], "maxLength": SUBJECT_CHARS[1]},
            "minItems": MIN_SUBJECTS,
            "maxItems": MAX_SUBJECTS,
        },
        "description": {
            "type": "string",
            "minLength": DESCRIPTION_CHARS[0],
            "maxLength": DESCRIPTION_CHARS[1],
        },
        "creators_check": {"type": "string", "minLength": CHECK_CHARS[0], "maxLength": CHECK_CHARS[1]},
    },
    "required": ["researchField", "subjects", "description", "creators_check"],
    "additionalProperties": False,
}


@lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema import Draft7Validator

    return Draft7Validator(SCHEMA)


def strict(text: str) -> dict[str, Any] | None:
    """The answer when it is, as written, one JSON object valid against `SCHEMA`; else None."""
    try:
        value = json.loads(text.strip())
    except ValueError:
        return None
    if not isinstance(value, dict) or any(True for _ in _validator().iter_errors(value)):
        return None
    return value
