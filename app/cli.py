"""The `posterx` console script: extraction commands plus the service's own (db, jobs, submit)."""

from __future__ import annotations

import argparse
import sys

from extraction.cli import add_commands as add_extraction_commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="posterx", description="posterx: scientific posters to metadata.")
    sub = parser.add_subparsers(dest="command", required=True)
    add_extraction_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
