"""Find and load the JSON model: local files only, once per process.

The model is never fetched at request time: a worker that would download 16 GB on its first
job is worse than one that says "not configured". So the model comes either from
`JSON_MODEL_PATH` (a directory) or from the Hugging Face cache entry for `JSON_MODEL_ID`,
always with `local_files_only=True`, which also honours `HF_HUB_OFFLINE` trivially.

torch and transformers are imported inside functions: `import extraction` must stay fast
for the API and the CLI, which never load a model.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_MODEL_ID = "fairdataihub/Llama-3.1-8B-Poster-Extraction"


class ModelUnavailable(RuntimeError):
    """The configured model cannot be used; the message is shown to operators."""


@dataclass(frozen=True)
class Config:
    model_id: str
    model_path: str
    quant: str

    @property
    def label(self) -> str:
        """What `_extraction.model` records: the directory when one is configured, else the hub id."""
        return self.model_path or self.model_id


def config() -> Config:
    """Read the environment on every call so tests (and operators' restarts) see changes."""
    return Config(
        model_id=os.environ.get("JSON_MODEL_ID", "").strip() or DEFAULT_MODEL_ID,
        model_path=os.environ.get("JSON_MODEL_PATH", "").strip(),
        quant=os.environ.get("JSON_MODEL_QUANT", "").strip().lower(),
    )


def cached_snapshot(model_id: str) -> Path | None:
    """Directory of the model in the local Hugging Face cache, or None; never touches the network."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return None
    try:
        found = try_to_load_from_cache(model_id, "config.json")
    except Exception:
        return None
    return Path(found).parent if isinstance(found, str) else None


def resolve(cfg: Config) -> Path | None:
    """Local directory to load from, None when nothing is configured; raises when the path is wrong."""
    if cfg.model_path:
        path = Path(cfg.model_path).expanduser()
        if not (path / "config.json").is_file():
            raise ModelUnavailable(f"JSON_MODEL_PATH {cfg.model_path} has no config.json")
        return path
    return cached_snapshot(cfg.model_id)


def cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    try:
        return bool(torch.cuda.is_available())
    except Exception:
        return False


@dataclass
class Runtime:
    """A loaded model with what the generation step needs to know about it."""

    model: Any
    tokenizer: Any
    device: str
    dtype: str
    label: str
    load_seconds: float
    notes: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


_lock = threading.Lock()
_runtime: Runtime | None = None
_error: str | None = None
_key: tuple[str, str, str] | None = None


def _load(path: Path, cfg: Config) -> Runtime:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # per-shard progress bars would flood the worker log
    started = time.perf_counter()
    notes: list[str] = []
    kwargs: dict[str, Any] = {"local_files_only": True, "trust_remote_code": False}
    if cuda_available():
        device, dtype = "cuda", "bfloat16"
        kwargs.update(dtype=torch.bfloat16, device_map={"": 0})
        if cfg.quant == "4bit":
            try:
                import bitsandbytes  # noqa: F401
                from transformers import BitsAndBytesConfig
            except ImportError:
                notes.append(
                    "JSON_MODEL_QUANT=4bit needs bitsandbytes, which is not installed; loaded in bf16"
                )
            else:
                kwargs["quantization_config"] = BitsAndBytesConfig(
                    load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.bfloat16
                )
                dtype = "4bit"
    else:
        device, dtype = "cpu", "float32"
        kwargs["dtype"] = torch.float32
    tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(str(path), **kwargs)
    model.eval()
    return Runtime(
        model=model,
        tokenizer=tokenizer,
        device=device,
        dtype=dtype,
        label=cfg.label,
        load_seconds=round(time.perf_counter() - started, 3),
        notes=notes,
    )


def get() -> Runtime:
    """The process's model, loaded on first use; a failed load is remembered, not retried per job.

    Retrying a load that failed (missing weights, out of memory) on every poster would make each
    job pay the failure's cost; operators fix the configuration and restart the worker instead.
    """
    global _runtime, _error, _key
    cfg = config()
    key = (cfg.model_id, cfg.model_path, cfg.quant)
    with _lock:
        if _key != key:
            _runtime, _error, _key = None, None, key
        if _runtime is not None:
            return _runtime
        if _error is not None:
            raise ModelUnavailable(_error)
        path = resolve(cfg)  # cheap, so a wrong or missing path is re-checked on every call
        if path is None:
            raise ModelUnavailable(
                f"JSON model not configured: set JSON_MODEL_PATH or put {cfg.model_id} in the HF cache"
            )
        try:
            _runtime = _load(path, cfg)
        except Exception as exc:  # load errors of any kind (OOM, bad weights) are reported, not raised on
            _error = f"{type(exc).__name__}: {exc}"[:300]
            raise ModelUnavailable(_error) from exc
        return _runtime


def state() -> tuple[Runtime | None, str | None]:
    """What has happened so far in this process, for `status()`; loads nothing."""
    cfg = config()
    with _lock:
        if _key != (cfg.model_id, cfg.model_path, cfg.quant):
            return None, None
        return _runtime, _error


def reset() -> None:
    """Forget the loaded model (tests, and freeing memory in a long-lived process)."""
    global _runtime, _error, _key
    with _lock:
        _runtime, _error, _key = None, None, None
