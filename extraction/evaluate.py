"""`posterx evaluate DIR [DIR...]`: score extraction against hand-made ground truth.

Two kinds of folder are scored, with exactly the corpus README's metrics:

- `<id>/<file>` + `<id>/*_sub-json.json`: a full poster-json reference (the `dev` set). Text
  metrics (w, r, n, f) and field checks; a poster passes by the README's pass rule.
- `<id>/<file>` + `<id>/truth.json`: title, creators and affiliations only (the `wild` set).
  A poster is "ok" at title >= 0.9 and creator F1 >= 0.8 (what the quality targets count).

Several directories are scored in one run, each with its own table and means, so one command
shows whether a change that helps one set hurts the other. Posters whose truth is marked
`uncertain` are shown but left out of means and counts, as the corpus README says. The exit
code is 1 when any counted poster fails, so CI can gate on it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from statistics import mean

from extraction.errors import ExtractionError
from extraction.options import ExtractOptions

POSTER_SUFFIXES = {".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp", ".gif", ".pptx"}
DEV_COLUMNS = ("w", "r", "n", "f", "title", "creators", "affiliations", "captions")
TRUTH_COLUMNS = ("extracted", "title", "creators", "affiliations")
OK_TITLE, OK_CREATORS = 0.9, 0.8


@dataclass
class Case:
    id: str
    poster: Path
    reference: Path
    kind: str  # "dev" (poster-json reference) or "truth" (truth.json)


def cases(root: Path) -> list[Case]:
    """Every folder that holds a poster file and a reference of either kind."""
    out = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        posters = sorted(p for p in folder.iterdir() if p.suffix.lower() in POSTER_SUFFIXES)
        if not posters:
            continue
        refs = sorted(folder.glob("*_sub-json.json"))
        if refs:
            out.append(Case(folder.name, posters[0], refs[0], "dev"))
        elif (folder / "truth.json").is_file():
            out.append(Case(folder.name, posters[0], folder / "truth.json", "truth"))
    return out


def as_image(pdf: Path, long_side: int, folder: Path) -> Path:
    """Page 1 of `pdf` as a PNG `long_side` pixels long: what a poster photo or export gives.

    PDF posters with ground truth are plentiful and image posters are not; rasterising the
    first lets the OCR path be measured on every poster, not only on the few images.
    """
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        page = doc[0]
        width, height = page.get_size()
        image = page.render(scale=long_side / max(width, height)).to_pil().convert("RGB")
    finally:
        doc.close()
    out = folder / f"{pdf.stem}.png"
    image.save(out)
    return out


def _as_truth(ref: dict) -> dict:
    """A poster-json reference read as a truth.json, so dev posters get affiliation recall too."""
    titles = ref.get("titles") or [{}]
    people = []
    for c in ref.get("creators") or []:
        name = c.get("name", "")
        if c.get("givenName") or c.get("familyName"):
            name = f"{c.get('givenName', '')} {c.get('familyName', '')}".strip()
        affs = [a.get("name", "") if isinstance(a, dict) else str(a) for a in c.get("affiliation") or []]
        people.append({"name": name, "affiliations": [a for a in affs if a]})
    return {"title": titles[0].get("title", ""), "creators": people}


def score_case(case: Case, gen: dict) -> dict:
    from extraction import metrics

    ref = json.loads(case.reference.read_text(encoding="utf-8"))
    if case.kind == "dev":
        row = {**metrics.score(gen, ref)}
        row["affiliations"] = metrics.score_truth(gen, _as_truth(ref))["affiliations"]
        return row
    row = dict(metrics.score_truth(gen, ref))
    row["pass"] = row["title"] >= OK_TITLE and row["creators"] >= OK_CREATORS
    if ref.get("uncertain"):
        row["uncertain"] = True
    return row


def _failed(case: Case, message: str) -> dict:
    row: dict = {"id": case.id, "kind": case.kind, "error": message, "pass": False}
    if case.kind == "truth":
        row.update({c: 0.0 for c in TRUTH_COLUMNS})
        ref = json.loads(case.reference.read_text(encoding="utf-8"))
        if ref.get("uncertain"):
            row["uncertain"] = True
    return row


def _uncertain(case: Case) -> bool:
    return case.kind == "truth" and bool(
        json.loads(case.reference.read_text(encoding="utf-8")).get("uncertain")
    )


def run(
    root: Path,
    options: ExtractOptions | None = None,
    image_side: int = 0,
    counted_only: bool = False,
    outputs: dict | None = None,
) -> list[dict]:
    """Score every case; with `image_side`, PDF posters are first rasterised to PNGs that long.

    `counted_only` skips posters whose truth is uncertain (they count in no mean), to save time.
    `outputs`, when given, receives each case's poster-json by case id (for further checks).
    """
    from extraction import extract

    rows = []
    with tempfile.TemporaryDirectory(prefix="posterx-eval-") as scratch:
        for case in cases(root):
            if counted_only and _uncertain(case):
                continue
            poster = case.poster
            try:
                if image_side and poster.suffix.lower() == ".pdf":
                    poster = as_image(poster, image_side, Path(scratch))
                gen = extract(poster, options)
                if outputs is not None:
                    outputs[case.id] = gen
                info = gen["_extraction"]
                row = {
                    "id": case.id,
                    "kind": case.kind,
                    **score_case(case, gen),
                    "seconds": info["seconds"],
                    "source": info.get("source"),
                }
            except ExtractionError as exc:
                row = _failed(case, str(exc))
            rows.append(row)
    return rows


def counted(rows: list[dict]) -> list[dict]:
    """Rows that count towards means and pass counts (not `uncertain`)."""
    return [r for r in rows if not r.get("uncertain")]


def means(rows: list[dict]) -> dict[str, float]:
    kept = counted(rows)
    columns = TRUTH_COLUMNS if kept and kept[0].get("kind") == "truth" else DEV_COLUMNS
    # A poster that failed to extract scores 0 on truth metrics; dev text metrics skip it.
    scored = [r for r in kept if "error" not in r or r.get("kind") == "truth"]
    return {c: mean(r[c] for r in scored) for c in columns if scored and all(c in r for r in scored)}


def table(rows: list[dict], name: str = "") -> str:
    kind = rows[0].get("kind", "dev") if rows else "dev"
    columns = TRUTH_COLUMNS if kind == "truth" else DEV_COLUMNS
    verdict = "ok" if kind == "truth" else "pass"
    head = f"{'poster':<28} " + " ".join(f"{c[:8]:>8}" for c in columns) + f" {'sec':>6}  {verdict}"
    lines = ([f"== {name}"] if name else []) + [head, "-" * len(head)]
    for r in rows:
        note = "  (uncertain: not counted)" if r.get("uncertain") else ""
        if "error" in r:
            lines.append(f"{r['id'][:28]:<28} ERROR: {r['error']}{note}")
            continue
        vals = " ".join(f"{r[c]:>8.3f}" for c in columns)
        lines.append(f"{r['id'][:28]:<28} {vals} {r['seconds']:>6.3f}  {'yes' if r['pass'] else 'NO'}{note}")
    m = means(rows)
    if m:
        lines.append("-" * len(head))
        lines.append(f"{'mean':<28} " + " ".join(f"{m[c]:>8.3f}" if c in m else f"{'':>8}" for c in columns))
    kept = counted(rows)
    lines.append(f"{'passed' if kind == 'dev' else 'ok'}: {sum(1 for r in kept if r['pass'])}/{len(kept)}")
    return "\n".join(lines)


def command(args: argparse.Namespace) -> int:
    from extraction.cli import command_options

    options = command_options(args, "evaluate")
    if options is None:
        return 2
    report: dict[str, dict] = {}
    for d in args.dirs:
        root = Path(d)
        if not root.is_dir():
            print(f"posterx: {root}: not a directory", file=sys.stderr)
            return 2
        if not cases(root):
            print(
                f"posterx: {root}: no <id>/ folders with a poster and a *_sub-json.json or truth.json",
                file=sys.stderr,
            )
            return 2
    failed = False
    for d in args.dirs:
        root = Path(d)
        rows = run(root, options, image_side=args.as_image)
        name = root.resolve().name
        print(table(rows, name if len(args.dirs) > 1 else ""))
        if len(args.dirs) > 1:
            print()
        report[name] = {"rows": rows, "means": means(rows)}
        failed = failed or not all(r["pass"] for r in counted(rows))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 1 if failed else 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="score extraction against ground-truth corpus directories")
    p.add_argument("dirs", nargs="+", metavar="DIR", help="corpus directory with one <id>/ folder per poster")
    p.add_argument("--json", metavar="FILE", help="also write per-poster scores and means as JSON")
    p.add_argument("--engine", default="layout", choices=("layout", "hybrid", "auto"))
    p.add_argument(
        "--as-image",
        type=int,
        default=0,
        metavar="PX",
        help="rasterise PDF posters to PNGs PX pixels long first, to measure the OCR path",
    )
    p.set_defaults(func=command)
