"""PDF backend: pdfalto turns page 1 into ALTO XML, which becomes a `Page`.

pdfalto is the tool the reference pipeline uses too; its ALTO keeps every word's box and
font (size, bold, italic, superscript), which is all the layout stages need. It runs as a
separate process under `sandbox.run_limited`, so a hostile PDF can only hurt that process.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

from lxml import etree

from extraction.errors import CorruptFileError, EngineUnavailableError
from extraction.model import Block, Line, Page, Word
from extraction.sandbox import run_limited

PDFALTO_TIMEOUT_S = 60.0
PDFALTO_MEMORY_MB = 2048


def pdfalto_binary(configured: str = "") -> str:
    """The pdfalto executable: `configured` (`ExtractOptions.pdfalto_path`) if set, else the one
    the wheel bundles, else `pdfalto` on PATH."""
    if configured:
        return configured
    try:
        from pdfalto import binary_path

        return str(binary_path())
    except Exception as exc:  # the wheel is missing or broken
        found = shutil.which("pdfalto")
        if found:
            return found
        raise EngineUnavailableError(
            "the PDF converter (pdfalto) is not installed; install the `pdfalto` package or set PDFALTO_PATH"
        ) from exc


def pdfalto_command(pdf: Path, out_xml: Path, pdfalto_path: str = "") -> list[str]:
    """Page 1 only; bitmaps as coordinates only (no files written, no vector graphics): text plus
    where the pictures are, which is what tells an unlabelled caption from running text."""
    return [
        pdfalto_binary(pdfalto_path),
        "-q",
        "-onlyGraphsCoord",
        "-noLineNumbers",
        "-f",
        "1",
        "-l",
        "1",
        str(pdf),
        str(out_xml),
    ]


def load(path: Path, pdfalto_path: str = "") -> Page:
    """Run pdfalto (`pdfalto_path`, else the bundled one) on page 1 of `path` and parse its ALTO
    into a `Page`."""
    with tempfile.TemporaryDirectory(prefix="posterx-alto-") as tmp:
        out_xml = Path(tmp) / "page.xml"
        proc = run_limited(
            pdfalto_command(path, out_xml, pdfalto_path),
            timeout_s=PDFALTO_TIMEOUT_S,
            memory_mb=PDFALTO_MEMORY_MB,
            what="the PDF converter",
        )
        if not out_xml.exists() or out_xml.stat().st_size == 0:
            raise CorruptFileError(
                "the PDF could not be read (the converter produced no output, "
                f"exit code {proc.returncode}); the file is probably damaged or truncated: re-export it and upload again"
            )
        return parse_alto(out_xml.read_bytes())


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _box(el: etree._Element) -> tuple[float, float, float, float]:
    return (
        float(el.get("HPOS", 0)),
        float(el.get("VPOS", 0)),
        float(el.get("WIDTH", 0)),
        float(el.get("HEIGHT", 0)),
    )


def parse_alto(xml: bytes) -> Page:
    """ALTO v3 (as pdfalto writes it) to a `Page`; only the first page is read."""
    try:
        root = etree.fromstring(xml, parser=etree.XMLParser(huge_tree=True, resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        raise CorruptFileError("the PDF's text could not be read (malformed converter output)") from exc

    styles: dict[str, tuple[float, str, str]] = {}
    for el in root.iter():
        if _local(el.tag) == "TextStyle":
            styles[el.get("ID", "")] = (
                float(el.get("FONTSIZE", 0) or 0),
                (el.get("FONTSTYLE") or "").lower(),
                el.get("FONTFAMILY") or "",
            )

    page_el = next((el for el in root.iter() if _local(el.tag) == "Page"), None)
    if page_el is None:
        return Page(width=0.0, height=0.0)
    page = Page(width=float(page_el.get("WIDTH", 0)), height=float(page_el.get("HEIGHT", 0)))
    for el in page_el.iter():
        if _local(el.tag) == "Illustration" and (el.get("TYPE") or "image") == "image":
            x, y, w, h = _box(el)
            if w > 0 and h > 0:
                page.images.append((x, y, w, h))
    for block_el in page_el.iter():
        if _local(block_el.tag) != "TextBlock":
            continue
        bx, by, bw, bh = _box(block_el)
        block = Block(x=bx, y=by, w=bw, h=bh)
        for line_el in block_el:
            if _local(line_el.tag) != "TextLine":
                continue
            lx, ly, lw, lh = _box(line_el)
            line = Line(x=lx, y=ly, w=lw, h=lh)
            for s in line_el:
                if _local(s.tag) != "String":
                    continue
                text = s.get("CONTENT", "")
                if not text.strip():
                    continue
                size, style, family = styles.get(s.get("STYLEREFS", ""), (0.0, "", ""))
                x, y, w, h = _box(s)
                line.words.append(
                    Word(
                        text=text,
                        x=x,
                        y=y,
                        w=w,
                        h=h,
                        font_size=size,
                        bold="bold" in style or "bold" in family.lower(),
                        italic="italic" in style,
                        superscript="superscript" in style,
                        font_family=family,
                    )
                )
            if line.words:
                block.lines.append(line)
        if block.lines:
            page.blocks.append(block)
    _attach_accents(page)
    _join_split_accented_words(page)
    _drop_shadows(page)
    return page


def _drop_shadows(page: Page) -> None:
    """Drop a word printed a second time just offset from itself (a drop-shadow effect).

    Designers fake shadows by drawing the text twice; pdfalto then reports every word twice,
    and the copies would be read as "17 FAIR4RS 17 FAIR4RS principles principles".
    """
    kept: dict[tuple[str, int], list[Word]] = {}
    for block in page.blocks:
        for line in block.lines:
            survivors = []
            for w in line.words:
                key = (w.text, round(w.font_size))
                # A shadow is offset; a one-letter word or marker drawn twice sits on itself
                # (a one-letter word may legitimately repeat a little way along its line).
                reach = 0.5 if len(w.text) >= 2 else 0.15
                twin = any(
                    abs(o.x - w.x) < reach * max(w.h, 1)
                    and abs(o.y - w.y) < reach * max(w.h, 1)
                    and o is not w
                    for o in kept.get(key, [])
                )
                if not twin:
                    kept.setdefault(key, []).append(w)
                    survivors.append(w)
            line.words = survivors
        block.lines = [ln for ln in block.lines if ln.words]
    page.blocks = [b for b in page.blocks if b.lines]


# Spacing accents some PDF producers draw as separate glyphs over a letter ("Mu" + "··" for
# "Mü"), mapped to the combining mark they stand for.
_ACCENTS = {
    "··": "\u0308",
    "¨": "\u0308",
    "´": "\u0301",
    "`": "\u0300",
    "ˆ": "\u0302",
    "˜": "\u0303",
    "˚": "\u030a",
    "ˇ": "\u030c",
    "¸": "\u0327",
}
_ACCENT_WORD = re.compile(r"^(··|[¨´`ˆ˜˚ˇ¸])$")


def _accented(ch: str) -> bool:
    return len(unicodedata.normalize("NFD", ch)) > 1


def _join_split_accented_words(page: Page) -> None:
    """Rejoin a word the text layer cut at an accented letter ("Sz" + "őke", "Aydo" + "gan").

    Type 1 fonts draw such letters as composite glyphs, and pdfalto starts a new word there
    (sometimes losing the accent). The cut is far narrower than the line's word spaces, and
    the word goes on in lower case, or borders an accented letter.
    """
    for block in page.blocks:
        for line in block.lines:
            ws = line.words
            gaps = sorted(b.x - a.right for a, b in zip(ws, ws[1:], strict=False) if not b.superscript)
            if len(gaps) < 2:
                continue
            space = gaps[len(gaps) // 2]
            out = [ws[0]]
            for w in ws[1:]:
                prev = out[-1]
                gap = w.x - prev.right
                size = max(prev.font_size or prev.h, 1.0)
                split = (
                    not w.superscript
                    and not prev.superscript
                    and gap < min(0.55 * space, 0.2 * size)
                    and prev.text[-1:].isalpha()
                    and w.text[:1].isalpha()
                    and (
                        _accented(w.text[0])
                        or _accented(prev.text[-1])
                        or (w.text[0].islower() and gap < 0.15 * size)
                    )
                )
                if split:
                    prev.text += w.text
                    prev.w = w.right - prev.x
                else:
                    out.append(w)
            line.words = out


def _attach_accents(page: Page) -> None:
    """Put stray accent glyphs back on the letter under them, and rejoin the split word.

    pdfalto emits such an accent as its own word, which cuts a name like "Münz-Manor" into
    "M", "··" and "unz-Manor" and loses the umlaut; names and words must come out whole.
    """
    words = [(line, w) for b in page.blocks for line in b.lines for w in line.words]
    for line, acc in words:
        if not _ACCENT_WORD.match(acc.text):
            continue
        centre = acc.x + acc.w / 2
        base = next(
            (
                (ln, w)
                for ln, w in words
                if w is not acc
                and not _ACCENT_WORD.match(w.text)
                and w.x - 0.1 * w.h <= centre <= w.right
                and abs(w.y - acc.y) < max(w.h, acc.h)
            ),
            None,
        )
        if base is None:
            continue
        base_line, word = base
        i = min(len(word.text) - 1, max(0, int((centre - word.x) / max(word.w, 1e-6) * len(word.text))))
        word.text = unicodedata.normalize("NFC", word.text[: i + 1] + _ACCENTS[acc.text] + word.text[i + 1 :])
        line.words.remove(acc)
        # The letters before the accented one were cut into a word ending exactly where it starts.
        lead = next(
            (
                (ln, w)
                for ln, w in words
                if w is not word
                and w is not acc
                and abs(w.right - word.x) < 0.05 * max(word.h, 1)
                and abs(w.bottom - word.bottom) < 0.2 * max(word.h, 1)
            ),
            None,
        )
        if lead is not None:
            lead_line, prev = lead
            prev.text += word.text
            prev.w = word.right - prev.x
            base_line.words.remove(word)
    for block in page.blocks:
        block.lines = [ln for ln in block.lines if ln.words]
    page.blocks = [b for b in page.blocks if b.lines]
