"""DrawingML text: a text body (a text box, a shape's text, a table cell) laid out in its box the
way PowerPoint draws it, into the common page model's blocks, lines and words.

A .pptx stores runs with their font size, weight and baseline shift, but not where lines break:
PowerPoint wraps text when it draws it. So each paragraph is laid out here as PowerPoint does:
insets, alignment (justified too), indents and bullets, line spacing, space before and after,
the autofit scale and the vertical anchor, with properties inherited through list styles
(the shape's, its layout's and master's placeholders', the master's text styles, the deck's
defaults). Glyph widths come from the Helvetica-like font that ships with Pillow. Word boxes are
thus estimates, within a few percent; they are in points, origin top-left, placed around the
baseline as pdfalto places them, so the stages read a slide as they read a PDF page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from extraction.model import Block, Line, Word

EMU_PER_PT = 12700
DEFAULT_SIZE_PT = 18.0  # DrawingML's default run size (sz="1800")
# Single line spacing is about 1.2 font sizes in the fonts posters use (ascent + descent + gap).
LINE_HEIGHT = 1.2
DESCENT = 0.25  # baseline above the bottom of a single-spaced line, in font sizes
# Where pdfalto puts a word's box around its baseline, in font sizes (measured on Helvetica).
WORD_ASCENT = 0.75
WORD_HEIGHT = 0.93
SUPERSCRIPT_SCALE = 2 / 3  # PowerPoint draws a shifted run at about two thirds of its size
DEFAULT_INSETS = (91440, 45720, 91440, 45720)  # left, top, right, bottom, in EMU (bodyPr defaults)
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
TRUE = {"1", "true", "on"}
# Fonts whose code points are pictures, not letters: a bullet set in them is drawn as a dot.
_SYMBOL_FONTS = ("wingdings", "webdings", "symbol", "marlett", "zapf", "dingbat", "sorts")


@dataclass(frozen=True)
class Style:
    """What a run looks like: nominal size in points (autofit applied), weight, slant, baseline
    shift as a fraction of the size (positive up), font family."""

    size: float
    bold: bool = False
    italic: bool = False
    shift: float = 0.0
    family: str = ""

    @property
    def glyph_size(self) -> float:
        return self.size * SUPERSCRIPT_SCALE if self.shift else self.size


class Measure:
    """Text widths in points. Glyph widths come from Pillow's bundled font (Aileron, a Helvetica
    clone, the metrics of Arial); other families are scaled by how much narrower or wider they
    set. Only where lines wrap depends on this, so a few percent is good enough."""

    EM = 1000
    # Width relative to Arial, per family name fragment (from the fonts' average advance widths).
    FAMILY_SCALE = (("narrow", 0.82), ("condensed", 0.82), ("calibri", 0.9), ("candara", 0.92),
                    ("segoe", 0.97), ("times", 0.88), ("garamond", 0.86), ("cambria", 0.95),
                    ("verdana", 1.12), ("tahoma", 1.0), ("georgia", 1.02), ("century gothic", 1.1))  # fmt: skip
    MONOSPACE = ("courier", "mono", "consolas", "menlo", "lucida console", "source code")

    def __init__(self) -> None:
        from PIL import ImageFont

        self._font: Any = None
        try:
            font = ImageFont.load_default(size=self.EM)
            if isinstance(font, ImageFont.FreeTypeFont):
                self._font = font
        except Exception:  # Pillow without FreeType: average widths below
            self._font = None
        self._chars: dict[str, float] = {}
        self._families: dict[str, tuple[float, bool]] = {}

    def _em(self, ch: str) -> float:
        width = self._chars.get(ch)
        if width is None:
            import unicodedata

            if unicodedata.east_asian_width(ch) in "WF":
                width = 1.0
            elif self._font is not None:
                width = self._font.getlength(ch) / self.EM
                if width <= 0 and not ch.isspace():
                    width = 0.55
            else:
                width = 0.28 if ch.isspace() else 0.55
            self._chars[ch] = width
        return width

    def _family(self, family: str) -> tuple[float, bool]:
        got = self._families.get(family)
        if got is None:
            low = family.lower()
            mono = any(m in low for m in self.MONOSPACE)
            scale = next((s for frag, s in self.FAMILY_SCALE if frag in low), 1.0)
            got = self._families[family] = (scale, mono)
        return got

    def width(self, text: str, style: Style) -> float:
        scale, mono = self._family(style.family)
        if mono:
            ems = 0.6 * len(text)
        else:
            ems = sum(self._em(c) for c in text) * scale * (1.06 if style.bold else 1.0)
        return ems * style.glyph_size


def int_attr(el: Any, name: str, default: int = 0) -> int:
    try:
        return int(el.get(name, default))
    except (TypeError, ValueError):
        return default


@dataclass
class Slide:
    """What the slide's text inherits from: its layout and master, the theme and the deck."""

    layout_tree: Any
    master_tree: Any
    master_styles: dict[str, Any]
    default_style: Any
    object_defaults: dict[str, Any]
    theme_fonts: dict[str, str]
    measure: Measure
    width: float
    height: float


def first_attr(elems: list[Any], attr: str) -> str | None:
    for el in elems:
        if el is not None:
            value = el.get(attr)
            if value is not None:
                return value
    return None


def first_child(elems: list[Any], tags: tuple[str, ...]) -> Any:
    for el in elems:
        if el is None:
            continue
        for child in el:
            if child.tag in tags:
                return child
    return None


@dataclass
class _Piece:
    text: str
    style: Style


@dataclass
class _Word:
    pieces: list[_Piece]
    x: float = 0.0  # from the line's start
    squeeze: float = 1.0  # a word wider than its line is printed over several rows, within the line


@dataclass
class _Line:
    words: list[_Word] = field(default_factory=list)
    width: float = 0.0
    size: float = 0.0  # the largest nominal size on the line, for its height
    bottom: float = 0.0  # from the top of the text body, once stacked
    broken: bool = False  # ended by a line break (a:br), not by wrapping
    rows: int = 1  # printed rows: more than one for a word (a URL) longer than the line


@dataclass
class TextBody:
    """A text body and where its properties come from."""

    body: Any
    styles: list[Any]  # list styles, nearest first
    body_props: list[Any]  # bodyPr elements, nearest first
    force_bold: bool = False


def _family(rprs: list[Any], ctx: Slide) -> str:
    for rpr in rprs:
        if rpr is None:
            continue
        latin = rpr.find(A + "latin")
        if latin is not None and latin.get("typeface"):
            face = latin.get("typeface")
            return ctx.theme_fonts.get(face, face) if face.startswith("+") else face
    return ctx.theme_fonts.get("+mn-lt", "")


def _run_style(rpr: Any, level: list[Any], ctx: Slide, scale: float, force_bold: bool) -> tuple[Style, bool]:
    """The run's Style and whether it is set in capitals."""
    rprs = [rpr] + [p.find(A + "defRPr") for p in level if p is not None]
    size = first_attr(rprs, "sz")
    bold = first_attr(rprs, "b")
    shift = first_attr(rprs, "baseline")
    cap = first_attr(rprs, "cap")
    family = _family(rprs, ctx)
    style = Style(
        size=(int(size) / 100 if size and size.isdigit() else DEFAULT_SIZE_PT) * scale,
        bold=(bold in TRUE) if bold is not None else (force_bold or "bold" in family.lower()),
        italic=first_attr(rprs, "i") in TRUE,
        shift=int(shift) / 100000 if shift and shift.lstrip("-").isdigit() else 0.0,
        family=family,
    )
    return style, cap in ("all", "small")


_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))  # fmt: skip


def _autonumber(kind: str, n: int) -> str:
    """The label PowerPoint prints for auto-numbered paragraph n of scheme `kind` (ST_TextAutonumberScheme)."""
    if kind.startswith("alpha"):
        label = ""
        while n > 0:
            n, r = divmod(n - 1, 26)
            label = chr(97 + r) + label
        label = label.upper() if "Uc" in kind else label
    elif kind.startswith("roman"):
        label, rest = "", n
        for value, numeral in _ROMAN:
            while rest >= value:
                label, rest = label + numeral, rest - value
        label = label.upper() if "Uc" in kind else label
    else:
        label = str(n)
    if kind.endswith("ParenBoth"):
        return f"({label})"
    if kind.endswith("ParenR"):
        return f"{label})"
    if kind.endswith("Plain"):
        return label
    return f"{label}."


_SPACE = re.compile(r"(\s+)")
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\ufeff"))


def _paragraph_items(p: Any, level: list[Any], ctx: Slide, scale: float, force_bold: bool) -> list[Any]:
    """The paragraph as words (lists of same-style pieces), spaces (their style) and breaks (None)."""
    items: list[Any] = []
    word: list[_Piece] = []

    def close() -> None:
        nonlocal word
        if word:
            items.append(word)
            word = []

    def runs(parent: Any) -> Iterator[Any]:
        for child in parent:
            if child.tag == MC + "AlternateContent":
                fallback = child.find(MC + "Fallback")
                if fallback is not None:
                    yield from runs(fallback)
            else:
                yield child

    for child in runs(p):
        if child.tag == A + "br":
            close()
            items.append(None)
            continue
        if child.tag not in (A + "r", A + "fld"):
            continue
        t = child.find(A + "t")
        text = (t.text or "") if t is not None else ""
        if not text:
            continue
        style, caps = _run_style(child.find(A + "rPr"), level, ctx, scale, force_bold)
        text = text.translate(_INVISIBLE)
        if caps:
            text = text.upper()
        for chunk in _SPACE.split(text):
            if not chunk:
                continue
            if chunk.isspace():
                close()
                for ch in chunk:
                    if ch in "\n\v":
                        items.append(None)
                    else:
                        items.append(("tab", style) if ch == "\t" else style)
                continue
            if word and word[-1].style == style:
                word[-1].text += chunk
            else:
                word.append(_Piece(chunk, style))
    close()
    return items


def _wrap(
    items: list[Any], first_width: float, width: float, measure: Measure, fallback: float
) -> list[_Line]:
    """Greedy line breaking, as PowerPoint does: a word goes to the next line when it would pass
    the right edge. A word longer than a whole line (a URL) PowerPoint breaks between letters over
    several rows; here it stays one word (a URL cut in two is no URL), alone on a line as tall as
    those rows, its box narrowed to the line so it stays in its column."""
    lines = [_Line()]
    pending = 0.0
    for item in items:
        line = lines[-1]
        if item is None:
            line.broken = True
            lines.append(_Line())
            pending = 0.0
            continue
        if isinstance(item, Style):
            pending += measure.width(" ", item) if line.words else 0.0
            line.size = max(line.size, item.size)
            continue
        if isinstance(item, tuple):  # a tab: to the next default tab stop (1 inch), as a wide space
            pending += (72.0 - (line.width + pending) % 72.0) if line.words else 0.0
            continue
        w = sum(measure.width(piece.text, piece.style) for piece in item)
        limit = first_width if len(lines) == 1 else width
        if line.words and line.width + pending + w > limit:
            line = _Line()
            lines.append(line)
            pending = 0.0
            limit = width
        word = _Word(item, x=line.width + pending)
        if not line.words and w > limit > 0:
            word.squeeze = limit / w
            line.rows = math.ceil(w / limit)
            w = limit
        line.words.append(word)
        line.width += pending + w
        pending = 0.0
        line.size = max(line.size, *(piece.style.size for piece in item))
        if line.rows > 1:
            lines.append(_Line())
    if len(lines) > 1 and not lines[-1].words and lines[-2].rows > 1 and not lines[-2].broken:
        lines.pop()  # the break after a long word ended the paragraph after all
    for line in lines:
        if line.size == 0:
            line.size = fallback
    return lines


def _spacing(el: Any, size: float, default: float) -> float:
    """A spcBef/spcAft/lnSpc value: points (spcPts, in 1/100 pt) or a share of `size` (spcPct)."""
    if el is None:
        return default
    pts = el.find(A + "spcPts")
    if pts is not None:
        return int_attr(pts, "val") / 100
    pct = el.find(A + "spcPct")
    if pct is not None:
        return int_attr(pct, "val") / 100000 * size
    return default


def layout_body(
    tb: TextBody, box: tuple[float, float, float, float], ctx: Slide
) -> tuple[list[Block], float]:
    """Lay the text body out in `box` (points): one Block per paragraph, and the content height."""
    x0, y0, bw, bh = box
    props = tb.body_props
    insets = [
        to_int(first_attr(props, name), default) / EMU_PER_PT
        for name, default in zip(("lIns", "tIns", "rIns", "bIns"), DEFAULT_INSETS, strict=True)
    ]
    left, top, right, bottom = insets
    wrap = first_attr(props, "wrap") != "none"
    anchor = first_attr(props, "anchor") or "t"
    own = tb.body.find(A + "bodyPr")
    autofit = own.find(A + "normAutofit") if own is not None else None
    scale = to_int(autofit.get("fontScale"), 100000) / 100000 if autofit is not None else 1.0
    spacing_cut = to_int(autofit.get("lnSpcReduction"), 0) / 100000 if autofit is not None else 0.0
    inner_w = max(bw - left - right, 1.0)

    placed: list[tuple[list[tuple[_Line, float]], float, float]] = []  # lines with x, paragraph top
    cursor = 0.0
    numbering: dict[int, tuple[str, int]] = {}
    for index, p in enumerate(tb.body.iter(A + "p")):
        ppr = p.find(A + "pPr")
        lvl = to_int(ppr.get("lvl") if ppr is not None else None, 0)
        level = [ppr] + [s.find(f"{A}lvl{lvl + 1}pPr") for s in tb.styles]
        items = _paragraph_items(p, level, ctx, scale, tb.force_bold)
        end = p.find(A + "endParaRPr")
        end_style, _ = _run_style(end, level, ctx, scale, tb.force_bold)
        first_style = next((it[0].style for it in items if isinstance(it, list)), end_style)
        size = first_style.size
        mar_l = to_int(first_attr(level, "marL"), 0) / EMU_PER_PT
        indent = to_int(first_attr(level, "indent"), 0) / EMU_PER_PT
        algn = first_attr(level, "algn") or "l"

        bullet = _bullet(level, items, first_style, numbering, lvl, ctx)
        text_left = mar_l if bullet is not None and indent < 0 else mar_l + indent
        first_w = inner_w - text_left if wrap else math.inf
        later_w = inner_w - mar_l if wrap else math.inf
        lines = _wrap(items, first_w, later_w, ctx.measure, end_style.size)
        if bullet is not None and lines[0].words:
            b_word = _Word([_Piece(bullet, replace(first_style, bold=False, shift=0.0))])
            gap = ctx.measure.width(bullet + " ", b_word.pieces[0].style)
            start = mar_l + indent
            if indent >= 0:  # no hanging indent: the text follows the bullet
                text_left = start + gap
            b_word.x = start - text_left
            lines[0].words.insert(0, b_word)

        if index > 0:
            cursor += _spacing(first_child(level, (A + "spcBef",)), size * LINE_HEIGHT, 0.0)
        line_spacing = first_child(level, (A + "lnSpc",))
        para_top = cursor
        laid: list[tuple[_Line, float]] = []
        for i, line in enumerate(lines):
            single = LINE_HEIGHT * line.size
            height = _spacing(line_spacing, single, single) * line.rows
            if line_spacing is not None and line_spacing.find(A + "spcPct") is not None:
                height *= 1 - spacing_cut
            start = text_left if i == 0 else mar_l
            slack = inner_w - start - line.width  # without wrapping, alignment is within the box all the same
            if algn == "ctr":
                start += slack / 2
            elif algn == "r":
                start += slack
            elif algn in ("just", "dist") and wrap and i < len(lines) - 1 and not line.broken:
                _justify(line, slack)
            cursor += height
            line.bottom = cursor
            laid.append((line, start))
        cursor += _spacing(first_child(level, (A + "spcAft",)), size * LINE_HEIGHT, 0.0)
        placed.append((laid, para_top, cursor))

    content_h = cursor
    if anchor == "ctr":
        origin_y = y0 + top + (bh - top - bottom - content_h) / 2
    elif anchor == "b":
        origin_y = y0 + bh - bottom - content_h
    else:
        origin_y = y0 + top
    origin_x = x0 + left

    blocks: list[Block] = []
    for laid, _, _ in placed:
        block = Block()
        for line, start in laid:
            words = _place(line, origin_x + start, origin_y + line.bottom, ctx.measure)
            if words:
                block.lines.append(line_of(words))
        if block.lines:
            fit_block(block)
            blocks.append(block)
    return blocks, content_h + top + bottom


def _justify(line: _Line, slack: float) -> None:
    """Spread a justified line's slack over its word gaps (the bullet, left of 0, stays put)."""
    words = [w for w in line.words if w.x >= 0]
    if len(words) < 2 or slack <= 0:
        return
    for i, word in enumerate(words):
        word.x += slack * i / (len(words) - 1)
    line.width += slack


def to_int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _bullet(
    level: list[Any], items: list[Any], style: Style, numbering: dict, lvl: int, ctx: Slide
) -> str | None:
    """The bullet printed before the paragraph, if any (buChar, buAutoNum, a picture bullet)."""
    if not any(isinstance(it, list) for it in items):
        return None
    kind = first_child(level, (A + "buNone", A + "buChar", A + "buAutoNum", A + "buBlip"))
    if kind is None or kind.tag == A + "buNone":
        numbering.pop(lvl, None)
        return None
    if kind.tag == A + "buAutoNum":
        scheme = kind.get("type", "arabicPeriod")
        prev = numbering.get(lvl)
        n = prev[1] + 1 if prev and prev[0] == scheme else min(max(to_int(kind.get("startAt"), 1), 1), 32767)
        numbering[lvl] = (scheme, n)
        return _autonumber(scheme, n)
    numbering.pop(lvl, None)
    if kind.tag == A + "buBlip":
        return "•"
    char = kind.get("char") or "•"
    font = first_child(level, (A + "buFont",))
    face = (font.get("typeface") or "").lower() if font is not None else ""
    return "•" if any(s in face for s in _SYMBOL_FONTS) else char


def _place(line: _Line, x: float, bottom: float, measure: Measure) -> list[Word]:
    """Model words for a laid-out line whose box ends at `bottom` (a new word at each style
    change, touching the previous one, as pdfalto splits them)."""
    baseline = bottom - DESCENT * line.size
    out: list[Word] = []
    for word in line.words:
        wx = x + word.x
        for piece in word.pieces:
            st = piece.style
            size = st.glyph_size
            w = measure.width(piece.text, st) * word.squeeze
            base = baseline - st.shift * st.size
            out.append(
                Word(
                    text=piece.text,
                    x=wx,
                    y=base - WORD_ASCENT * size,
                    w=w,
                    h=WORD_HEIGHT * size,
                    font_size=round(size, 2),
                    bold=st.bold,
                    italic=st.italic,
                    superscript=st.shift > 0,
                    font_family=st.family or "default",
                )
            )
            wx += w
    return out


def line_of(words: list[Word]) -> Line:
    x = min(w.x for w in words)
    y = min(w.y for w in words)
    return Line(words=words, x=x, y=y, w=max(w.right for w in words) - x, h=max(w.bottom for w in words) - y)


def fit_block(block: Block) -> None:
    block.x = min(ln.x for ln in block.lines)
    block.y = min(ln.y for ln in block.lines)
    block.w = max(ln.right for ln in block.lines) - block.x
    block.h = max(ln.bottom for ln in block.lines) - block.y


_MEASURE: Measure | None = None  # type: ignore[assignment]  # created on first use (loads a font)


def measure() -> Measure:
    global _MEASURE
    if _MEASURE is None:
        _MEASURE = Measure()
    return _MEASURE
