"""`posterx evaluate DIR`: score extraction against hand-made ground truth.

Each `<id>/` folder holds one poster file and its `*_sub-json.json`. The table uses exactly
the corpus README's metrics; the exit code is 1 when any poster fails, so CI can gate on it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from statistics import mean

from extraction.errors import ExtractionError

POSTER_SUFFIXES = {".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp", ".gif"}
COLUMNS = ("w", "r", "n", "f", "title", "creators", "captions")


def cases(root: Path) -> list[tuple[str, Path, Path]]:
    """(id, poster, ground truth) for every folder that has both."""
    out = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        refs = sorted(folder.glob("*_sub-json.json"))
        posters = sorted(p for p in folder.iterdir() if p.suffix.lower() in POSTER_SUFFIXES)
        if refs and posters:
            out.append((folder.name, posters[0], refs[0]))
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


def run(root: Path, engine: str = "layout", image_side: int = 0, outputs: dict | None = None) -> list[dict]:
    """Score every case; with `image_side`, PDF posters are first rasterised to PNGs that long.
    `outputs`, when given, receives each case's poster-json by case id (for further checks)."""
    import tempfile

    from extraction import extract
    from extraction.metrics import score

    rows = []
    scratch = tempfile.TemporaryDirectory(prefix="posterx-eval-")
    for case_id, poster, ref_path in cases(root):
        ref = json.loads(ref_path.read_text(encoding="utf-8"))
        try:
            if image_side and poster.suffix.lower() == ".pdf":
                poster = as_image(poster, image_side, Path(scratch.name))
            gen = extract(poster, engine=engine)
            if outputs is not None:
                outputs[case_id] = gen
            info = gen["_extraction"]
            row = {"id": case_id, **score(gen, ref), "seconds": info["seconds"], "source": info.get("source")}
        except ExtractionError as exc:
            row = {"id": case_id, "error": str(exc), "pass": False}
        rows.append(row)
    scratch.cleanup()
    return rows


def table(rows: list[dict]) -> str:
    head = f"{'poster':<28} " + " ".join(f"{c:>8}" for c in COLUMNS) + f" {'sec':>6}  pass"
    lines = [head, "-" * len(head)]
    for r in rows:
        if "error" in r:
            lines.append(f"{r['id'][:28]:<28} ERROR: {r['error']}")
            continue
        vals = " ".join(f"{r[c]:>8.3f}" for c in COLUMNS)
        lines.append(f"{r['id'][:28]:<28} {vals} {r['seconds']:>6.3f}  {'yes' if r['pass'] else 'NO'}")
    ok = [r for r in rows if "error" not in r]
    if ok:
        means = " ".join(f"{mean(r[c] for r in ok):>8.3f}" for c in COLUMNS)
        lines.append("-" * len(head))
        lines.append(f"{'mean':<28} {means}")
    lines.append(f"passed: {sum(1 for r in rows if r['pass'])}/{len(rows)}")
    return "\n".join(lines)


def command(args: argparse.Namespace) -> int:
    root = Path(args.dir)
    if not root.is_dir():
        print(f"posterx: {root}: not a directory", file=sys.stderr)
        return 2
    rows = run(root, engine=args.engine, image_side=args.as_image)
    if not rows:
        print(f"posterx: {root}: no <id>/ folders with a poster and a *_sub-json.json", file=sys.stderr)
        return 2
    print(table(rows))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0 if all(r["pass"] for r in rows) else 1


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="score extraction against a ground-truth corpus directory")
    p.add_argument("dir", help="corpus directory with one <id>/ folder per poster")
    p.add_argument("--json", metavar="FILE", help="also write the per-poster scores as JSON")
    p.add_argument("--engine", default="layout", choices=("layout", "hybrid", "auto"))
    p.add_argument(
        "--as-image",
        type=int,
        default=0,
        metavar="PX",
        help="rasterise PDF posters to PNGs PX pixels long first, to measure the OCR path",
    )
    p.set_defaults(func=command)
