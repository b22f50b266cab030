"""Small PowerPoint posters drawn with python-pptx, so the pptx tests never depend on ../shared.

`poster_pptx` lays out the same poster as `factories.poster_pdf` (`PosterSpec`), the way people
build posters in PowerPoint: text boxes with runs, superscript markers as a baseline shift, a
section inside a group, bullets, a picture with its caption, a table with its caption. Hostile
files are built by rewriting a small deck's parts, so they cost nothing to make.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from pptx import Presentation
from pptx.enum.text import PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Pt

from tests.factories import PosterSpec

POSTER_SIZE = (1200, 1600)  # points: 16.7 x 22.2 in, a poster's size (long side over 20 in)
SCREEN_SIZE = (960, 540)  # points: 13.33 x 7.5 in, PowerPoint's widescreen slide
GROUP_OFFSET = (620.0, 330.0)  # where the Results group sits on the slide, in points
TABLE_BOX = (620.0, 1180.0, 540.0, 90.0)
PICTURE_BOX = (60.0, 1100.0, 500.0, 200.0)


def _run(
    paragraph, text: str, size: float, bold: bool = False, superscript: bool = False, italic: bool = False
):
    run = paragraph.add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    if superscript:
        run.font._rPr.set("baseline", "30000")  # how PowerPoint stores Superscript
    return run


def _box(shapes, x: float, y: float, w: float, h: float):
    box = shapes.add_textbox(Pt(x), Pt(y), Pt(w), Pt(h))
    box.text_frame.word_wrap = True
    return box.text_frame


def _bullet(paragraph, char: str = "•") -> None:
    ppr = paragraph._p.get_or_add_pPr()
    ppr.set("marL", str(Pt(18)))
    ppr.set("indent", str(-Pt(18)))
    bu = ppr.makeelement(qn("a:buChar"), {"char": char})
    ppr.append(bu)


def _png(width: int = 200, height: int = 80) -> io.BytesIO:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (40, 120, 200)).save(out, "PNG")
    out.seek(0)
    return out


def new_deck(size: tuple[float, float] = POSTER_SIZE):
    prs = Presentation()
    prs.slide_width, prs.slide_height = Pt(size[0]), Pt(size[1])
    return prs


def blank(prs):
    return prs.slides.add_slide(prs.slide_layouts[6])


def draw_poster(slide, spec: PosterSpec | None = None, group_results: bool = True) -> None:
    """The PosterSpec poster on `slide` (1200 x 1600 pt)."""
    spec = spec or PosterSpec()
    shapes = slide.shapes
    title = _box(shapes, 60, 60, 1080, 110)
    title.paragraphs[0].alignment = PP_ALIGN.CENTER
    _run(title.paragraphs[0], spec.title, 44, bold=True)

    authors = _box(shapes, 60, 180, 1080, 40)
    para = authors.paragraphs[0]
    para.alignment = PP_ALIGN.CENTER
    for i, (name, marker) in enumerate(spec.authors):
        _run(para, name, 24)
        _run(para, marker, 24, superscript=True)
        if i < len(spec.authors) - 1:
            _run(para, ", ", 24)
    affs = _box(shapes, 200, 225, 900, 60)
    for i, aff in enumerate(spec.affiliations, 1):
        para = affs.paragraphs[0] if i == 1 else affs.add_paragraph()
        _run(para, str(i), 18, superscript=True)
        _run(para, aff, 18)

    columns = [spec.sections[:2], spec.sections[2:]]
    for col, sections in enumerate(columns):
        x, y = 60 + col * 560, 330
        for heading, text in sections:
            if group_results and heading == "Results":
                _grouped_section(shapes, heading, text)
                y += 330
                continue
            frame = _box(shapes, x, y, 520, 300)
            _run(frame.paragraphs[0], heading, 30, bold=True)
            for line in text.split("\n"):
                para = frame.add_paragraph()
                if line.startswith("- "):
                    _bullet(para)
                    line = line[2:]
                _run(para, line, 20)
            y += 330

    shapes.add_picture(_png(), *(Pt(v) for v in PICTURE_BOX))
    cap = _box(shapes, 60, 1310, 500, 30)
    _run(cap.paragraphs[0], spec.captions[0], 16, italic=True)
    tcap = _box(shapes, 620, 1140, 540, 30)
    _run(tcap.paragraphs[0], spec.captions[1], 16, italic=True)
    table = shapes.add_table(3, 3, *(Pt(v) for v in TABLE_BOX)).table
    for r, row in enumerate(
        [("Region", "Precision", "Recall"), ("North", "0.91", "0.87"), ("South", "0.89", "0.84")]
    ):
        for c, value in enumerate(row):
            cell = table.cell(r, c)
            cell.text = value
            cell.text_frame.paragraphs[0].runs[0].font.size = Pt(16)

    kw = _box(shapes, 60, 1480, 1080, 30)
    _run(kw.paragraphs[0], spec.keywords, 18)
    foot = _box(shapes, 60, 1520, 1080, 30)
    _run(foot.paragraphs[0], spec.footer, 18)


def _grouped_section(shapes, heading: str, text: str) -> None:
    """The section in a group whose child space is offset from the slide (chOff ≠ off), as
    PowerPoint leaves groups that were moved: children's coordinates are not the slide's."""
    group = shapes.add_group_shape()
    frame = _box(group.shapes, 0, 0, 520, 300)
    _run(frame.paragraphs[0], heading, 30, bold=True)
    _run(frame.add_paragraph(), text, 20)
    xfrm = group._element.grpSpPr.get_or_add_xfrm()
    for tag, (a, b) in (("a:off", GROUP_OFFSET), ("a:chOff", (0, 0))):
        el = xfrm.find(qn(tag))
        el.set("x", str(Pt(a)))
        el.set("y", str(Pt(b)))
    for tag in ("a:ext", "a:chExt"):
        el = xfrm.find(qn(tag))
        el.set("cx", str(Pt(520)))
        el.set("cy", str(Pt(300)))


def poster_pptx(path: Path, spec: PosterSpec | None = None, group_results: bool = True) -> Path:
    prs = new_deck()
    draw_poster(blank(prs), spec, group_results)
    prs.save(str(path))
    return path


def presentation_slide(prs, title: str, bullets: list[str]) -> None:
    """A talk's slide: a title and a few short bullets, far from a poster's word count."""
    slide = blank(prs)
    frame = _box(slide.shapes, 40, 30, 880, 60)
    _run(frame.paragraphs[0], title, 36, bold=True)
    body = _box(slide.shapes, 40, 110, 880, 380)
    for i, text in enumerate(bullets):
        para = body.paragraphs[0] if i == 0 else body.add_paragraph()
        _bullet(para)
        _run(para, text, 24)


def dense_slide(prs, title: str, words: int = 260) -> None:
    """A poster squeezed onto a screen-sized slide: small type, many boxes, hundreds of words."""
    slide = blank(prs)
    frame = _box(slide.shapes, 20, 10, 920, 40)
    _run(frame.paragraphs[0], title, 24, bold=True)
    filler = "Coral colonies were surveyed and matched across repeated annual photographs of each site"
    per_box = words // 4
    for i in range(4):
        box = _box(slide.shapes, 20 + i * 235, 70, 225, 450)
        _run(box.paragraphs[0], f"Part {i + 1}", 12, bold=True)
        _run(box.add_paragraph(), " ".join((filler.split() * per_box)[:per_box]), 8)


def rewrite(path: Path, out: Path, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> Path:
    """A copy of the package at `path` with some parts' bytes replaced (and some added)."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, data in (add or {}).items():
            dst.writestr(name, data)
    return out


def small_deck(path: Path) -> Path:
    prs = new_deck()
    slide = blank(prs)
    frame = _box(slide.shapes, 60, 60, 1080, 100)
    _run(frame.paragraphs[0], "A Small Poster Title For Tests", 44, bold=True)
    prs.save(str(path))
    return path
