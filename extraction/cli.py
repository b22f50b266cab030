"""`python -m extraction` / `posterx extract|evaluate|bench`: the extraction commands.

The service CLI (`app.cli`) mounts these same subcommands next to its own, so the worker and
the command line run exactly one code path.
"""

from __future__ import annotations

import argparse
import sys


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
