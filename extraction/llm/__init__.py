"""LLM enrichment for the `hybrid` engine: the abstractive fields layout reading cannot derive.

The layout result is always complete on its own; this step only adds subjects (when none are
printed), a summary (when there is no abstract) and researchField. Any failure here (no
model, load error, out of memory, timeout, unusable JSON) returns the layout result unchanged
with a warning: a job never fails because of the LLM.

Nothing heavy happens at import: torch and transformers are imported and the model loaded on
the first `enrich()` or `warm_up()` in the process that will use it (after the worker forks).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from extraction.llm import answer, generate, loader, merge, parse
from extraction.model import Page
from extraction.options import ExtractOptions

_last: dict[str, Any] = {}
_last_lock = threading.Lock()
_gpu_name: str | None = None


def gpu_ready(options: ExtractOptions) -> bool:
    """A CUDA GPU and a locally resolvable model: cheap, loads nothing (used by engine `auto`)."""
    try:
        if loader.resolve(loader.config(options)) is None:
            return False
    except loader.ModelUnavailable:
        return False
    _, error = loader.state(options)
    return error is None and loader.cuda_available()


def warm_up(options: ExtractOptions) -> None:
    """Load the model in a fresh worker process when its engine (`options.engine`) will use it.

    `hybrid` always loads; `auto` loads only when a GPU is present, because an 8B model in
    float32 on a CPU would take the whole machine and `auto` would not use it anyway.
    """
    if options.engine == "hybrid" or (options.engine == "auto" and gpu_ready(options)):
        loader.get(options)


def json_quality(text: str, fields: dict[str, Any]) -> str:
    """`valid`: the answer as written is a JSON object matching `answer.SCHEMA`; `repaired`: the lenient
    parser had to mend it but recovered fields; `unusable`: nothing could be used."""
    if answer.strict(text) is not None:
        return "valid"
    return "repaired" if fields else "unusable"


def enrich(doc: dict[str, Any], page: Page, options: ExtractOptions) -> tuple[dict[str, Any], dict[str, Any]]:
    """(doc with LLM fields merged, info for `_extraction`); on any failure the doc comes back as given.

    Besides what was filled, `_extraction` records how: the model's format (`model_format`),
    whether decoding was constrained, token counts and time, and `llm_json` (`json_quality`),
    which is what `posterx bench` counts.
    """
    cfg = loader.config(options)
    info: dict[str, Any] = {"engine": "hybrid", "model": cfg.label, "llm_used": False, "new_tokens": 0}
    warnings: list[str] = []
    started = time.perf_counter()
    result = doc
    try:
        runtime = loader.get(options)
        info["model_format"] = runtime.format
        warnings.extend(runtime.notes)
        output = generate.run(runtime, doc, options)
        warnings.extend(output.notes)
        info.update(
            constrained=output.constrained,
            prompt_tokens=output.prompt_tokens,
            new_tokens=output.new_tokens,
            generate_seconds=round(output.seconds, 3),
        )
        if output.first_token_seconds is not None:
            info["first_token_seconds"] = round(output.first_token_seconds, 3)
        _remember(runtime.load_seconds, output.new_tokens, output.seconds, output.decode_tokens_per_second)
        fields = parse.parse(output.text)
        info["llm_json"] = json_quality(output.text, fields)
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


def _remember(load_seconds: float, new_tokens: int, seconds: float, decode: float | None = None) -> None:
    with _last_lock:
        _last.update(
            load_seconds=load_seconds,
            new_tokens=new_tokens,
            generate_seconds=round(seconds, 3),
            tokens_per_second=round(new_tokens / seconds, 2) if seconds > 0 else None,
            decode_tokens_per_second=round(decode, 2) if decode else None,
        )


def _free_cuda_memory() -> None:
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except Exception:
        pass


def benchmark_info(options: ExtractOptions) -> dict[str, Any]:
    """Load time of this process's model and throughput of its last generation, for `posterx bench`."""
    runtime, _ = loader.state(options)
    with _last_lock:
        info = {"load_seconds": None, "tokens_per_second": None, **_last}
    if runtime is not None:
        info["load_seconds"] = runtime.load_seconds
        info["device"] = runtime.device
        info["dtype"] = runtime.dtype
        info["format"] = runtime.format
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


def status(options: ExtractOptions) -> dict[str, str]:
    """cuda / gpu / json_model of the model `options` name, for the worker heartbeat; never loads it.

    `json_model` is `ok (<format>)` once loaded, e.g. `ok (gguf SmolLM2-135M-Instruct.Q4_1.gguf)` or
    `ok (safetensors, 4bit)`, so an operator sees what the worker actually runs.
    """
    runtime, error = loader.state(options)
    try:
        source = loader.resolve(loader.config(options))
    except loader.ModelUnavailable as exc:
        source, error = None, error or str(exc)
    if runtime is not None:
        model = f"ok ({runtime.format}, {runtime.dtype})"
    elif error is not None:
        model = f"error: {error}"
    else:
        model = "not configured" if source is None else f"configured (not loaded, {source.describe})"
    cuda = loader.cuda_available()
    return {
        "cuda": "available" if cuda else "unavailable",
        "gpu": _gpu() if cuda else "none",
        "json_model": model,
    }
