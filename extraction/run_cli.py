"""posterx subcommand module (placeholder)."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("extract", help="(not written yet)")
    p.set_defaults(func=lambda args: 2)
