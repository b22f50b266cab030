"""Layout pipeline: run the stages over a `Page` and assemble poster-json v0.2.

Order matters and is fixed: lines → banner (title, creator zone) → reading order of the
body → sections and captions → fields read off the text. Each stage is a small module
under `extraction/stages/` and can be tested alone on hand-made pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from extraction import normalize
from extraction.model import Page
from extraction.profile import SourceProfile, for_source
from extraction.stages import creators, figures, header, lines, metadata, reading_order, sections
from extraction.stages.headings import is_heading, is_standard_name
from extraction.vocab import names

LABEL_CHARS = 10
DATA_VALUE = re.compile(r"(?<![\d.])\d+\.\d+(?![\d.])")
SCHEMA_URI = "https://posters.science/schema/v0.2/poster_schema.json"
# Section names come from one table (vocab.SECTION_NAMES), by role.
ABSTRACT = re.compile(rf"^\s*({names('abstract')})\b", re.I)
# Sections that list other works and funders: their DOIs and URLs are not the poster's.
CITED = re.compile(rf"^\s*(?:\d+\.?\s*)?({names('cited', 'funding')})\b", re.I)
REFERENCES = re.compile(rf"^\s*(?:\d+\.?\s*)?({names('cited')})\b", re.I)
# Headings under which a poster's opening section serves as its summary when no abstract is printed.
OPENING = re.compile(rf"^\s*(?:\d+\.?\s*)?({names('introduction', 'conclusions')})\b", re.I)


def label_sizes(all_lines: list[lines.TextLine]) -> set[int]:
    """Font sizes used only for short labels (axis ticks, legends): under LABEL_CHARS characters a line on average."""
    chars: dict[int, int] = {}
    count: dict[int, int] = {}
    for ln in all_lines:
        key = round(ln.size)
        chars[key] = chars.get(key, 0) + len(ln.text)
        count[key] = count.get(key, 0) + 1
    return {k for k in chars if chars[k] / count[k] < LABEL_CHARS}


def figure_text(line: lines.TextLine, body: float, labels: set[int]) -> bool:
    """Text inside charts and diagrams: set in a label-only size below the body size, or a lone glyph."""
    if len(line.text.strip()) <= 1:
        return True
    if DATA_VALUE.search(line.text):
        # Data values printed on a chart (bar labels, table cells) are facts the poster reports.
        return False
    return round(line.size) in labels and line.size < body


FOOT_SHARE = 0.75  # an author or contact block at the foot starts below 75% of the page height


def labelled_block(all_lines: list[lines.TextLine]) -> list[lines.TextLine]:
    """Lines of a block that opens with an author label ("Authors:", "Autores"), wherever it is:
    the label and the lines set under it in its column, up to a heading or a wide gap."""
    out: list[lines.TextLine] = []
    for i, ln in enumerate(all_lines):
        if not creators.author_label(ln):
            continue
        out.append(ln)
        last = ln
        for nxt in all_lines[i + 1 :]:
            if nxt.y - last.bottom > 2.0 * max(last.size, 1) or len(out) > 20:
                break
            in_column = (
                nxt.x < last.right + last.size and nxt.right > ln.x - ln.size and nxt.x >= ln.x - ln.size
            )
            if not in_column or nxt.y < last.y + 0.3 * last.size:
                continue
            if is_standard_name(nxt.plain_text):
                break
            out.append(nxt)
            last = nxt
    return out


def creator_regions(
    head: header.Header, all_lines: list[lines.TextLine], height: float, cited: set[int] | None = None
) -> list[creators.Region]:
    """Where posters print their authors, in the order they are looked for.

    `cited`: ids of lines in reference and acknowledgement sections, whose names are other
    people's (a reference list at the foot reads like bylines).
    """
    cited = cited or set()
    foot = [ln for ln in all_lines if ln.y > height * FOOT_SHARE and id(ln) not in cited]
    return [
        creators.Region("under the title", head.zone, accept_weak=True),
        creators.Region("above the title", head.above, grouped=True),
        creators.Region("beside the title", head.side, grouped=True),
        creators.Region("labelled block", labelled_block(all_lines)),
        creators.Region("foot", foot, grouped=True, needs_affiliation=True),
    ]


@dataclass
class Note:
    """A structured warning: what was left out or how a value was obtained."""

    message: str
    field: str = ""  # the poster-json field it concerns, when it concerns one


@dataclass
class Layout:
    """What the stages found on a page, before any poster-json is written."""

    page: Page
    profile: SourceProfile
    lines: list[lines.TextLine]
    body: float
    header: header.Header
    authors: creators.Authors
    sections: list[sections.Section]
    captions: list[sections.Caption]

    @property
    def typographic_title(self) -> bool:
        """A title set apart by its size was found (else the headline may be drawn as graphics)."""
        return self.header.typographic


def analyse(page: Page) -> Layout:
    """Run the stages over a page. The page is not modified."""
    profile = for_source(page.source)
    all_lines = lines.collect(page, reach=profile.fragment_reach)
    body = lines.body_size(all_lines)
    head = header.find(
        all_lines,
        page.height,
        body,
        size_tolerance=profile.title_size_tolerance,
        heading_ratio=profile.heading_ratio,
    )
    title_ids = {id(t) for t in head.lines}
    zone_ids = {id(z) for z in head.zone}
    # A figure panel beside the banner is mostly picture (axis ticks, QR-code notes); only its
    # caption, a block that opens with "Figure N" / "Table N", joins the body.
    side_caption_blocks = {
        ln.block
        for ln in all_lines
        if ln.y < head.body_top and head.beside(ln) and sections.CAPTION.match(ln.plain_text)
    }
    body_lines = [
        ln
        for ln in all_lines
        if id(ln) not in title_ids
        and id(ln) not in zone_ids
        and (ln.y >= head.body_top or (ln.block in side_caption_blocks and head.beside(ln)))
    ]
    labels = label_sizes(all_lines)
    body_lines = [ln for ln in body_lines if not figure_text(ln, body, labels)]
    # Without exact weights (OCR), the image backend flags coloured text instead. When it found
    # some, that colour is what marks headings on this page.
    emphasis_only = not profile.exact_weight and any(ln.bold for ln in body_lines)
    figures.mark_unlabelled(
        body_lines,
        page.images,
        page.width,
        page.height,
        lambda ln: is_heading(ln, body, None, profile.heading_ratio, emphasis_only),
    )
    ordered = reading_order.order(body_lines, body, gutter=profile.column_gutter)
    figures.mark_after_pictures(ordered, page.images, page.width, page.height)
    secs, caps = sections.split(
        ordered, body, heading_ratio=profile.heading_ratio, emphasis_only=emphasis_only
    )
    cited = {id(ln) for s in secs if CITED.match(s.title) for ln in s.lines}
    authors = creators.from_regions(creator_regions(head, all_lines, page.height, cited))
    return Layout(page, profile, all_lines, body, head, authors, secs, caps)


def assemble(layout: Layout) -> tuple[dict[str, Any], list[Note]]:
    """poster-json v0.2 from a layout, and notes on what was left out."""
    page, all_lines, head, secs, caps = (
        layout.page,
        layout.lines,
        layout.header,
        layout.sections,
        layout.captions,
    )
    notes: list[Note] = []
    doc: dict[str, Any] = {"$schema": SCHEMA_URI}
    if layout.authors.creators:
        doc["creators"] = layout.authors.creators
    title = head.text
    if title:
        doc["titles"] = [{"title": title}]

    # A section printed without a heading has no sectionTitle: a placeholder would be invented.
    words = sections.vocabulary([ln.text for ln in all_lines])
    content = [
        {
            **({"sectionTitle": s.title} if s.title else {}),
            "sectionContent": sections.dehyphenate(s.content, words),
        }
        for s in secs
        if s.content.strip()
    ]
    if content:
        doc["content"] = {"sections": content}
    figs = [c for c in caps if c.kind == "figure"]
    tabs = [c for c in caps if c.kind == "table"]
    doc["imageCaptions"] = [
        {"id": f"fig{i}", "caption": sections.dehyphenate(c.text, words)} for i, c in enumerate(figs, 1)
    ]
    doc["tableCaptions"] = [
        {"id": f"table{i}", "caption": sections.dehyphenate(c.text, words)} for i, c in enumerate(tabs, 1)
    ]

    title_ids = {id(t) for t in head.lines}
    full_text = "\n".join(ln.text for ln in all_lines)
    outside_body = [ln.text for ln in all_lines if id(ln) not in title_ids and ln.y < head.body_top]
    footer = [ln.text for ln in all_lines if ln.y > page.height * 0.9]
    cited = {id(ln) for s in secs if CITED.match(s.title) for ln in s.lines}
    references = {id(ln) for s in secs if REFERENCES.match(s.title) for ln in s.lines}
    own_dois, related = metadata.doi_roles(all_lines, cited, references)
    printed = metadata.identifiers("\n".join(ln.text for ln in all_lines if id(ln) not in cited))
    ids = own_dois + [i for i in printed if i["identifierType"] != "DOI"]
    if ids:
        doc["identifiers"] = ids
    if related:
        doc["relatedIdentifiers"] = related

    body_text = " ".join(s["sectionContent"] for s in content)
    lang = metadata.language(body_text or full_text)
    if lang:
        doc["language"] = lang

    abstract = next((s for s in secs if ABSTRACT.match(s.title) and s.content.strip()), None)
    if abstract is None:
        # No abstract printed: the opening section (untitled lead text, introduction, background, or
        # the conclusions a poster leads with) is the poster's own summary, quoted verbatim.
        first = next((s for s in secs if s.content.strip()), None)
        if (
            first is not None
            and (not first.title or OPENING.match(first.title))
            and len(first.content.split()) >= 30
        ):
            abstract = first
    if abstract is not None:
        doc["descriptions"] = [
            {"description": sections.dehyphenate(abstract.content, words), "descriptionType": "Abstract"}
        ]

    keywords = metadata.keywords_line([ln.text for ln in all_lines])
    if not keywords:
        keywords = metadata.yake_subjects(body_text, lang)
    if keywords:
        doc["subjects"] = [{"subject": k} for k in keywords]

    conf = metadata.conference(
        outside_body + footer + [ln.text for ln in all_lines if ln.y < page.height * 0.15]
    )
    if conf:
        doc["conference"] = conf
    banner = [ln.text for ln in all_lines if ln.y < head.body_top and ln.y < page.height * 0.3]
    year = metadata.publication_year(conf, "\n".join(banner))
    if year:
        doc["publicationYear"] = year
    rights = metadata.rights(full_text)
    if rights:
        doc["rightsList"] = rights
    doc["formats"] = [page.media_type]

    if "creators" not in doc:
        notes.append(
            Note(
                "no authors are printed on the poster (or none could be told apart); creators left out",
                "creators",
            )
        )
    for required in ("titles", "publicationYear", "subjects", "descriptions", "conference"):
        if required not in doc:
            notes.append(
                Note(f"no evidence on the poster for required field '{required}'; left out", required)
            )
    notes.append(Note("publisher is not printed on posters; left out for the service to fill", "publisher"))
    standard_notes: list[str] = []
    doc = normalize.standardise(doc, standard_notes)
    notes.extend(Note(text) for text in standard_notes)
    return doc, notes


def build(page: Page) -> dict[str, Any]:
    """poster-json v0.2 for one page (notes dropped): the stages and the assembler in one call."""
    doc, _notes = assemble(analyse(page))
    return doc
