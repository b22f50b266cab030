"""The `posterx` console script as a user runs it: real subprocesses, exit codes, files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.factories import PosterSpec

POSTERX = str(Path(sys.executable).parent / "posterx")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([POSTERX, *args], capture_output=True, text=True, timeout=300, cwd=cwd)


def test_extract_writes_one_json_per_input(tmp_path, poster):
    out = tmp_path / "out"
    res = run("extract", str(poster), "-o", str(out))
    assert res.returncode == 0, res.stderr
    doc = json.loads((out / "poster.json").read_text())
    assert doc["titles"][0]["title"] == PosterSpec().title
    assert doc["_extraction"]["engine"] == "layout"


def test_extract_batch_goes_on_after_a_bad_file(tmp_path, poster):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"")
    res = run("extract", str(bad), str(poster), str(tmp_path / "missing.pdf"), "-o", str(tmp_path / "o"))
    assert res.returncode == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 2, res.stderr
    assert "broken.pdf: the file is empty" in lines[0]
    assert "missing.pdf: no such file" in lines[1]
    assert (tmp_path / "o" / "poster.json").exists()


def test_extract_to_stdout(poster):
    res = run("extract", str(poster), "-o", "-", "--compact")
    assert res.returncode == 0
    assert json.loads(res.stdout)["creators"][0]["familyName"] == "Lopez"


def test_same_stem_twice_is_not_overwritten(tmp_path, poster):
    other = tmp_path / "x" / "poster.pdf"
    other.parent.mkdir()
    other.write_bytes(poster.read_bytes())
    assert run("extract", str(poster), str(other), "-o", str(tmp_path / "o")).returncode == 0
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["poster-2.json", "poster.json"]


def test_usage_errors_exit_2(tmp_path, poster):
    assert run("extract").returncode == 2
    assert run("extract", str(poster), "--engine", "magic").returncode == 2
    f = tmp_path / "file"
    f.write_text("x")
    assert run("extract", str(poster), "-o", str(f)).returncode == 2
    assert run("evaluate", str(tmp_path / "nope")).returncode == 2


def test_python_dash_m_extraction(poster):
    res = subprocess.run([sys.executable, "-m", "extraction", "extract", str(poster), "-o", "-"],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert res.returncode == 0 and json.loads(res.stdout)["titles"]


def test_evaluate_and_bench_on_a_tiny_corpus(tmp_path, poster):
    """A one-poster corpus whose ground truth is the extraction itself: it must pass."""
    case = tmp_path / "corpus" / "p1"
    case.mkdir(parents=True)
    (case / "p1.pdf").write_bytes(poster.read_bytes())
    out = run("extract", str(case / "p1.pdf"), "-o", "-")
    ref = {k: v for k, v in json.loads(out.stdout).items() if not k.startswith("_")}
    (case / "p1_sub-json.json").write_text(json.dumps(ref))
    res = run("evaluate", str(tmp_path / "corpus"), "--json", str(tmp_path / "scores.json"))
    assert res.returncode == 0, res.stdout + res.stderr
    assert "passed: 1/1" in res.stdout
    report = json.loads((tmp_path / "scores.json").read_text())
    assert report["corpus"]["rows"][0]["w"] == 1.0
    assert report["corpus"]["means"]["creators"] == 1.0
    res = run("bench", str(tmp_path / "corpus"), "--repeat", "2", "--json", str(tmp_path / "bench.json"))
    assert res.returncode == 0, res.stderr
    summary = json.loads((tmp_path / "bench.json").read_text())["summary"]
    assert summary["pdf median s/poster"] > 0 and summary["peak RSS MB"] > 0
    assert "median ratio to pdfalto" in res.stdout
    # The same corpus through the OCR path: the PDF is rasterised, so the text is read, not copied.
    res = run(
        "evaluate", str(tmp_path / "corpus"), "--as-image", "2000", "--json", str(tmp_path / "ocr.json")
    )
    row = json.loads((tmp_path / "ocr.json").read_text())["corpus"]["rows"][0]
    assert "error" not in row, row
    assert row["source"] == "ocr" and row["w"] > 0.5, row


def test_evaluate_scores_truth_folders_and_several_sets(tmp_path, poster):
    """`posterx evaluate DEV WILD`: a poster-json reference set and a truth.json set in one run."""
    dev = tmp_path / "dev" / "p1"
    dev.mkdir(parents=True)
    (dev / "p1.pdf").write_bytes(poster.read_bytes())
    ref = {k: v for k, v in json.loads(run("extract", str(dev / "p1.pdf"), "-o", "-").stdout).items()
           if not k.startswith("_")}  # fmt: skip
    (dev / "p1_sub-json.json").write_text(json.dumps(ref))
    wild = tmp_path / "wild"
    for name, truth in {
        "good": {"title": ref["titles"][0]["title"], "creators": [
            {"name": f"{c['givenName']} {c['familyName']}", "affiliations": [a["name"] for a in c["affiliation"]]}
            for c in ref["creators"]]},
        "wrong": {"title": "Something else entirely", "creators": [{"name": "Nobody Here", "affiliations": []}]},
        "unsure": {"title": "x", "creators": [], "uncertain": True},
    }.items():  # fmt: skip
        (wild / name).mkdir(parents=True)
        (wild / name / f"{name}.pdf").write_bytes(poster.read_bytes())
        (wild / name / "truth.json").write_text(json.dumps(truth))
    res = run("evaluate", str(tmp_path / "dev"), str(wild), "--json", str(tmp_path / "both.json"))
    assert res.returncode == 1, res.stdout + res.stderr  # "wrong" fails the title and creators
    assert "== dev" in res.stdout and "== wild" in res.stdout and "ok: 1/2" in res.stdout
    report = json.loads((tmp_path / "both.json").read_text())
    rows = {r["id"]: r for r in report["wild"]["rows"]}
    assert (
        rows["good"]["title"] == 1.0
        and rows["good"]["creators"] == 1.0
        and rows["good"]["affiliations"] == 1.0
    )
    assert rows["wrong"]["creators"] == 0.0 and rows["unsure"]["uncertain"] is True
    assert report["wild"]["means"]["title"] < 1.0  # the uncertain poster is left out of the means
    assert report["dev"]["means"]["w"] == 1.0


def test_bench_times_powerpoint_posters(tmp_path):
    from tests.factories_pptx import poster_pptx

    (tmp_path / "deck").mkdir()
    poster_pptx(tmp_path / "deck" / "poster.pptx")
    res = run("bench", str(tmp_path / "deck"), "--repeat", "1", "--json", str(tmp_path / "bench.json"))
    assert res.returncode == 0, res.stderr
    data = json.loads((tmp_path / "bench.json").read_text())
    assert [r["kind"] for r in data["rows"]] == ["pptx"]
    assert data["summary"]["pptx median s/poster"] > 0
