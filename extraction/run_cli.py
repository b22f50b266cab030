"""`posterx extract FILE... [-o DIR | -o -] [--engine ...]`.

Batch-friendly by design: a bad input costs one line on stderr and the batch goes on; the exit
code tells a script what happened (0 all succeeded, 1 some failed, 2 usage error). The JSON
written is exactly what the worker gets from `extract()`, `_extraction` included.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from extraction.errors import ExtractionError

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("extract", help="extract poster-json from PDF or image files")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument(
        "-o", "--output", default=".", metavar="DIR",
        help="directory for <stem>.json files (created if missing), or '-' for JSON on stdout",
    )  # fmt: skip
    p.add_argument("--engine", default="layout", choices=("layout", "hybrid", "auto"))
    p.add_argument("--compact", action="store_true", help="one-line JSON")
    p.set_defaults(func=run)


def _targets(files: list[Path], out_dir: Path | None) -> dict[Path, Path | None]:
    """Output path per input; inputs sharing a stem get `-2`, `-3` so nothing is overwritten."""
    seen: dict[str, int] = {}
    targets: dict[Path, Path | None] = {}
    for f in files:
        if out_dir is None:
            targets[f] = None
            continue
        n = seen[f.stem] = seen.get(f.stem, 0) + 1
        targets[f] = out_dir / (f"{f.stem}.json" if n == 1 else f"{f.stem}-{n}.json")
    return targets


def run(args: argparse.Namespace) -> int:
    from extraction import extract
    from extraction.cli import command_options

    options = command_options(args, "extract")
    if options is None:
        return EXIT_USAGE
    to_stdout = args.output == "-"
    out_dir = None if to_stdout else Path(args.output)
    if out_dir is not None:
        if out_dir.exists() and not out_dir.is_dir():
            print(f"posterx extract: -o {out_dir}: not a directory", file=sys.stderr)
            return EXIT_USAGE
        out_dir.mkdir(parents=True, exist_ok=True)
    files = list(args.files)
    bar = None
    if len(files) > 1 and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=len(files), unit="poster", file=sys.stderr)
    failed = 0
    indent = None if args.compact else 2
    for f, target in _targets(files, out_dir).items():
        try:
            if not f.is_file():
                raise ExtractionError(f"no such file: {f}" if not f.exists() else f"not a file: {f}")
            doc = extract(f, options)
            text = json.dumps(doc, ensure_ascii=False, indent=indent)
            if target is None:
                sys.stdout.write(text + "\n")
                sys.stdout.flush()
            else:
                target.write_text(text + "\n", encoding="utf-8")
        except ExtractionError as exc:
            failed += 1
            _say(bar, f"posterx extract: {f}: {exc}")
        except Exception as exc:  # an engine bug must not sink the rest of the batch
            failed += 1
            _say(bar, f"posterx extract: {f}: internal error ({type(exc).__name__}: {exc})")
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return EXIT_OK if not failed else EXIT_SOME_FAILED


def _say(bar, line: str) -> None:
    if bar is not None:
        bar.write(line, file=sys.stderr)
    else:
        print(line, file=sys.stderr)
