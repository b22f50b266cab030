"""LLM enrichment for the `hybrid` engine: the abstractive fields layout reading cannot derive.

The layout result is always complete on its own; this step only adds subjects (when none are
printed), a summary (when there is no abstract) and researchField. Any failure here (no
model, load error, out of memory, timeout, unusable JSON) returns the layout result unchanged
with a warning: a job never fails because of the LLM.

Nothing heavy happens at import: torch and transformers are imported and the model loaded on
the first `enrich()` or `warm_up()` in the process that will use it (after the worker forks).
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from extraction.llm import generate, loader, merge, parse
from extraction.model import Page

_last: dict[str, Any] = {}
_last_lock = threading.Lock()
_gpu_name: str | None = None


def gpu_ready() -> bool:
    """A CUDA GPU and a locally resolvable model: cheap, loads nothing (used by engine `auto`)."""
    try:
        if loader.resolve(loader.config()) is None:
            return False
    except loader.ModelUnavailable:
        return False
    _, error = loader.state()
    return error is None and loader.cuda_available()


def warm_up(engine: str | None = None) -> None:
    """Load the model in a fresh worker process when its engine will use it.

    `hybrid` always loads; `auto` loads only when a GPU is present, because an 8B model in
    float32 on a CPU would take the whole machine and `auto` would not use it anyway.
    """
    engine = (engine or os.environ.get("EXTRACTION_ENGINE") or "auto").strip().lower()
    if engine == "hybrid" or (engine == "auto" and gpu_ready()):
        loader.get()


def enrich(doc: dict[str, Any], page: Page) -> tuple[dict[str, Any], dict[str, Any]]:
    """(doc with LLM fields merged, info for `_extraction`); on any failure the doc comes back as given."""
    cfg = loader.config()
    info: dict[str, Any] = {"engine": "hybrid", "model": cfg.label, "llm_used": False, "new_tokens": 0}
    warnings: list[str] = []
    started = time.perf_counter()
    result = doc
    try:
        runtime = loader.get()
        warnings.extend(runtime.notes)
        output = generate.run(runtime, doc)
        info["new_tokens"] = output.new_tokens
        _remember(runtime.load_seconds, output.new_tokens, output.seconds)
        fields = parse.parse(output.text)
        if output.timed_out:
            warnings.append(f"LLM generation hit the time limit after {output.new_tokens} tokens")
        if fields.get("creators_check") and fields["creators_check"].lower().strip(" .") != "ok":
            info["creators_check"] = fields["creators_check"]
        merged, filled = merge.merge(doc, fields, merge.printed_keywords(page))
        if filled:
            result = merged
            info["llm_used"] = True
            info["llm_fields"] = filled
        elif not fields:
            warnings.append("LLM output was not a usable JSON object; layout result kept")
        else:
            warnings.append("LLM output added nothing the poster does not already print; layout result kept")
    except loader.ModelUnavailable as exc:
        warnings.append(f"LLM enrichment skipped, the JSON model is unavailable ({exc}); layout result kept")
    except Exception as exc:  # OOM, CUDA errors, tokenizer surprises: never a reason to fail the job
        _free_cuda_memory()
        warnings.append(f"LLM enrichment failed ({type(exc).__name__}: {str(exc)[:200]}); layout result kept")
    info["llm_seconds"] = round(time.perf_counter() - started, 3)
    info["warnings"] = warnings
    return result, info


def _remember(load_seconds: float, new_tokens: int, seconds: float) -> None:
    with _last_lock:
        _last.update(
            load_seconds=load_seconds,
            new_tokens=new_tokens,
            generate_seconds=round(seconds, 3),
            tokens_per_second=round(new_tokens / seconds, 2) if seconds > 0 else None,
        )


def _free_cuda_memory() -> None:
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except Exception:
        pass


def benchmark_info() -> dict[str, Any]:
    """Load time of this process's model and throughput of its last generation, for `posterx bench`."""
    runtime, _ = loader.state()
    with _last_lock:
        info = {"load_seconds": None, "tokens_per_second": None, **_last}
    if runtime is not None:
        info["load_seconds"] = runtime.load_seconds
        info["device"] = runtime.device
        info["dtype"] = runtime.dtype
    return info


def _gpu() -> str:
    global _gpu_name
    if _gpu_name is None:
        _gpu_name = "none"
        if loader.cuda_available():
            try:
                import torch

                _gpu_name = torch.cuda.get_device_name(0)
            except Exception:
                _gpu_name = "unknown"
    return _gpu_name


def status() -> dict[str, str]:
    """cuda / gpu / json_model for the worker heartbeat; never loads the model."""
    runtime, error = loader.state()
    try:
        path = loader.resolve(loader.config())
    except loader.ModelUnavailable as exc:
        path, error = None, error or str(exc)
    if runtime is not None:
        model = "ok"
    elif error is not None:
        model = f"error: {error}"
    else:
        model = "not configured" if path is None else "configured (not loaded)"
    cuda = loader.cuda_available()
    return {
        "cuda": "available" if cuda else "unavailable",
        "gpu": _gpu() if cuda else "none",
        "json_model": model,
    }
