"""Find and load the JSON model: local files only, once per process.

The model is never fetched at request time: a worker that would download 16 GB on its first
job is worse than one that says "not configured". So the model comes either from
`ExtractOptions.model_path` (`JSON_MODEL_PATH`) or from the Hugging Face cache entry for
`model_id` (`JSON_MODEL_ID`), always with `local_files_only=True`, which also honours
`HF_HUB_OFFLINE` trivially. Messages name the environment variables, because that is how
operators set these options (in the service and in the CLI).

Two on-disk formats are loaded, and the loader reports which (health check, `_extraction`):
- a transformers directory (`config.json` beside safetensors or `.bin` weights);
- a GGUF file, the format llama.cpp publishes most instruct models in. transformers reads its
  weights, config and tokenizer (chat template included) through the `gguf` package and
  dequantises them at load time, so the model then runs like any other: same generation,
  same constraints. GGUF is recognised by its magic bytes, not its name, because Compose
  mounts the file at a fixed path without the suffix.

torch and transformers are imported inside functions: `import extraction` must stay fast
for the API and the CLI, which never load a model.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extraction.options import ExtractOptions

GGUF_MAGIC = b"GGUF"


class ModelUnavailable(RuntimeError):
    """The configured model cannot be used; the message is shown to operators."""


@dataclass(frozen=True)
class Config:
    model_id: str
    model_path: str
    quant: str
    gguf_file: str = ""

    @property
    def label(self) -> str:
        """What `_extraction.model` records: the path when one is configured, else the hub id."""
        return self.model_path or self.model_id

    @property
    def key(self) -> tuple[str, ...]:
        """What identifies one loaded model: a change of any of these loads another."""
        return (self.model_id, self.model_path, self.quant, self.gguf_file)


def config(options: ExtractOptions) -> Config:
    """The model part of the options: what identifies one loaded model."""
    return Config(
        model_id=options.model_id,
        model_path=options.model_path,
        quant=options.model_quant,
        gguf_file=options.model_gguf_file,
    )


@dataclass(frozen=True)
class Source:
    """Where the weights are and in which format: `directory` plus, for GGUF, the file in it."""

    directory: Path
    format: str  # "gguf", "safetensors" or "bin"
    gguf_file: str | None = None

    @property
    def describe(self) -> str:
        """Format and file for operators: `gguf SmolLM2-135M-Instruct.Q4_1.gguf`, or `safetensors`."""
        return f"gguf {self.gguf_file}" if self.gguf_file else self.format


def cached_file(model_id: str, filename: str = "config.json") -> Path | None:
    """A file of the model in the local Hugging Face cache, or None; never touches the network."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return None
    try:
        found = try_to_load_from_cache(model_id, filename)
    except Exception:
        return None
    return Path(found) if isinstance(found, str) else None


def is_gguf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(4) == GGUF_MAGIC
    except OSError:
        return False


def _weights_format(directory: Path) -> str:
    return "safetensors" if any(directory.glob("*.safetensors")) else "bin"


def _gguf_in(directory: Path, cfg: Config) -> Source:
    """The GGUF file named by JSON_MODEL_GGUF_FILE in `directory`, or its only `.gguf` file."""
    if cfg.gguf_file:
        path = directory / cfg.gguf_file
        if not path.is_file():
            raise ModelUnavailable(f"JSON_MODEL_GGUF_FILE {cfg.gguf_file} is not in {directory}")
        if not is_gguf(path):
            raise ModelUnavailable(f"JSON_MODEL_GGUF_FILE {path} is not a GGUF file")
        return Source(directory, "gguf", path.name)
    found = sorted(p.name for p in directory.glob("*.gguf") if p.is_file())
    if len(found) == 1:
        return Source(directory, "gguf", found[0])
    if found:
        raise ModelUnavailable(
            f"JSON_MODEL_PATH {directory} holds several GGUF files ({', '.join(found[:5])}); "
            "name one in JSON_MODEL_GGUF_FILE"
        )
    raise ModelUnavailable(f"JSON_MODEL_PATH {directory} has no config.json and no .gguf file")


def resolve(cfg: Config) -> Source | None:
    """What to load, None when nothing is configured; raises when the configured path is wrong.

    Cheap (a few stat calls and a 4-byte read), so the health check and engine `auto` call it freely.
    """
    if cfg.model_path:
        path = Path(cfg.model_path).expanduser()
        if path.is_file():
            if not is_gguf(path):
                raise ModelUnavailable(
                    f"JSON_MODEL_PATH {cfg.model_path} is a file but not a GGUF model; "
                    "point it at a GGUF file or a model directory"
                )
            return Source(path.parent, "gguf", path.name)
        if not path.is_dir():
            raise ModelUnavailable(f"JSON_MODEL_PATH {cfg.model_path} does not exist")
        if cfg.gguf_file or not (path / "config.json").is_file():
            return _gguf_in(path, cfg)
        return Source(path, _weights_format(path))
    if cfg.gguf_file:  # a GGUF repository in the HF cache (one repo usually holds several quantisations)
        found = cached_file(cfg.model_id, cfg.gguf_file)
        return Source(found.parent, "gguf", found.name) if found else None
    found = cached_file(cfg.model_id)
    return Source(found.parent, _weights_format(found.parent)) if found else None


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
    format: str = "safetensors"
    notes: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    cache: dict[str, Any] = field(default_factory=dict)  # per-model helpers built once (grammar tokenizer)


_lock = threading.Lock()
_runtime: Runtime | None = None
_error: str | None = None
_key: tuple[str, ...] | None = None


@dataclass
class LoadPlan:
    """The keyword arguments for `from_pretrained` and what they mean, decided before anything loads."""

    kwargs: dict[str, Any]
    device: str
    dtype: str
    notes: list[str]


def plan(source: Source, cfg: Config, cuda: bool) -> LoadPlan:
    """Device, dtype and quantisation for this host; separate from loading so it is testable anywhere.

    4-bit needs CUDA (bitsandbytes' NF4 kernels) and a transformers-format model: a GGUF file is
    already quantised on disk and transformers refuses to re-quantise it, so it loads dequantised.
    """
    import torch

    notes: list[str] = []
    kwargs: dict[str, Any] = {"local_files_only": True, "trust_remote_code": False}
    if source.gguf_file:
        from transformers import GgufConfig

        kwargs["gguf_file"] = source.gguf_file
        # Dequantise explicitly: the packed-kernel path would fetch kernels from the Hub at load time.
        kwargs["quantization_config"] = GgufConfig(dequantize=True)
    if cuda:
        device, dtype = "cuda", "bfloat16"
        kwargs.update(dtype=torch.bfloat16, device_map={"": 0})
    else:
        device, dtype = "cpu", "float32"
        kwargs["dtype"] = torch.float32
    if cfg.quant == "4bit":
        if not cuda:
            notes.append(f"JSON_MODEL_QUANT=4bit needs a CUDA GPU; loaded in {dtype} on the CPU")
        elif source.gguf_file:
            notes.append(
                "JSON_MODEL_QUANT=4bit does not apply to a GGUF model; loaded it dequantised in bf16"
            )
        else:
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
    elif cfg.quant:
        notes.append(f"JSON_MODEL_QUANT={cfg.quant} is not a known value (use 4bit); ignored")
    return LoadPlan(kwargs=kwargs, device=device, dtype=dtype, notes=notes)


def _load(source: Source, cfg: Config) -> Runtime:
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # per-shard (and per-GGUF-tensor) progress bars would flood the log
    started = time.perf_counter()
    how = plan(source, cfg, cuda_available())
    tok_kwargs: dict[str, Any] = {"local_files_only": True}
    if source.gguf_file:
        tok_kwargs["gguf_file"] = source.gguf_file
    tokenizer = AutoTokenizer.from_pretrained(str(source.directory), **tok_kwargs)
    model = AutoModelForCausalLM.from_pretrained(str(source.directory), **how.kwargs)
    model.eval()
    return Runtime(
        model=model,
        tokenizer=tokenizer,
        device=how.device,
        dtype=how.dtype,
        label=cfg.label,
        load_seconds=round(time.perf_counter() - started, 3),
        format=source.describe,
        notes=how.notes,
    )


def get(options: ExtractOptions) -> Runtime:
    """The process's model, loaded on first use; a failed load is remembered, not retried per job.

    Retrying a load that failed (missing weights, out of memory) on every poster would make each
    job pay the failure's cost; operators fix the configuration and restart the worker instead.
    Options naming another model replace the loaded one (one model per process).
    """
    global _runtime, _error, _key
    cfg = config(options)
    key = cfg.key
    with _lock:
        if _key != key:
            _runtime, _error, _key = None, None, key
        if _runtime is not None:
            return _runtime
        if _error is not None:
            raise ModelUnavailable(_error)
        source = resolve(cfg)  # cheap, so a wrong or missing path is re-checked on every call
        if source is None:
            raise ModelUnavailable(
                f"JSON model not configured: set JSON_MODEL_PATH or put {cfg.model_id} in the HF cache"
            )
        try:
            _runtime = _load(source, cfg)
        except Exception as exc:  # load errors of any kind (OOM, bad weights) are reported, not raised on
            _error = f"{type(exc).__name__}: {exc}"[:300]
            raise ModelUnavailable(_error) from exc
        return _runtime


def state(options: ExtractOptions) -> tuple[Runtime | None, str | None]:
    """What has happened so far in this process for the model `options` name, for `status()`;
    loads nothing."""
    cfg = config(options)
    with _lock:
        if _key != cfg.key:
            return None, None
        return _runtime, _error


def reset() -> None:
    """Forget the loaded model (tests, and freeing memory in a long-lived process)."""
    global _runtime, _error, _key
    with _lock:
        _runtime, _error, _key = None, None, None
