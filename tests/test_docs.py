"""The README stays true: every variable the code reads is in its configuration table."""

from __future__ import annotations

import dataclasses
import re

from app.settings import Settings
from tests.support import REPO

TEST_ONLY = {"POSTERX_FAULT_SLEEP_SECONDS", "POSTERX_FAULT_KILL_ON", "POSTERX_TEST_PG", "POSTERX_CORPUS",
             "POSTERX_LOAD_JOBS"}  # fmt: skip


def readme_variables() -> set[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    table = text[text.index("## Configuration") : text.index("## HTTP API")]
    return set(re.findall(r"`([A-Z][A-Z0-9_]{2,})`", table))


def code_variables() -> set[str]:
    names = {f.name.upper() for f in dataclasses.fields(Settings)}
    pattern = re.compile(
        r"""(?:environ(?:\.get)?\(|environ\[|getenv\(|_env_number\(|_num\(env,\s*)["']([A-Z][A-Z0-9_]+)["']"""
    )
    for folder in ("app", "tasks", "extraction"):
        for path in (REPO / folder).rglob("*.py"):
            names |= set(pattern.findall(path.read_text(encoding="utf-8")))
    names |= set(pattern.findall((REPO / "celeryconfig.py").read_text(encoding="utf-8")))
    from extraction.cli import ENV_OPTIONS  # what the extraction commands read into ExtractOptions

    names |= set(ENV_OPTIONS)
    return names - TEST_ONLY


def test_every_variable_is_documented():
    missing = code_variables() - readme_variables()
    assert not missing, f"add these to the README's configuration table: {sorted(missing)}"


def test_required_variables_are_marked_required():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    for name in ("DATABASE_URL", "BUNNY_STORAGE_ZONE", "BUNNY_ACCESS_KEY"):
        assert re.search(rf"\| `{name}` \| \*\*required\*\*", text), name
