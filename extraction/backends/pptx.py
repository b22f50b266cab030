"""PowerPoint backend: the poster slide of a .pptx, read with python-pptx, as a `Page`.

A .pptx says more than its PDF export: every text box carries its position, and its runs carry
font size, weight, slant and superscripts (a baseline shift) as the author set them. This module
walks the slide's shapes: text boxes and shapes with text, placeholders (whose box and styles
come from the layout and master), groups (their child space mapped onto their box), tables
(rows grown to their text), pictures, charts and SmartArt as figure regions, and the master's
and layout's own drawings under the slide. Hidden shapes, text turned on its side and shapes
parked off the slide are left out, as they are not printed. Each text body is laid out by
`drawingml.py`, so every stage reads the slide as it reads a PDF page.

Which slide: a deck may hold the poster and presentation slides. The poster is the first slide,
unless the slide size is not a poster's (its long side under 20 inches, a screen format) and
slide 1's content is not a poster's while a later slide's is: then the first such slide. A
slide's content is a poster's when it holds at least 200 words in at least 4 text shapes, as a
poster's title, authors and sections do; a presentation slide is kept far shorter.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from extraction.backends import office
from extraction.backends.drawingml import (
    EMU_PER_PT,
    MC,
    TRUE,
    A,
    Slide,
    TextBody,
    first_attr,
    fit_block,
    int_attr,
    layout_body,
    line_of,
    measure,
)
from extraction.errors import CorruptFileError, InputTooLargeError
from extraction.model import Block, Page

POSTER_MIN_SIDE_PT = 20 * 72
POSTER_MIN_WORDS = 200
POSTER_MIN_TEXT_SHAPES = 4
MAX_SLIDES = 50  # as for PDF pages (backends.MAX_PAGES)
MAX_SHAPES = 10_000  # real posters have tens to a few hundred
# Paragraphs plus runs on the slide: real posters have hundreds; laying out 20,000 takes seconds.
MAX_TEXT_ELEMENTS = 20_000
MAX_XML_PART_MB = 16  # python-pptx's parsed tree takes about 17 times its XML in memory
MAX_XML_TOTAL_MB = 64
DEFAULT_CELL_MARGINS = (91440, 45720, 91440, 45720)
_P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
_R_EMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"
_SHAPES = {_P + "sp", _P + "pic", _P + "graphicFrame", _P + "cxnSp", _P + "grpSp", _P + "contentPart"}
# graphicFrame contents that are pictures for the caption stage: charts, SmartArt, embedded objects.
_FIGURE_URIS = ("/chart", "/diagram", "/ole", "/picture")


@dataclass(frozen=True)
class Xform:
    """Maps a shape's coordinates (EMU, in its group's child space) to slide points."""

    sx: float = 1 / EMU_PER_PT
    sy: float = 1 / EMU_PER_PT
    tx: float = 0.0
    ty: float = 0.0

    def box(self, x: float, y: float, cx: float, cy: float) -> tuple[float, float, float, float]:
        return (self.tx + x * self.sx, self.ty + y * self.sy, cx * self.sx, cy * self.sy)

    def group(self, xfrm: Any) -> Xform:
        """The transform for a group's children: child space (chOff, chExt) onto the group's box."""
        if xfrm is None:
            return self
        off, ext = xfrm.find(A + "off"), xfrm.find(A + "ext")
        ch_off, ch_ext = xfrm.find(A + "chOff"), xfrm.find(A + "chExt")
        if off is None or ext is None or ch_off is None or ch_ext is None:
            return self
        ox, oy, cx, cy = (int_attr(off, "x"), int_attr(off, "y"), int_attr(ext, "cx"), int_attr(ext, "cy"))
        cox, coy, ccx, ccy = (
            int_attr(ch_off, "x"),
            int_attr(ch_off, "y"),
            int_attr(ch_ext, "cx"),
            int_attr(ch_ext, "cy"),
        )
        kx = cx / ccx if ccx else 1.0
        ky = cy / ccy if ccy else 1.0
        return Xform(
            sx=self.sx * kx,
            sy=self.sy * ky,
            tx=self.tx + self.sx * (ox - cox * kx),
            ty=self.ty + self.sy * (oy - coy * ky),
        )


def _ph(shape: Any) -> Any:
    nv = shape[0] if len(shape) else None
    return None if nv is None else nv.find(f"{_P}nvPr/{_P}ph")


def _ph_kind(ph: Any) -> str:
    kind = ph.get("type", "obj")
    return {"ctrTitle": "title", "subTitle": "body", "obj": "body"}.get(kind, kind)


def _find_placeholder(tree: Any, ph: Any, by_idx: bool) -> Any:
    """The layout's placeholder with the same idx (else kind), or the master's of the same kind,
    as PowerPoint links them."""
    if tree is None:
        return None
    candidates = [(sp, _ph(sp)) for sp in tree.iter(_P + "sp") if _ph(sp) is not None]
    if by_idx and ph.get("idx") is not None:
        for sp, other in candidates:
            if other.get("idx") == ph.get("idx"):
                return sp
    kind = _ph_kind(ph)
    return next((sp for sp, other in candidates if _ph_kind(other) == kind), None)


def _inherited(shape: Any, ctx: Slide, on_layout: bool = False) -> list[Any]:
    """The placeholder shapes a slide (or layout) placeholder inherits from, nearest first."""
    ph = _ph(shape)
    if ph is None:
        return []
    chain = []
    if not on_layout:
        layout = _find_placeholder(ctx.layout_tree, ph, by_idx=True)
        if layout is not None:
            chain.append(layout)
    master = _find_placeholder(ctx.master_tree, ph, by_idx=False)
    if master is not None:
        chain.append(master)
    return chain


def _list_styles(shape: Any, body: Any, ctx: Slide, inherited: list[Any], table: bool = False) -> list[Any]:
    """List styles (lvlNpPr holders) a text body resolves paragraph and run properties through."""
    styles = [body.find(A + "lstStyle")]
    ph = _ph(shape) if shape is not None else None
    if ph is not None:
        for base in inherited:
            styles.append(base.find(f"{_P}txBody/{A}lstStyle"))
        kind = _ph_kind(ph)
        styles.append(
            ctx.master_styles.get("title" if kind == "title" else "body" if kind == "body" else "other")
        )
    elif not table:
        is_textbox = shape is not None and shape[0].find(f"{_P}cNvSpPr[@txBox='1']") is not None
        styles.append(ctx.object_defaults.get("tx" if is_textbox else "sp"))
    styles.append(ctx.default_style)
    return [s for s in styles if s is not None]


def _xfrm(shape: Any) -> Any:
    if shape.tag == _P + "graphicFrame":
        return shape.find(_P + "xfrm")
    sppr = shape.find(_P + "spPr")
    if sppr is None:
        sppr = shape.find(_P + "grpSpPr")
    return sppr.find(A + "xfrm") if sppr is not None else None


def _geometry(shape: Any, inherited: list[Any]) -> tuple[int, int, int, int, float] | None:
    """(x, y, cx, cy, rotation in degrees) in EMU, from the shape or the placeholder it inherits."""
    for el in [shape, *inherited]:
        xfrm = _xfrm(el)
        if xfrm is None:
            continue
        off, ext = xfrm.find(A + "off"), xfrm.find(A + "ext")
        if off is None or ext is None:
            continue
        rot = int_attr(xfrm, "rot") / 60000 if el is shape else 0.0
        return int_attr(off, "x"), int_attr(off, "y"), int_attr(ext, "cx"), int_attr(ext, "cy"), rot
    return None


def _hidden(shape: Any) -> bool:
    nv = shape[0] if len(shape) else None
    c_nv = nv.find(_P + "cNvPr") if nv is not None else None
    return c_nv is not None and c_nv.get("hidden") in TRUE


def iter_shapes(tree: Any, xf: Xform) -> Iterator[tuple[Any, Xform]]:
    """Every drawable shape under a shape tree with its transform; groups are entered (their
    child space mapped onto their box), hidden shapes skipped, and for alternate content the
    fallback PowerPoint itself writes for older readers is read."""
    for el in tree:
        if el.tag == MC + "AlternateContent":
            chosen = el.find(MC + "Fallback")
            if chosen is None:
                chosen = el.find(MC + "Choice")
            if chosen is not None:
                yield from iter_shapes(chosen, xf)
            continue
        if el.tag not in _SHAPES or _hidden(el):
            continue
        if el.tag == _P + "grpSp":
            yield from iter_shapes(el, xf.group(_xfrm(el)))
        else:
            yield el, xf


@dataclass
class _Frame:
    top: float
    left: float
    blocks: list[Block]


def read_slide(slide_el: Any, ctx: Slide, extra_trees: list[Any]) -> tuple[list[Block], list[tuple]]:
    """Text blocks in reading order and picture boxes of one slide, layout and master shapes
    (their non-placeholder drawings: logos, banners) included beneath it."""
    frames: list[_Frame] = []
    pictures: list[tuple[float, float, float, float]] = []
    trees = [(t, True) for t in extra_trees] + [(slide_el.find(f"{_P}cSld/{_P}spTree"), False)]
    for tree, underlay in trees:
        if tree is None:
            continue
        for shape, xf in iter_shapes(tree, Xform()):
            if underlay and _ph(shape) is not None:
                continue  # a layout's or master's placeholders are prompts, never printed
            inherited = [] if underlay else _inherited(shape, ctx)
            geo = _geometry(shape, inherited)
            if geo is None:
                continue
            x, y, cx, cy, rot = geo
            box = xf.box(x, y, cx, cy)
            if not _on_slide(box, ctx):
                continue
            if shape.tag == _P + "pic" or _picture_filled(shape):
                pictures.append(box)
            if shape.tag == _P + "graphicFrame":
                frames.extend(_graphic_frame(shape, box, xf, ctx, pictures))
                continue
            body = shape.find(_P + "txBody")
            if body is None or not _readable_direction(body, inherited, rot):
                continue
            tb = TextBody(
                body=body,
                styles=_list_styles(shape, body, ctx, inherited),
                body_props=[body.find(A + "bodyPr")] + [b.find(f"{_P}txBody/{A}bodyPr") for b in inherited],
            )
            blocks, _ = layout_body(tb, box, ctx)
            if blocks:
                frames.append(_Frame(box[1], box[0], blocks))
    frames.sort(key=lambda f: (round(f.top), f.left))
    blocks = [_clip(b, ctx) for f in frames for b in f.blocks]
    return [b for b in blocks if b is not None], pictures


def _on_slide(box: tuple[float, float, float, float], ctx: Slide) -> bool:
    """Shapes parked beside the slide (on the pasteboard) are not printed."""
    x, y, w, h = box
    return x < ctx.width and y < ctx.height and x + w > 0 and y + h > 0


def _clip(block: Block, ctx: Slide) -> Block | None:
    """Only words printed on the slide: overflow past its edges is cut off by the printer too."""
    for line in block.lines:
        line.words = [
            w for w in line.words if 0 <= w.x + w.w / 2 <= ctx.width and 0 <= w.y + w.h / 2 <= ctx.height
        ]
    block.lines = [line_of(ln.words) for ln in block.lines if ln.words]
    if not block.lines:
        return None
    fit_block(block)
    return block


def _picture_filled(shape: Any) -> bool:
    sppr = shape.find(_P + "spPr")
    return shape.tag == _P + "sp" and sppr is not None and sppr.find(A + "blipFill") is not None


def _readable_direction(body: Any, inherited: list[Any], rot: float) -> bool:
    """Horizontal text only. Text turned on its side (a rotated box, or vertical text) labels an
    axis or a margin; it is left out, as a reading line it would cross the columns it sits by.
    A slightly turned box is read level: its xfrm is the box before rotation, about its centre."""
    props = [body.find(A + "bodyPr")] + [b.find(f"{_P}txBody/{A}bodyPr") for b in inherited]
    vert = first_attr(props, "vert") or "horz"
    turn = abs(rot) % 180
    return vert in ("horz", "wordArtVert") and not (45 <= turn <= 135)


def _graphic_frame(shape: Any, box: tuple, xf: Xform, ctx: Slide, pictures: list) -> list[_Frame]:
    data = shape.find(f"{A}graphic/{A}graphicData")
    if data is None:
        return []
    table = data.find(A + "tbl")
    if table is None:
        if any(data.get("uri", "").endswith(u) for u in _FIGURE_URIS):
            pictures.append(box)
        return []
    return _table(table, box, xf, ctx)


def _table(tbl: Any, box: tuple, xf: Xform, ctx: Slide) -> list[_Frame]:
    """A table's cells as text frames: columns from its grid, rows grown to fit their text as
    PowerPoint grows them (a row's stored height is its minimum)."""
    cols = [int_attr(c, "w") * xf.sx for c in tbl.iter(A + "gridCol")]
    rows = tbl.findall(A + "tr")
    if not cols or not rows:
        return []
    props = tbl.find(A + "tblPr")
    header_bold = (
        props is not None and props.get("firstRow") in TRUE and props.find(A + "tableStyleId") is not None
    )
    heights = [int_attr(r, "h") * xf.sy for r in rows]
    cells: list[tuple[int, int, int, int, Any]] = []  # row, col, row span, col span, tc
    for ri, row in enumerate(rows):
        for ci, tc in enumerate(row.findall(A + "tc")):
            if tc.get("hMerge") in TRUE or tc.get("vMerge") in TRUE or ci >= len(cols):
                continue
            cells.append((ri, ci, int_attr(tc, "rowSpan", 1) or 1, int_attr(tc, "gridSpan", 1) or 1, tc))

    def body_of(ri: int, tc: Any) -> TextBody | None:
        body = tc.find(A + "txBody")
        if body is None:
            return None
        tcpr = tc.find(A + "tcPr")
        margins = {
            name: (tcpr.get(f"mar{side}") if tcpr is not None else None)
            for name, side in (("lIns", "L"), ("tIns", "T"), ("rIns", "R"), ("bIns", "B"))
        }
        body_pr = etree.Element(A + "bodyPr")
        for name, default in zip(("lIns", "tIns", "rIns", "bIns"), DEFAULT_CELL_MARGINS, strict=True):
            body_pr.set(name, margins[name] or str(default))
        body_pr.set("anchor", (tcpr.get("anchor") if tcpr is not None else None) or "t")
        return TextBody(
            body=body,
            styles=_list_styles(None, body, ctx, [], table=True),
            body_props=[body_pr],
            force_bold=header_bold and ri == 0,
        )

    col_x = [box[0] + sum(cols[:i]) for i in range(len(cols) + 1)]
    for ri, ci, rspan, cspan, tc in cells:  # grow rows to their text
        tb = body_of(ri, tc)
        if tb is None or rspan != 1:
            continue
        width = col_x[min(ci + cspan, len(cols))] - col_x[ci]
        _, needed = layout_body(tb, (0.0, 0.0, width, 0.0), ctx)
        heights[ri] = max(heights[ri], needed)
    row_y = [box[1] + sum(heights[:i]) for i in range(len(rows) + 1)]
    frames = []
    for ri, ci, rspan, cspan, tc in cells:
        tb = body_of(ri, tc)
        if tb is None:
            continue
        x, right = col_x[ci], col_x[min(ci + cspan, len(cols))]
        y, bottom = row_y[ri], row_y[min(ri + rspan, len(rows))]
        blocks, _ = layout_body(tb, (x, y, right - x, bottom - y), ctx)
        if blocks:
            frames.append(_Frame(y, x, blocks))
    return frames


def _check_package(path: Path) -> None:
    """Bomb, DTD and size checks on the ZIP before python-pptx parses any part."""
    try:
        with zipfile.ZipFile(path) as zf:
            office.check_zip(zf)
            xml = [i for i in zf.infolist() if i.filename.endswith((".xml", ".rels"))]
            big = max(xml, key=lambda i: i.file_size, default=None)
            if big is not None and big.file_size > MAX_XML_PART_MB * 1024 * 1024:
                raise InputTooLargeError(
                    f"the file's part {big.filename} is {big.file_size / 1048576:.0f} MB of XML, over the "
                    f"{MAX_XML_PART_MB} MB accepted for a poster: {office.ASK_FOR_PDF}"
                )
            total = sum(i.file_size for i in xml)
            if total > MAX_XML_TOTAL_MB * 1024 * 1024:
                raise InputTooLargeError(
                    f"the file holds {total / 1048576:.0f} MB of XML, over the {MAX_XML_TOTAL_MB} MB accepted "
                    f"for a poster: {office.ASK_FOR_PDF}"
                )
            office.check_xml_parts(zf)
    except zipfile.BadZipFile as exc:
        raise CorruptFileError(f"the PowerPoint file is damaged or truncated; {office.ASK_FOR_PDF}") from exc


# A slide show (.ppsx) or a template (.potx) is a presentation package under another main part
# type; python-pptx registers only .pptx and .pptm, so the others are mapped to the same part.
_OTHER_MAIN_TYPES = (
    "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml",
    "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml",
    "application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml",
    "application/vnd.ms-powerpoint.template.macroEnabled.main+xml",
)


def open_presentation(path: Path) -> Any:
    """python-pptx's Presentation for `path`, after the package checks."""
    _check_package(path)
    from pptx.opc.package import PartFactory
    from pptx.package import Package
    from pptx.parts.presentation import PresentationPart

    for content_type in _OTHER_MAIN_TYPES:
        PartFactory.part_type_for.setdefault(content_type, PresentationPart)
    try:
        part = Package.open(str(path)).main_document_part
        if not isinstance(part, PresentationPart):
            raise CorruptFileError(f"the file is not a PowerPoint presentation; {office.ASK_FOR_PDF}")
        return part.presentation
    except CorruptFileError:
        raise
    except Exception as exc:  # python-pptx raises KeyError, ValueError, lxml errors… on damaged parts
        raise CorruptFileError(
            "the PowerPoint file is damaged and cannot be opened; save it again in PowerPoint, or "
            f"{office.ASK_FOR_PDF}"
        ) from exc


def _content(slide_el: Any) -> tuple[int, int]:
    """(words, text shapes) on a slide."""
    words = shapes = 0
    for body in slide_el.iter(_P + "txBody", A + "txBody"):
        n = sum(len((t.text or "").split()) for t in body.iter(A + "t"))
        if n:
            words += n
            shapes += 1
    return words, shapes


def poster_like_content(slide_el: Any) -> bool:
    words, shapes = _content(slide_el)
    return words >= POSTER_MIN_WORDS and shapes >= POSTER_MIN_TEXT_SHAPES


def choose_slide(prs: Any) -> int:
    """Index of the poster slide (the rule is in the module docstring and the README)."""
    slides = list(prs.slides)
    if not slides:
        raise CorruptFileError(f"the presentation has no slides; {office.ASK_FOR_PDF}")
    if len(slides) > MAX_SLIDES:
        raise InputTooLargeError(
            f"the presentation has {len(slides)} slides; a poster is one slide (at most {MAX_SLIDES} accepted): "
            "upload the poster slide alone"
        )
    width, height = (prs.slide_width or 0) / EMU_PER_PT, (prs.slide_height or 0) / EMU_PER_PT
    if max(width, height) >= POSTER_MIN_SIDE_PT or poster_like_content(slides[0]._element):
        return 0
    return next((i for i, s in enumerate(slides) if poster_like_content(s._element)), 0)


def poster_slide(path: Path) -> tuple[int, int]:
    """(index of the poster slide, number of slides): what a thumbnail renderer needs."""
    prs = open_presentation(path)
    return choose_slide(prs), len(prs.slides)


# A picture covering this much of the slide is the poster itself, pasted in as one image.
MIN_PICTURE_SHARE = 0.5
_RASTER = ("image/png", "image/jpeg", "image/jpg", "image/tiff", "image/bmp", "image/gif", "image/webp")


def slide_picture(path: Path) -> tuple[bytes, int] | None:
    """(image bytes, slide index) of the largest raster picture on the poster slide when it covers
    at least half of the slide: a poster pasted into PowerPoint as one picture, for OCR."""
    prs = open_presentation(path)
    index = choose_slide(prs)
    slide = list(prs.slides)[index]
    area = (prs.slide_width or 0) * (prs.slide_height or 0) / EMU_PER_PT**2
    best: tuple[float, bytes] | None = None
    for shape, xf in iter_shapes(slide._element.find(f"{_P}cSld/{_P}spTree"), Xform()):
        blip = shape.find(f"{_P}blipFill/{A}blip")
        geo = _geometry(shape, [])
        if shape.tag != _P + "pic" or blip is None or geo is None:
            continue
        _, _, w, h = xf.box(*geo[:4])
        try:
            part = slide.part.related_part(blip.get(_R_EMBED, ""))
        except (KeyError, ValueError):
            continue
        if part.content_type in _RASTER and (best is None or w * h > best[0]):
            best = (w * h, part.blob)
    if best is None or best[0] < MIN_PICTURE_SHARE * area:
        return None
    return best[1], index


def _context(prs: Any, slide: Any) -> tuple[Slide, list[Any]]:
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT
    from pptx.oxml import parse_xml

    layout = slide.slide_layout
    master = layout.slide_master
    tx = master._element.find(_P + "txStyles")
    master_styles = {}
    if tx is not None:
        for key, tag in (("title", "titleStyle"), ("body", "bodyStyle"), ("other", "otherStyle")):
            master_styles[key] = tx.find(_P + tag)
    theme_fonts: dict[str, str] = {}
    object_defaults: dict[str, Any] = {}
    try:
        theme = parse_xml(master.part.part_related_by(RT.THEME).blob)
        for key, tag in (("mj", "majorFont"), ("mn", "minorFont")):
            latin = theme.find(f"{A}themeElements/{A}fontScheme/{A}{tag}/{A}latin")
            if latin is not None and latin.get("typeface"):
                theme_fonts[f"+{key}-lt"] = latin.get("typeface")
        for key, tag in (("sp", "spDef"), ("tx", "txDef")):
            object_defaults[key] = theme.find(f"{A}objectDefaults/{A}{tag}/{A}lstStyle")
    except (KeyError, ValueError, AttributeError):
        pass  # a master without a theme: text keeps the deck's defaults
    ctx = Slide(
        layout_tree=layout._element.find(f"{_P}cSld/{_P}spTree"),
        master_tree=master._element.find(f"{_P}cSld/{_P}spTree"),
        master_styles=master_styles,
        default_style=prs._element.find(_P + "defaultTextStyle"),
        object_defaults=object_defaults,
        theme_fonts=theme_fonts,
        measure=measure(),
        width=(prs.slide_width or 0) / EMU_PER_PT,
        height=(prs.slide_height or 0) / EMU_PER_PT,
    )
    # Master and layout drawings show on the slide unless the slide (or layout) hides them.
    underlays = []
    if slide._element.get("showMasterSp") not in ("0", "false"):
        if layout._element.get("showMasterSp") not in ("0", "false"):
            underlays.append(ctx.master_tree)
        underlays.append(ctx.layout_tree)
    return ctx, underlays


def load(path: Path) -> Page:
    """The poster slide of the .pptx at `path` as a `Page` in points."""
    prs = open_presentation(path)
    index = choose_slide(prs)
    slides = list(prs.slides)
    slide = slides[index]
    shapes = sum(1 for _ in slide._element.iter(*_SHAPES))
    if shapes > MAX_SHAPES:
        raise InputTooLargeError(
            f"slide {index + 1} has {shapes} shapes, more than the {MAX_SHAPES} accepted for a poster: "
            f"{office.ASK_FOR_PDF}"
        )
    texts = sum(1 for _ in slide._element.iter(A + "p", A + "r"))
    if texts > MAX_TEXT_ELEMENTS:
        raise InputTooLargeError(
            f"slide {index + 1} has {texts} paragraphs and text runs, more than the {MAX_TEXT_ELEMENTS} "
            f"accepted for a poster: {office.ASK_FOR_PDF}"
        )
    ctx, underlays = _context(prs, slide)
    if ctx.width <= 0 or ctx.height <= 0:
        raise CorruptFileError(f"the presentation declares no slide size; {office.ASK_FOR_PDF}")
    blocks, pictures = read_slide(slide._element, ctx, underlays)
    page = Page(
        width=ctx.width,
        height=ctx.height,
        blocks=blocks,
        source=f"pptx slide {index + 1} of {len(slides)}",
        media_type="PPTX",
        page_count=len(slides),
        images=pictures,
    )
    if len(slides) > 1:
        page.warnings.append(
            f"the presentation has {len(slides)} slides; slide {index + 1} was read as the poster"
        )
    return page
