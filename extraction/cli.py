"""`python -m extraction` / `posterx extract|evaluate|bench`: the extraction commands.

The service CLI (`app.cli`) mounts these same subcommands next to its own, so the worker and
the command line run exactly one code path.

This module is the only one under `extraction/` that reads environment variables: the library
takes an explicit `ExtractOptions`, and the commands build it here from their flags, with the
environment (the variables the service documents, e.g. `JSON_MODEL_PATH`) as defaults for
compatibility. `tests/extraction/test_options.py` holds the rest of the package to that.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping

from extraction.options import ExtractOptions, parse_flag

# Environment variable → ExtractOptions field, and how its text is read. The service reads the
# same names in app/settings.py (`Settings.extract_options()`); a test checks the two agree.
# The engine is not among them: the commands take it from `--engine` (default `layout`), while
# EXTRACTION_ENGINE chooses the service's.
ENV_OPTIONS: dict[str, tuple[str, type]] = {
    "MAX_FILE_MB": ("max_file_mb", float),
    "PDFALTO_PATH": ("pdfalto_path", str),
    "SOFFICE_PATH": ("soffice_path", str),
    "JSON_MODEL_ID": ("model_id", str),
    "JSON_MODEL_PATH": ("model_path", str),
    "JSON_MODEL_GGUF_FILE": ("model_gguf_file", str),
    "JSON_MODEL_QUANT": ("model_quant", str),
    "LLM_CONSTRAINED": ("llm_constrained", bool),
    "LLM_MAX_NEW_TOKENS": ("llm_max_new_tokens", int),
    "LLM_TIMEOUT_SECONDS": ("llm_timeout_seconds", float),
    "LLM_PROMPT_CHARS": ("llm_prompt_chars", int),
}


class OptionsError(ValueError):
    """An environment variable or flag holds a value the options refuse; the message names it."""


def options_from_env(environ: Mapping[str, str] | None = None, **flags: object) -> ExtractOptions:
    """`ExtractOptions` from the environment (the one place the extraction package reads it), then
    the command's flags on top (a flag given on the command line wins over the variable).

    An empty variable means "not set". A malformed one is an `OptionsError` naming it.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for name, (field, kind) in ENV_OPTIONS.items():
        raw = environ.get(name, "")
        if not raw.strip():
            continue
        if kind is bool:
            values[field] = parse_flag(raw)
            continue
        try:
            values[field] = kind(raw.strip())
        except ValueError as exc:
            raise OptionsError(f"{name} must be a number, got {raw!r}") from exc
    values.update({k: v for k, v in flags.items() if v is not None})
    try:
        return ExtractOptions(**values)
    except ValueError as exc:
        raise OptionsError(_env_name(str(exc))) from exc


def _env_name(message: str) -> str:
    """`extraction option llm_max_new_tokens must …` → `LLM_MAX_NEW_TOKENS must …` for a person
    who set the variable."""
    for name, (field, _) in ENV_OPTIONS.items():
        message = message.replace(f"extraction option {field} ", f"{name} ")
    return message


def command_options(args: argparse.Namespace, command: str) -> ExtractOptions | None:
    """The options for a command's run, or None after one stderr line when they are malformed."""
    try:
        return options_from_env(engine=getattr(args, "engine", None))
    except OptionsError as exc:
        print(f"posterx {command}: {exc}", file=sys.stderr)
        return None


def pin_cores(cores: int) -> None:
    """`posterx bench --cores N`: run this process on N cores.

    `OMP_NUM_THREADS` is a process-level setting, not an extraction option: the OpenMP runtime
    (torch, numpy's BLAS) reads it once when it is first loaded, so it must be set before those
    are imported, which the extraction does lazily on the first poster. It is therefore set here,
    in the command, and only when the caller has not set it already.
    """
    os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:cores]))
    os.environ.setdefault("OMP_NUM_THREADS", str(cores))


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register extract, evaluate and bench on a parent parser's subparsers."""
    from extraction import bench, evaluate, run_cli

    run_cli.add_parser(sub)
    evaluate.add_parser(sub)
    bench.add_parser(sub)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="posterx", description="Extract poster metadata (poster-json v0.2)."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
