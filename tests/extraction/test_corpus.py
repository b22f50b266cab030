"""The dev corpus gate: no dev poster that passes the corpus README's metrics may stop passing.

`corpus_baseline.json` lists the posters that pass today and the mean floors; it is raised as
quality improves and never lowered to make a change land. (It names corpus IDs only to gate
regressions: the extraction rules themselves never key on a file's name, ID or text.)
Runs whenever ../shared exists (CI always has it); elsewhere it is skipped and says why.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.support import REPO

CORPUS = Path(os.environ.get("POSTERX_CORPUS", REPO.parent / "shared" / "corpus" / "dev"))

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(
        not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}; the evaluation is skipped"
    ),
]


OUTPUTS: dict[str, dict] = {}


@pytest.fixture(scope="module")
def rows():
    from extraction.evaluate import run, table

    result = run(CORPUS, outputs=OUTPUTS)
    print("\n" + table(result))
    return result


BASELINE = json.loads((Path(__file__).with_name("corpus_baseline.json")).read_text())


def test_no_passing_dev_poster_stops_passing(rows):
    assert len(rows) >= 12
    passing = {r["id"] for r in rows if r["pass"]}
    lost = sorted(set(BASELINE["passing"]) - passing)
    detail = {r["id"]: {k: round(v, 3) for k, v in r.items() if isinstance(v, float)} for r in rows
              if r["id"] in lost}  # fmt: skip
    assert not lost, f"dev posters no longer passing: {detail}"


def test_means_do_not_regress(rows):
    from statistics import mean

    ok = [r for r in rows if "error" not in r]
    for metric, floor in BASELINE["mean_floors"].items():
        assert mean(r[metric] for r in ok) >= floor, metric


def test_every_output_passes_the_editors_rules(rows):
    """What the service would store for each dev poster is accepted by the frontend's editor
    (tests/editor_rules.py, written from CONTRACT.md): nothing the uploader must delete."""
    from app.mapping import poster_fields, to_columns
    from tests.editor_rules import editor_missing, editor_problems

    assert len(OUTPUTS) == len([r for r in rows if "error" not in r]) >= 12
    problems, missing = {}, {}
    for case_id, doc in sorted(OUTPUTS.items()):
        columns = to_columns(doc)
        if found := editor_problems(columns):
            problems[case_id] = found
        missing[case_id] = editor_missing(columns, {"title": "", "description": ""} | poster_fields(doc))
        assert not any("@" in n.get("nameIdentifier", "") for c in columns.get("creators", [])
                       for n in c.get("nameIdentifiers", [])), case_id  # fmt: skip
    print("\nthe editor will ask for:", {k: v for k, v in missing.items() if v})
    assert not problems, problems
