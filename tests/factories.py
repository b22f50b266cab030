"""Small posters drawn with fpdf2, so tests never depend on ../shared.

`poster_pdf` lays out what the layout engine must recover: a large title, an author line
with superscript affiliation markers, numbered affiliations, headed sections in columns
(with bullets), and figure/table captions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF

from extraction.model import Block, Line, Page, Word
from extraction.stages.lines import TextLine, make_line

# Stage tests build pages by hand: `line()` draws one printed line, `page_of()` a whole page.


def line(
    text: str,
    x: float = 100.0,
    y: float = 0.0,
    size: float = 20.0,
    bold: bool = False,
    block: int = 0,
    italic: bool = False,
    font: str = "Helvetica",
    width: float | None = None,
) -> TextLine:
    """A printed line; `^{1,2}` is a superscript word ("Anna Berg^{1}, Carl Dunn^{2}").

    Words are laid out left to right at half an em per character, as a proportional font is;
    `width` stretches or squeezes them to fill exactly that width (a justified line, a column).
    """
    words: list[Word] = []
    cursor = x
    for token in re.findall(r"\^\{[^}]*\}|[^\s^]+", text):
        sup = token.startswith("^{")
        t = token[2:-1] if sup else token
        fs = size * 0.6 if sup else size
        w = len(t) * fs * 0.5
        words.append(
            Word(
                text=t,
                x=cursor,
                y=y - size * 0.3 if sup else y,
                w=w,
                h=fs,
                font_size=fs,
                bold=bold,
                italic=italic,
                superscript=sup,
                font_family=font,
            )  # fmt: skip
        )
        cursor += w + (size * 0.1 if sup else size * 0.3)
    if width is not None and words:
        natural = words[-1].right - x
        scale = width / natural if natural > 0 else 1.0
        for w in words:
            w.x = x + (w.x - x) * scale
            w.w *= scale
    return make_line(words, block)


def page_of(
    lines: list[TextLine], width: float = 2000.0, height: float = 2800.0, source: str = "pdfalto"
) -> Page:
    """A page whose blocks are the given lines, one block per line (as a backend would give)."""
    blocks = []
    for tl in lines:
        ln = Line(words=list(tl.words), x=tl.x, y=tl.y, w=tl.w, h=tl.h)
        blocks.append(Block(lines=[ln], x=tl.x, y=tl.y, w=tl.w, h=tl.h))
    return Page(width=width, height=height, blocks=blocks, source=source)


@dataclass
class PosterSpec:
    title: str = "Graph Methods for Tracking Coral Reef Recovery"
    authors: list[tuple[str, str]] = field(
        default_factory=lambda: [("Maria Lopez", "1"), ("John Smith", "1,2"), ("Aiko Tanaka", "2")]
    )
    affiliations: list[str] = field(
        default_factory=lambda: [
            "University of Testing, Springfield, USA",
            "Institute of Examples, Berlin, Germany",
        ]
    )
    sections: list[tuple[str, str]] = field(
        default_factory=lambda: [
            ("Abstract", "We describe a method that tracks the recovery of coral reefs from repeated surveys. "
                         "It combines graph matching with growth models and runs on 1,250 sites."),
            ("Methods", "- Survey photographs are aligned to a common grid.\n"
                        "- Colonies are matched across years with a bipartite graph."),
            ("Results", "Recovery was detected at 312 of 1,250 sites with a precision of 0.91 and a recall "
                        "of 0.87 across the whole study period."),
            ("Conclusions", "Graph matching makes reef monitoring cheaper and repeatable for field teams."),
        ]
    )  # fmt: skip
    captions: list[str] = field(
        default_factory=lambda: [
            "Figure 1. Survey sites along the northern reef.",
            "Table 1. Detection scores per region.",
        ]
    )
    keywords: str = "Keywords: coral reefs, graph matching, monitoring"
    footer: str = "DOI: 10.5281/zenodo.1234567"


def poster_pdf(path: Path, spec: PosterSpec | None = None, columns: int = 2) -> Path:
    spec = spec or PosterSpec()
    pdf = FPDF(orientation="P", unit="pt", format=(1200, 1600))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 44)
    pdf.set_xy(60, 60)
    pdf.multi_cell(1080, 52, spec.title, align="C")
    # Authors with superscript markers.
    pdf.set_font("Helvetica", "", 24)
    y = pdf.get_y() + 20
    line = []
    for i, (name, marker) in enumerate(spec.authors):
        line.append((name, marker, i < len(spec.authors) - 1))
    width = sum(pdf.get_string_width(n + ", ") + 14 for n, _, _ in line)
    pdf.set_xy(max(60, (1200 - width) / 2), y)
    for name, marker, comma in line:
        pdf.set_font("Helvetica", "", 24)
        pdf.write(30, name)
        pdf.set_font("Helvetica", "", 14)
        pdf.char_vpos = "SUP"
        pdf.write(30, marker)
        pdf.char_vpos = "LINE"
        pdf.set_font("Helvetica", "", 24)
        if comma:
            pdf.write(30, ", ")
    y += 44
    for i, aff in enumerate(spec.affiliations, 1):
        pdf.set_xy(200, y)
        pdf.set_font("Helvetica", "", 12)
        pdf.char_vpos = "SUP"
        pdf.write(22, str(i))
        pdf.char_vpos = "LINE"
        pdf.set_font("Helvetica", "", 18)
        pdf.write(22, " " + aff)
        y += 28
    # Body in columns.
    top = y + 40
    col_w = (1080 - (columns - 1) * 60) / columns
    per_col = (len(spec.sections) + columns - 1) // columns
    for idx, (heading, text) in enumerate(spec.sections):
        col = idx // per_col
        if idx % per_col == 0:
            cy = top
        x = 60 + col * (col_w + 60)
        pdf.set_xy(x, cy)
        pdf.set_font("Helvetica", "B", 30)
        pdf.multi_cell(col_w, 36, heading)
        pdf.set_font("Helvetica", "", 20)
        for para in text.split("\n"):
            pdf.set_x(x)
            pdf.multi_cell(col_w, 26, para)
        cy = pdf.get_y() + 30
        if col == columns - 1 and idx == len(spec.sections) - 1:
            for cap in spec.captions:
                pdf.set_x(x)
                pdf.set_font("Helvetica", "I", 16)
                pdf.multi_cell(col_w, 22, cap)
                pdf.set_y(pdf.get_y() + 16)
    pdf.set_font("Helvetica", "", 18)
    pdf.set_xy(60, 1480)
    pdf.cell(1080, 24, spec.keywords)
    pdf.set_xy(60, 1520)
    pdf.cell(1080, 24, spec.footer)
    pdf.output(str(path))
    return path


# Hostile and broken inputs, built small and fast.


def truncated_pdf(path: Path, source: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path


def encrypted_pdf(path: Path, source: Path, password: str = "secret") -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(str(source)).pages:
        writer.add_page(page)
    writer.encrypt(user_password=password, owner_password=password + "-owner")
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def many_pages_pdf(path: Path, pages: int) -> Path:
    pdf = FPDF(unit="pt", format=(600, 800))
    pdf.set_font("Helvetica", "", 12)
    for i in range(pages):
        pdf.add_page()
        pdf.text(50, 50, f"Page {i + 1}")
    pdf.output(str(path))
    return path


def scanned_pdf(path: Path, source: Path, scale: float = 1.5) -> Path:
    """The poster rendered to pixels and wrapped in a PDF with no text layer, as a scanner makes."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(source))
    image = doc[0].render(scale=scale).to_pil().convert("RGB")
    w_pt, h_pt = doc[0].get_size()
    doc.close()
    png = path.with_suffix(".scan.png")
    image.save(png)
    pdf = FPDF(unit="pt", format=(w_pt, h_pt))
    pdf.add_page()
    pdf.image(str(png), x=0, y=0, w=w_pt, h=h_pt)
    pdf.output(str(path))
    png.unlink()
    return path


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A valid PNG header declaring width×height with almost no pixel data: a decompression bomb
    in shape, costing nothing to build."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + chunk(b"IEND", b"")
    )
    path.write_bytes(body)
    return path


def docx(path: Path) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><document>Poster</document>')
    return path


def stream_bomb_pdf(path: Path, megabytes: int = 1024) -> Path:
    """A one-page PDF whose content stream inflates to `megabytes` MB of drawing operators."""
    import zlib

    comp = zlib.compressobj(9)
    chunk = b"0 0 m 1 1 l S\n" * 4096
    parts = [comp.compress(chunk) for _ in range(megabytes * 1024 * 1024 // len(chunk))]
    stream = b"".join(parts) + comp.flush()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))
    return path
