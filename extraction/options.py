"""`ExtractOptions`: every tunable of the extraction library, in one frozen value.

Why one explicit value instead of environment variables read where they are used: a library
that reads the environment behaves differently in the CLI, the worker and a test depending on
what happens to be set, and two calls in one process cannot differ. So the library reads no
environment at all; its callers build the options (the `posterx` CLI from its flags and, for
compatibility, from the environment in `extraction/cli.py`; the service from
`app.settings.Settings.extract_options()`) and pass them to `extract()` and `render_preview()`,
which hand them down to the backends and the LLM step. Defaults are what the service ships with.

Light on purpose: importing it imports nothing else of ours, so `app.settings` can build options
without pulling in the extraction engine.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

ENGINES = ("layout", "hybrid", "auto")
DEFAULT_MODEL_ID = "fairdataihub/Llama-3.1-8B-Poster-Extraction"


@dataclass(frozen=True)
class ExtractOptions:
    """How to extract. Immutable: derive a variant with `options.replace(engine="hybrid")`.

    Values are checked when the options are made, so a bad one fails at start-up with the
    field's name, never halfway through a poster.
    """

    # `layout`, `hybrid` (layout + LLM) or `auto` (hybrid when a CUDA GPU and the model are present).
    engine: str = "layout"
    # Larger inputs are refused before anything is parsed.
    max_file_mb: float = 50.0
    # pdfalto executable; empty: the one the `pdfalto` wheel bundles (else `pdfalto` on PATH).
    pdfalto_path: str = ""
    # LibreOffice's `soffice`; empty: looked up on PATH and in the usual places. A path that is
    # not an executable means "LibreOffice is not installed" (how operators and tests switch it off).
    soffice_path: str = ""
    # Read a headline drawn as graphics (a wordmark, outlined letters) from the banner by OCR.
    banner_ocr: bool = True
    # The JSON model of the hybrid engine: a Hugging Face id looked up in the local cache only,
    # or a local path (wins over the id): a transformers directory, a GGUF file, or a directory
    # holding GGUF files, one of which `model_gguf_file` names.
    model_id: str = DEFAULT_MODEL_ID
    model_path: str = ""
    model_gguf_file: str = ""
    # `4bit`: NF4 through bitsandbytes on a CUDA GPU; anything else is noted and ignored.
    model_quant: str = ""
    # Constrained decoding to the answer schema (off only to measure it, or as an escape hatch).
    llm_constrained: bool = True
    # Caps on the one LLM call per poster.
    llm_max_new_tokens: int = 512
    llm_timeout_seconds: float = 120.0
    llm_prompt_chars: int = 4000

    def __post_init__(self) -> None:
        def fix(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        for f in dataclasses.fields(self):
            if f.type == "str":
                value = getattr(self, f.name)
                if not isinstance(value, str):
                    raise ValueError(f"extraction option {f.name} must be a string, got {value!r}")
                fix(f.name, value.strip())
        fix("model_quant", self.model_quant.lower())
        fix("model_id", self.model_id or DEFAULT_MODEL_ID)
        if self.engine not in ENGINES:
            raise ValueError(f"unknown engine {self.engine!r}; choose one of {', '.join(ENGINES)}")
        for name, minimum, kind in (
            ("max_file_mb", 0.0, (int, float)),
            ("llm_timeout_seconds", 0.0, (int, float)),
            ("llm_max_new_tokens", 0, int),
            ("llm_prompt_chars", 0, int),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, kind) or not value > minimum:
                raise ValueError(f"extraction option {name} must be a number above {minimum}, got {value!r}")
        for name in ("banner_ocr", "llm_constrained"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(
                    f"extraction option {name} must be true or false, got {getattr(self, name)!r}"
                )

    def replace(self, **changes: Any) -> ExtractOptions:
        """A copy with `changes` applied (and checked)."""
        return dataclasses.replace(self, **changes)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)


OFF = frozenset({"0", "false", "no", "off"})


def parse_flag(text: str, default: bool = True) -> bool:
    """A yes/no setting written as text: off for 0/false/no/off, `default` when empty, else on.

    Shared by the two places that turn environment text into options (the CLI and the
    service's settings), so `LLM_CONSTRAINED=off` means the same to both.
    """
    value = text.strip().lower()
    if not value:
        return default
    return value not in OFF
