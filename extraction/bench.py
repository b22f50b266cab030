"""`posterx bench DIR`: speed and memory of extraction, as medians over warm runs.

A benchmark rather than a timed test: timings depend on the machine, so they are measured and
reported, never asserted. Each poster is extracted once to warm caches (and, for images, the
OCR model), then `--repeat` times; the median is reported beside the median of bare pdfalto on
the same file, because pdfalto's own cost is the floor a layout engine cannot go under.
PowerPoint files are timed like PDFs (`--repeat`); they have no pdfalto floor.

`--engine hybrid` measures the LLM step instead (`run_hybrid`): the model's load time, then
each poster once per decoding mode (`--constrained both` by default: with the schema mask and
without, switched through `ExtractOptions.llm_constrained`), reporting seconds per poster, tokens per second and the share of answers that were
schema-valid JSON as written, or at least usable after the lenient parser's repair.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from extraction.errors import ExtractionError
from extraction.evaluate import POSTER_SUFFIXES
from extraction.options import ExtractOptions


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="median seconds per poster, pdfalto ratio and peak memory")
    p.add_argument("dir", type=Path, metavar="DIR", help="folder searched recursively for posters")
    p.add_argument("--engine", default="layout", choices=("layout", "hybrid", "auto"))
    p.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="timed runs per PDF or PPTX after one warm-up (default 5; hybrid: 1, greedy output is the same each run)",
    )
    p.add_argument(
        "--constrained",
        default="both",
        choices=("on", "off", "both"),
        help="hybrid: decode with the schema mask, without it, or both (default)",
    )
    p.add_argument("--image-repeat", type=int, default=1, help="timed runs per image (OCR is slow)")
    p.add_argument("--cores", type=int, default=0, help="pin the process to this many cores (0: no pinning)")
    p.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    p.set_defaults(func=run)


def posters(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in POSTER_SUFFIXES)


def _pdfalto_seconds(pdf: Path, options: ExtractOptions) -> float:
    from extraction.backends.pdf import pdfalto_command

    with tempfile.TemporaryDirectory(prefix="posterx-bench-") as tmp:
        started = time.perf_counter()
        cmd = pdfalto_command(pdf, Path(tmp) / "p.xml", options.pdfalto_path)
        subprocess.run(cmd, capture_output=True, check=False)
        return time.perf_counter() - started


def _peak_rss_mb() -> float:
    """Peak resident memory of this process and of its (finished) children, e.g. pdfalto."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024  # Linux reports KiB


def measure(path: Path, options: ExtractOptions, repeat: int) -> dict[str, Any]:
    from extraction import extract

    suffix = path.suffix.lower()
    is_pdf = suffix == ".pdf"
    kind = "pdf" if is_pdf else "pptx" if suffix == ".pptx" else "image"
    extract(path, options)  # warm-up: imports, caches, OCR model
    runs = []
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        extract(path, options)
        runs.append(time.perf_counter() - started)
    row: dict[str, Any] = {"poster": path.name, "kind": kind,
                           "median_s": statistics.median(runs), "runs": len(runs)}  # fmt: skip
    if is_pdf:
        alto = statistics.median(_pdfalto_seconds(path, options) for _ in range(max(1, repeat)))
        row.update(pdfalto_s=alto, ratio=row["median_s"] / alto if alto else None)
    return row


def run(args: argparse.Namespace) -> int:
    from extraction.cli import command_options, pin_cores

    if not args.dir.is_dir():
        print(f"posterx bench: {args.dir}: not a directory", file=sys.stderr)
        return 2
    options = command_options(args, "bench")
    if options is None:
        return 2
    if args.cores:
        pin_cores(args.cores)
    files = posters(args.dir)
    if not files:
        print(f"posterx bench: no posters under {args.dir}", file=sys.stderr)
        return 2
    if args.engine == "hybrid":
        return run_hybrid(args, files, options)
    if args.repeat is None:
        args.repeat = 5
    rows = []
    print(f"{'poster':<34} {'kind':<6} {'median s':>9} {'pdfalto s':>10} {'ratio':>6}")
    for f in files:
        repeat = args.repeat if f.suffix.lower() in (".pdf", ".pptx") else args.image_repeat
        try:
            row = measure(f, options, repeat)
        except ExtractionError as exc:
            print(f"{f.name[:34]:<34} ERROR: {exc}")
            continue
        rows.append(row)
        alto = (
            f"{row['pdfalto_s']:>10.3f} {row['ratio']:>6.1f}" if "pdfalto_s" in row else f"{'':>10} {'':>6}"
        )
        print(f"{f.name[:34]:<34} {row['kind']:<6} {row['median_s']:>9.3f} {alto}")
    summary = _summary(rows, args, options)
    for key, value in summary.items():
        print(f"{key}: {value}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "summary": summary}, indent=2), encoding="utf-8")
    return 0


def _summary(rows: list[dict[str, Any]], args: argparse.Namespace, options: ExtractOptions) -> dict[str, Any]:
    pdfs = [r for r in rows if r["kind"] == "pdf"]
    images = [r for r in rows if r["kind"] == "image"]
    decks = [r for r in rows if r["kind"] == "pptx"]
    out: dict[str, Any] = {
        "engine": args.engine,
        "cores": args.cores or len(os.sched_getaffinity(0)),
    }
    if pdfs:
        out["pdf median s/poster"] = round(statistics.median(r["median_s"] for r in pdfs), 3)
        out["pdfalto median s/poster"] = round(statistics.median(r["pdfalto_s"] for r in pdfs), 3)
        out["median ratio to pdfalto"] = round(statistics.median(r["ratio"] for r in pdfs), 2)
        out["max ratio to pdfalto"] = round(max(r["ratio"] for r in pdfs), 2)
    if decks:
        out["pptx median s/poster"] = round(statistics.median(r["median_s"] for r in decks), 3)
    if images:
        out["image median s/poster"] = round(statistics.median(r["median_s"] for r in images), 3)
    out["peak RSS MB"] = round(_peak_rss_mb(), 1)
    if args.engine != "layout":
        from extraction import llm

        info = llm.benchmark_info(options)
        for key in ("load_seconds", "tokens_per_second", "device"):
            if info.get(key) is not None:
                out[f"llm {key}"] = info[key]
    return out


# --- hybrid: the LLM step ------------------------------------------------------------------------


def _hybrid_row(path: Path, mode: str, options: ExtractOptions) -> dict[str, Any]:
    from extraction import extract

    started = time.perf_counter()
    doc = extract(path, options)
    seconds = time.perf_counter() - started
    meta = doc["_extraction"]
    new, gen = meta.get("new_tokens", 0), meta.get("generate_seconds") or 0
    first = meta.get("first_token_seconds")
    return {
        "poster": path.name,
        "mode": mode,
        "seconds": round(seconds, 3),
        "prompt_tokens": meta.get("prompt_tokens"),
        "new_tokens": new,
        "tokens_per_s": round(new / gen, 2) if gen else None,
        "decode_tokens_per_s": round((new - 1) / (gen - first), 2)
        if first and new > 1 and gen > first
        else None,
        "llm_json": meta.get("llm_json", "unusable"),
        "llm_used": bool(meta.get("llm_used")),
        "warnings": [w for w in meta.get("warnings", []) if "LLM" in w or "constrained" in w or "mask" in w],
    }


def _mode_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(rows)

    def share(pred: Any) -> str:
        k = sum(1 for r in rows if pred(r))
        return f"{k}/{n} ({100 * k / n:.0f}%)"

    def median(key: str) -> float | None:
        values = [r[key] for r in rows if r.get(key) is not None]
        return round(statistics.median(values), 2) if values else None

    return {
        "s/poster (median)": median("seconds"),
        "tokens/s (median, prompt reading included)": median("tokens_per_s"),
        "decode tokens/s (median)": median("decode_tokens_per_s"),
        "new tokens (median)": median("new_tokens"),
        "schema-valid JSON as written": share(lambda r: r["llm_json"] == "valid"),
        "usable JSON (valid or repaired)": share(lambda r: r["llm_json"] in ("valid", "repaired")),
        "llm_used": share(lambda r: r["llm_used"]),
    }


def run_hybrid(args: argparse.Namespace, files: list[Path], options: ExtractOptions) -> int:
    """Load the model once (timed), then one extraction per poster and decoding mode.

    The mode is switched through `ExtractOptions.llm_constrained`, the option the worker passes,
    so what is measured is exactly what a worker would run.
    """
    from extraction import llm
    from extraction.llm import loader

    options = options.replace(engine="hybrid")
    modes = {"on": ["constrained"], "off": ["unconstrained"], "both": ["constrained", "unconstrained"]}
    try:
        runtime = loader.get(options)
    except loader.ModelUnavailable as exc:
        print(f"posterx bench: the JSON model cannot be loaded: {exc}", file=sys.stderr)
        return 2
    repeat = max(1, args.repeat or 1)
    rows: list[dict[str, Any]] = []
    print(f"{'poster':<34} {'mode':<13} {'s':>7} {'prompt':>6} {'new':>4} {'tok/s':>6} {'dec/s':>6} json")
    for f in files:  # modes inside: an interrupted run still compares them on the same posters
        for mode in modes[args.constrained]:
            mode_options = options.replace(llm_constrained=mode == "constrained")
            for _ in range(repeat):
                try:
                    row = _hybrid_row(f, mode, mode_options)
                except ExtractionError as exc:
                    print(f"{f.name[:34]:<34} {mode:<13} ERROR: {exc}")
                    break
                rows.append(row)
                print(f"{f.name[:34]:<34} {mode:<13} {row['seconds']:>7.1f} {row['prompt_tokens'] or 0:>6} "
                      f"{row['new_tokens']:>4} {row['tokens_per_s'] or 0:>6.2f} "
                      f"{row['decode_tokens_per_s'] or 0:>6.2f} {row['llm_json']}", flush=True)  # fmt: skip
    info = llm.benchmark_info(options)
    summary: dict[str, Any] = {
        "engine": "hybrid",
        "model": runtime.label,
        "format": runtime.format,
        "device": f"{runtime.device} {runtime.dtype}",
        "cores": args.cores or len(os.sched_getaffinity(0)),
        "torch threads": _torch_threads(),
        "load average at end": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "llm load_seconds": info.get("load_seconds"),
        "posters": len(files),
    }
    for mode in modes[args.constrained]:
        for key, value in _mode_summary([r for r in rows if r["mode"] == mode]).items():
            summary[f"{mode}: {key}"] = value
    summary["peak RSS MB"] = round(_peak_rss_mb(), 1)
    for key, value in summary.items():
        print(f"{key}: {value}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "summary": summary}, indent=2), encoding="utf-8")
    return 0


def _torch_threads() -> int | None:
    try:
        import torch

        return torch.get_num_threads()
    except ImportError:
        return None
