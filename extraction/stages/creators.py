"""Creators and affiliations from the lines where a poster prints its authors.

The conventions followed, each with a stage test in tests/extraction/test_stages_creators.py:

- A byline lists people joined by commas, semicolons, "and" / "&" (or the same word in the
  poster's language) or line breaks. A person needs evidence: a name-shaped chunk
  (`names.parse`), and either a second person on the line, an affiliation marker, or an
  affiliation, e-mail or student number printed with it.
- Affiliations link to people by markers (digits, letters, symbols, superscripts in the text
  or raised above the line), by being printed in the same line ("Name (Institution)",
  "Name, Institution"), by following the author's own line, or, when a block holds one
  affiliation and no markers, by being shared.
- Lines labelled as another role ("Supervisor:", "Orientadora:", "Contact:") and blocks headed
  as non-authors ("Project Team Members") name no creator.
- ORCID iDs printed as URLs or bare iDs go to the person whose name precedes them, when the
  iD's check digit is right. E-mail addresses are evidence for a person, never an identifier.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from dataclasses import dataclass, field

from extraction import vocab
from extraction.stages import names
from extraction.stages.headings import is_standard_name
from extraction.stages.lines import TextLine, make_line
from extraction.stages.metadata import is_event_line

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹ᵃᵇᶜᵈᵉ", "0123456789abcde")
# Symbols posters use as affiliation or role markers.
MARKER_SYMBOLS = "*∗⁎†‡§¶#‖★☆✝✉"
_SUP_CHARS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁺" + MARKER_SYMBOLS
_MARK = "\x01"
_END = "\x02"
_MARKED = re.compile(f"{_MARK}(.*?){_END}")
GAP_SEPARATES = 1.5  # a space this many font sizes wide separates two entries of a byline
_EMAIL_TOKEN = re.compile(r"[\w.+{}\-]+@[\w\-]+(?:\.[\w\-]+)+")
_URL = re.compile(r"https?://|www\.|orcid\.org|\b\d{4}-\d{4}-\d{4}-\d{3}[\dX]\b", re.IGNORECASE)
_URL_TOKEN = re.compile(
    r"\S*(?:https?://|www\.|orcid\.org)\S*|\b\d{4}-\d{4}-\d{4}-\d{3}[\dX]\b", re.IGNORECASE
)
# Separators of a byline: commas, semicolons, "and" / "&" in the languages of the corpus' kind.
# A marker also ends a name: "Ann Berg¹ Carl Dunn²" lists two people.
_PEOPLE_SEP = re.compile(
    r"\s*[,;|·•∙⋅]\s*(?:(?:and|&)\s+)?|\s+(?:and|&)\s+" rf"|(?<={_END})\s+(?=(?-i:[A-ZÀ-Þ]))",
    re.IGNORECASE,
)
# "and" in the other languages of the corpus' kind. These are also ordinary words of titles
# ("Murciélagos en Paisajes", "Ricerca e Sviluppo"), so they split a chunk only into names.
_FOREIGN_AND = re.compile(r"^(?:und|et|e|y|en|och|og)\s+|\s+(?:und|et|e|y|en|och|og)\s+", re.IGNORECASE)
_PAREN = re.compile(r"\(([^()]*)\)")


def _same_row(a: TextLine, b: TextLine) -> bool:
    return abs(a.y - b.y) < 0.3 * max(a.size, b.size, 1.0)


def _continues(prev: TextLine, line: TextLine) -> bool:
    """`line` is the next line of `prev`'s paragraph: it wraps under it, left-aligned or mid-sentence."""
    return _wraps(prev, line) and (abs(line.x - prev.x) < prev.size or line.plain_text[:1].islower())


def _under(prev: TextLine, line: TextLine) -> bool:
    """`line` is set right under `prev`, in its column, whatever its size (a block under a heading)."""
    return 0 <= line.y - prev.bottom < 1.5 * max(prev.size, 1) and line.x < prev.right and line.right > prev.x


def _wraps(prev: TextLine, line: TextLine) -> bool:
    """`line` continues `prev`'s text block: same size, the next line down, overlapping columns."""
    size = max(prev.size, 1.0)
    return (
        abs(line.size - prev.size) < 0.1 * size
        and 0 <= line.y - prev.bottom < 0.8 * size
        and line.x < prev.right
        and line.right > prev.x
    )


# Digits glued to the end of a lower-case word ("Meena1,", "Dettori¹,2"): a marker that lost its
# superscript, as OCR and some PDF exports print them. A word in running text rarely ends so.
_GLUED = re.compile(rf"(?<=[a-zß-ÿ{_SUP_CHARS}{_END}])(\d{{1,2}}(?:[,+]\d{{1,2}}(?=[,+\s]|$))*)(?=[,;\s]|$)")
_LEADING_MARK = re.compile(r"^(\d{1,2})(?=[A-ZÀ-Þ][a-zà-ÿ])")
_GLUED_INITIALS = re.compile(r"^([A-Z]{1,3})(\d{1,2}(?:[,+]\d{1,2})*)(?=[,;]?$)")
_SYMBOL_RUN = re.compile(rf"([{_SUP_CHARS}](?:[{_SUP_CHARS}]|,(?=[{_SUP_CHARS}])|,\d{{1,2}}(?=[,;\s]|$))*)")


def marked_text(line: TextLine) -> str:
    """Line text with every marker wrapped as \\x01...\\x02 so later splits keep them apart."""
    parts: list[str] = []
    prev = None
    for w in line.words:
        size = max(prev.font_size or prev.h, w.font_size or w.h, 1.0) if prev is not None else 0.0
        if prev is not None and w.x - prev.right > GAP_SEPARATES * size:
            # Names set apart by wide spaces instead of commas (beamer's \and, table-like bylines).
            parts.append("|")
        prev = w
        if w.superscript:
            parts.append(f"{_MARK}{w.text}{_END}")
            continue
        text = unicodedata.normalize("NFKC", w.text) if any(ord(c) > 0xFF00 for c in w.text) else w.text
        # An ORCID or e-mail icon after a name reads as © or ® in OCR: it is no part of the name.
        text = text.replace("©", "").replace("®", "")
        text = _SYMBOL_RUN.sub(lambda m: f"{_MARK}{m.group(1)}{_END}", text)
        text = _GLUED.sub(lambda m: f"{_MARK}{m.group(1)}{_END}", text)
        # Initials with a marker glued on ("Ivanyi P1,", "Colombo GL3,5"), as Vancouver bylines print.
        text = _GLUED_INITIALS.sub(lambda m: f"{m.group(1)}{_MARK}{m.group(2)}{_END}", text)
        if not parts or parts[-1].endswith((",", ";")):
            # A raised marker read into the word it opens ("; 2Delta Hat Ltd"), as OCR does.
            text = _LEADING_MARK.sub(lambda m: f"{_MARK}{m.group(1)}{_END}", text)
        parts.append(text)
    return " ".join(parts)


def _unmarked(text: str) -> str:
    return re.sub(r"\s+", " ", _MARKED.sub(" ", text).replace(" | ", " ")).strip()


def marker_list(raw: str) -> list[str]:
    """'*¹⁺²' → ['*', '1', '2']; 'a,b' → ['a', 'b']: digits, letters and symbol runs are markers."""
    raw = raw.translate(_SUPERSCRIPTS)
    # A run of one symbol is one marker ("**" differs from "*"); different symbols are two.
    pattern = rf"\d+|[a-z](?![a-z])|([{re.escape(MARKER_SYMBOLS)}])\1*"
    return [m.group(0) for m in re.finditer(pattern, raw)]


@dataclass
class Person:
    name: names.Name | None
    text: str
    markers: list[str] = field(default_factory=list)
    affiliations: list[str] = field(default_factory=list)
    organizational: bool = False
    line: int = 0  # index of the line it was printed on, within the region
    emails: list[str] = field(default_factory=list)


@dataclass
class Reading:
    """What one line of a creator region says."""

    kind: str  # "people", "affiliation", "email", "url", "marker", "skip", "other"
    people: list[Person] = field(default_factory=list)
    affiliations: list[tuple[str, str]] = field(default_factory=list)  # (marker, text)
    strong: bool = False  # the people carry evidence beyond their name's shape


def _chunks(text: str) -> list[str]:
    """Split a byline on its separators, never inside a marker or parentheses."""
    out: list[str] = []
    depth = 0
    start = 0
    protected = []
    for ch in text:
        if ch in "(" + _MARK:
            depth += 1
        elif ch in ")" + _END:
            depth = max(0, depth - 1)
        protected.append(depth > 0)
    for m in _PEOPLE_SEP.finditer(text):
        if protected[m.start()]:
            continue
        out.append(text[start : m.start()])
        start = m.end()
    out.append(text[start:])
    chunks: list[str] = []
    for chunk in (c.strip() for c in out if c.strip()):
        parts = [p.strip() for p in _FOREIGN_AND.split(chunk) if p.strip()]
        if parts != [chunk] and all(names.parse(_unmarked(_PAREN.sub(" ", p))) for p in parts):
            chunks.extend(parts)
        else:
            chunks.append(chunk)
    return chunks


def _group(text: str) -> bool:
    """A named group printed as a creator ("the RECONS Team", "FAIR4RS Task Force")."""
    words = text.split()
    return (
        1 <= len(words) <= 6
        and bool(vocab.GROUP_WORDS.search(text))
        and (text[:1].isupper() or text.lower().startswith("the "))
    )


def is_affiliation_text(text: str) -> bool:
    return bool(vocab.ORG_WORDS.search(text))


def read_people(text: str) -> tuple[list[Person], list[str]]:
    """People on a byline and the chunks that were not people (affiliations, e-mails, leftovers)."""
    people: list[Person] = []
    rest: list[str] = []
    pending: list[Person] = []  # people since the last in-line affiliation
    # "…, on behalf of the Task Force": the group the authors speak for is not an author.
    text = re.sub(r",?\s*\bon behalf of\b.*$", "", text, flags=re.IGNORECASE)
    chunks = _chunks(text)
    i = 0
    while i < len(chunks):
        chunk = chunks[i]
        markers = [m for g in _MARKED.findall(chunk) for m in marker_list(g)]
        plain = _unmarked(chunk)
        inline: list[str] = []
        for inner in _PAREN.findall(plain):
            inline.append(inner.strip())
        core = _PAREN.sub(" ", plain).strip(" ,;.")
        if not core:
            if markers and people:
                people[-1].markers.extend(markers)
            i += 1
            continue
        degree = re.match(r"^(.*?\.)(\d{1,2}|['’])$", core)  # "Ph.D.2": a degree with its marker glued on
        if degree and names.is_degree(degree.group(1)):
            markers = markers + ([degree.group(2)] if degree.group(2).isdigit() else [])
            core = degree.group(1)
        if names.is_degree(core) or not names.strip_extras(core):
            if people:
                people[-1].markers.extend(markers)
            i += 1
            continue
        name = names.parse(core) or (names.parse(core, lenient=True) if markers else None)
        if name is not None and (name.words >= 2 or markers):
            person = Person(name=name, text=name.text, markers=markers)
            for inner in inline:
                if "@" in inner:
                    person.emails.extend(_EMAIL_TOKEN.findall(inner))
                    continue  # an e-mail in parentheses is evidence, not an affiliation
                if is_affiliation_text(inner) or len(inner.split()) >= 2:
                    person.affiliations.append(inner)
            people.append(person)
            pending.append(person)
            i += 1
            continue
        if _group(core):
            people.append(Person(name=None, text=core, markers=markers, organizational=True))
            i += 1
            continue
        if not people and is_affiliation_text(plain) and not _group(core):
            # A line that opens with an organisation is an affiliation line, whatever follows.
            return [], chunks
        if (
            pending
            and vocab.INSTITUTION_WORDS.search(plain)
            and not _EMAIL_TOKEN.search(plain)
            and plain[:1].isupper()
        ):
            # "Name, Department of X, University of Y, City": the rest of the line up to the
            # next person is the affiliation of the people just named.
            parts = [plain]
            j = i + 1
            while j < len(chunks):
                nxt = _unmarked(chunks[j])
                nxt_name = names.parse(_PAREN.sub(" ", nxt))
                if nxt_name is not None and nxt_name.words >= 2 and not is_affiliation_text(nxt):
                    break
                parts.append(nxt)
                j += 1
            for p in pending:
                p.affiliations.append(", ".join(parts))
            pending = []
            i = j
            continue
        rest.append(plain)
        i += 1
    return people, rest


def _has_id_number(text: str) -> bool:
    return bool(names._ID_NUMBER.search(text))


def read_line(line: TextLine) -> Reading:
    """Classify one line of a creator region and read what it says (a fresh copy each call:
    callers annotate the people they get)."""
    if "reading" not in line.memo:
        line.memo["reading"] = _read_line(line)
    return copy.deepcopy(line.memo["reading"])


def _read_line(line: TextLine) -> Reading:
    text = marked_text(line)
    plain = _unmarked(text)
    if not plain:
        return Reading("marker")
    if re.fullmatch(rf"[\d{re.escape(_SUP_CHARS)}a-e,.\s]+", plain) and len(plain) <= 8:
        return Reading("marker", affiliations=[(plain.replace(" ", "").rstrip("."), "")])
    if vocab.NON_AUTHOR_LABEL.match(plain) or vocab.NON_AUTHOR_HEADING.match(plain):
        return Reading("skip")
    if vocab.AUTHOR_FOOTNOTE.match(re.sub(rf"^[\d{re.escape(MARKER_SYMBOLS)}\s.,]+", "", plain)):
        return Reading("skip")
    if is_standard_name(plain) or is_event_line(plain):
        return Reading("skip")
    labelled = vocab.AUTHOR_LABEL.match(plain)
    if labelled and labelled.end() < len(plain) and plain[: labelled.end()].rstrip().endswith(":"):
        # "Authors: A. Smith, B. Jones": the label vouches for the names after it.
        reading = _read_people_line(text[text.find(":") + 1 :] if ":" in text else text, line)
        reading.strong = bool(reading.people)
        return reading
    if _URL.search(plain):
        # "Mariana Albuquerque, Dalhousie University ORCID 0000-…": the person and institution
        # are read without the link (the region keeps the text to link the iD). A list of iDs
        # after names ("Ann Berg: 0000-…") names no one new.
        rest = re.sub(r"\bORCID\b:?", " ", _URL_TOKEN.sub(" ", text), flags=re.I)
        reading = _read_people_line(rest, line) if vocab.INSTITUTION_WORDS.search(rest) else None
        return reading if reading is not None and reading.people else Reading("url")
    emails = _EMAIL_TOKEN.findall(plain)
    named = names.parse(_PAREN.sub(" ", _EMAIL_TOKEN.sub(" ", plain)))
    if emails and not named and len(plain.split()) <= len(emails) + 2:
        return Reading("email")
    opens_with_marker = text.lstrip().startswith(_MARK) or re.match(
        rf"^\s*(?:\d{{1,2}}\.?|[{re.escape(MARKER_SYMBOLS)}]+)\s*[A-ZÀ-Þ]", plain
    )
    if opens_with_marker and not _looks_like_byline(text):
        # "¹ Georgia State University", "1. Dragonfly Data Science", "* LSCP, ENS": a numbered affiliation.
        return Reading("affiliation", affiliations=split_affiliations(text))
    reading = _read_people_line(text, line)
    if reading.people:
        return reading
    if is_affiliation_text(plain) and not emails:
        return Reading("affiliation", affiliations=split_affiliations(text))
    if emails:
        return Reading("email")
    return Reading("other")


def _looks_like_byline(text: str) -> bool:
    """A line opening with a marker is a byline only when it is nothing but names ("¹Ann Berg, ²Carl Dunn")."""
    people, rest = read_people(text)
    return len(people) >= 2 and not rest and not is_affiliation_text(_unmarked(text))


def _read_people_line(text: str, line: TextLine) -> Reading:
    people, rest = read_people(text)
    personal = [p for p in people if not p.organizational]
    if not personal:
        return Reading("other")
    first = _unmarked(_chunks(text)[0]) if _chunks(text) else ""
    if rest and rest[0] == first and not (_EMAIL_TOKEN.search(first) or _has_id_number(first)):
        # A byline opens with a name; a line that opens with something else is a phrase.
        return Reading("other")
    # Leftover chunks that are not people: too many and the line is prose or an address.
    leftovers = [r for r in rest if not _EMAIL_TOKEN.search(r) and not _has_id_number(r)]
    if len(leftovers) > max(1, len(people)):
        return Reading("other")
    marked = any(p.markers for p in people)
    strong = (
        len(personal) >= 2
        or marked
        or any(p.affiliations for p in people)
        or bool(_EMAIL_TOKEN.search(text))
        or _has_id_number(text)
    )
    return Reading("people", people=people, strong=strong)


def split_affiliations(text: str) -> list[tuple[str, str]]:
    """(marker, affiliation) pairs from one affiliation line; marker '' when unmarked."""
    text = text.strip()
    m = re.match(rf"^\s*(\d{{1,2}}|[{re.escape(MARKER_SYMBOLS)}]+)\.?\s*(?=[A-ZÀ-Þ])", text)
    if m and not text.startswith(_MARK):
        # "1. Dragonfly Data Science" / "1University of X" (a marker that lost its raise).
        text = f"{_MARK}{m.group(1)}{_END} " + text[m.end() :]
    pieces = re.split(f"{_MARK}(.*?){_END}", text)
    pairs: list[tuple[str, str]] = []
    # Entries set apart by a wide space are separate affiliations.
    pairs.extend(("", lead.strip(" ,;")) for lead in pieces[0].split("|") if lead.strip(" ,;"))
    for i in range(1, len(pieces), 2):
        markers = marker_list(pieces[i])
        aff = pieces[i + 1].replace("|", " ").strip(" ,;") if i + 1 < len(pieces) else ""
        aff = re.sub(r"\s+", " ", aff)
        if aff:
            pairs.extend((mk, aff) for mk in (markers or [""]))
    return pairs


_ORCID = re.compile(r"(?:https?://)?(?:orcid\.org/)?\b(\d{4}-\d{4}-\d{4}-\d{3}[\dX])\b", re.IGNORECASE)


def _fold(text: str) -> str:
    return re.sub(
        r"[^a-z]", "", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    )


def link_orcids(creators: list[dict], text: str) -> None:
    """ORCID iDs printed after an author's name ("Ivanyi P, https://orcid.org/0000-...") become
    that author's ORCID name identifier; the owner is the nearest family name before the iD.
    (`normalize` later drops an iD whose check digit is wrong, with a warning.)"""
    if not text:
        return
    families = {
        _fold(c.get("familyName", "")): c for c in creators if len(_fold(c.get("familyName", ""))) >= 2
    }
    start = 0
    for m in _ORCID.finditer(text):
        before = [_fold(w) for w in re.findall(r"[^\W\d_][\w'-]*", text[start : m.start()])]
        start = m.end()
        owner = next((families[w] for w in reversed(before) if w in families), None)
        if owner is None or any(
            n.get("nameIdentifierScheme") == "ORCID" for n in owner.get("nameIdentifiers", [])
        ):
            continue
        owner.setdefault("nameIdentifiers", []).append(
            {
                "nameIdentifier": f"https://orcid.org/{m.group(1).upper()}",
                "nameIdentifierScheme": "ORCID",
                "schemeURI": "https://orcid.org",
            }
        )


@dataclass
class Found:
    """People read from a region, with how strong the evidence is."""

    creators: list[dict]
    strong: bool
    url_text: str = ""
    contacts: list[dict] = field(default_factory=list)  # {"name", "email"}: printed addresses
    marker_linked: bool = False  # affiliations were linked to the people by markers


def reading_rows(lines: list[TextLine]) -> list[TextLine]:
    """Lines in reading order: rows top to bottom (lines whose middles are within half a line
    of each other share a row, whatever their sizes), each row left to right."""
    rows: list[list[TextLine]] = []
    for ln in sorted(lines, key=lambda t: t.y + t.h / 2):
        mid = ln.y + ln.h / 2
        if rows:
            last = rows[-1]
            ref = sum(t.y + t.h / 2 for t in last) / len(last)
            if abs(mid - ref) < 0.5 * min(ln.h, min(t.h for t in last)):
                last.append(ln)
                continue
        rows.append([ln])
    return [ln for row in rows for ln in sorted(row, key=lambda t: t.x)]


def _dangling(text: str) -> bool:
    """The line ends in the middle of a name: its last entry is one capitalised word, unmarked."""
    if re.search(r"(?:,|;|\band|&)\s*$", text.strip()):
        return False
    last = _chunks(text)[-1] if _chunks(text) else ""
    return bool(re.fullmatch(r"[A-ZÀ-Þ][\w'’-]*", last.strip()))


def _join_split_names(ordered: list[TextLine]) -> list[TextLine]:
    """Join a byline line to the next when a name is cut by the line break ("Nikos / Papadopoulou¹",
    "Gonçalo / da Silva"), as narrow author panels and long bylines print them."""
    out: list[TextLine] = []
    for ln in ordered:
        prev = out[-1] if out else None
        if (
            prev is not None
            and _wraps(prev, ln)
            and _MARK in marked_text(prev) + marked_text(ln)
            and read_line(prev).kind == "people"
            and read_line(ln).kind in ("people", "other")
        ):
            head = marked_text(prev)
            first = _chunks(marked_text(ln))[:1]
            if _dangling(head) or (
                first and first[0][:1].islower() and first[0].split()[0] in names.PARTICLES
            ):
                out[-1] = make_line(prev.words + ln.words, prev.block)
                continue
        out.append(ln)
    return out


def read_region(zone: list[TextLine], accept_weak: bool = False) -> Found:
    """Creators of one region (the lines under a title, a side panel, a labelled block...).

    `accept_weak`: a lone name with no marker or affiliation of its own counts (the region is
    where this poster's authors must be, for instance the only line between title and body).
    """
    ordered = _join_split_names(reading_rows(zone))
    readings: list[tuple[TextLine, Reading]] = []
    skip_block: int | None = None  # the block under a non-author heading ("Project Team Members")
    skip_after: TextLine | None = None  # the last line of a labelled non-author paragraph
    for ln in ordered:
        if skip_block is not None and ln.block == skip_block:
            continue
        if skip_after is not None and (
            _continues(skip_after, ln) or (skip_block is not None and _under(skip_after, ln))
        ):
            skip_after = ln
            continue
        skip_block = None
        r = read_line(ln)
        if r.kind == "skip":
            # "Supervisor: ...", "Acknowledgement: ..." and what wraps under them name no author;
            # under a heading such as "Project Team Members" the whole block is skipped.
            skip_after = ln
            if vocab.NON_AUTHOR_HEADING.match(_unmarked(marked_text(ln))):
                skip_block = ln.block
            continue
        skip_after = None
        readings.append((ln, r))
    # Markers printed alone before a line ("1." in a column left of "Dragonfly Data Science").
    merged: list[tuple[TextLine, Reading]] = []
    pending = ""
    for ln, r in readings:
        if r.kind == "marker" and any(
            o is not ln and _same_row(o, ln) and o.x <= ln.x and ln.right <= o.right + o.size
            for o, _ in readings
        ):
            continue  # markers drawn over a line again (an overlay), not a marker in the margin
        if r.kind == "marker":
            pending = (r.affiliations[0][0] if r.affiliations else "") or pending
            continue
        if pending and r.kind == "affiliation" and r.affiliations and not r.affiliations[0][0]:
            r.affiliations[0] = (pending, r.affiliations[0][1])
        elif pending and r.kind == "other":
            text = f"{_MARK}{pending}{_END} " + marked_text(ln)
            r = Reading("affiliation", affiliations=split_affiliations(text))
        pending = ""
        merged.append((ln, r))
    readings = merged

    strong = any(r.kind == "people" and r.strong for _, r in readings)
    has_affiliation = any(r.kind == "affiliation" for _, r in readings)
    people: list[Person] = []
    affs: list[tuple[str, str, int]] = []  # (marker, text, position)
    url_text = ""
    last_aff: TextLine | None = None
    last_people: TextLine | None = None
    email_lines: list[tuple[TextLine, list[str], list[str]]] = []
    aff_lines: list[tuple[str, str, int]] = []  # each affiliation line alone, before wraps are joined
    origin: dict[int, tuple[TextLine, int]] = {}  # id(person) -> (its line, people on that line)
    for pos, (ln, r) in enumerate(readings):
        if r.kind == "email":
            marks = [m for g in _MARKED.findall(marked_text(ln)) for m in marker_list(g)]
            email_lines.append((ln, marks, _EMAIL_TOKEN.findall(ln.plain_text)))
            continue
        if r.kind == "url" or (r.kind == "people" and _URL.search(ln.plain_text)):
            plain = ln.plain_text.strip()
            url_text += plain if url_text.endswith(("-", "/")) else " " + plain
        if r.kind == "url":
            continue
        if r.kind == "affiliation":
            aff_lines.extend((mk, a, pos) for mk, a in r.affiliations)
            opens_marked = bool(r.affiliations and r.affiliations[0][0])
            if affs and last_aff is not None and _wraps(last_aff, ln) and not opens_marked:
                # The affiliation wrapped onto this line: same size, right under it, no marker.
                m, prev, p = affs[-1]
                affs[-1] = (m, f"{prev} {_unmarked(marked_text(ln))}".strip(), p)
                if len(r.affiliations) > 1:
                    affs.extend((mk, a, pos) for mk, a in r.affiliations[1:])
            else:
                affs.extend((mk, a, pos) for mk, a in r.affiliations)
            last_aff = ln
            continue
        if r.kind == "other" and affs and last_aff is not None and _wraps(last_aff, ln):
            m, prev, p = affs[-1]
            affs[-1] = (m, f"{prev} {_unmarked(marked_text(ln))}".strip(), p)
            last_aff = ln
            continue
        last_aff = None
        if r.kind != "people":
            continue
        if not r.strong:
            if strong:
                # Only the wrapped end of a byline ("..., Eva Fox,\nLee Wong") joins strong lines.
                if last_people is None or not _wraps(last_people, ln):
                    continue
            elif not (accept_weak or has_affiliation) or _all_caps(ln):
                # A lone unmarked name needs the region to vouch for it; one in capitals is
                # more often a logo's words than a person.
                continue
        last_people = ln
        for p in r.people:
            p.line = pos
            people.append(p)
            origin[id(p)] = (ln, len(r.people))
    if not people:
        return Found([], False, url_text)
    creators = _records(people, affs, aff_lines, [ln for ln, _ in readings])
    contacts = _link_emails(people, creators, origin, email_lines)
    marker_linked = any(m for m, _, _ in affs) and any(p.markers for p in people)
    return Found(creators, strong or has_affiliation, url_text, contacts, marker_linked)


def _link_emails(
    people: list[Person],
    creators: list[dict],
    origin: dict[int, tuple[TextLine, int]],
    email_lines: list[tuple[TextLine, list[str], list[str]]],
) -> list[dict]:
    """Which printed address belongs to whom: printed with the name, marked like only that
    person, set right under a name alone on its line, or spelling the family name."""
    owner: dict[str, int] = {}
    marker_count: dict[str, int] = {}
    for p in people:
        for m in set(p.markers):
            marker_count[m] = marker_count.get(m, 0) + 1
    for i, p in enumerate(people):
        for address in p.emails:
            owner.setdefault(address, i)
    for i, p in enumerate(people):
        line, per_line = origin[id(p)]
        for eline, emarks, addresses in email_lines:
            if len(addresses) != 1:
                continue
            if any(m in p.markers and marker_count.get(m) == 1 for m in emarks):
                owner.setdefault(addresses[0], i)
            overlap = min(line.right, eline.right) - max(line.x, eline.x)
            under = -0.3 * line.size <= eline.y - line.bottom <= 2.5 * max(line.size, 1)
            if per_line == 1 and under and overlap >= 0.5 * min(line.w, eline.w):
                owner.setdefault(addresses[0], i)
    for i, p in enumerate(people):
        family = _fold(p.name.family) if p.name else ""
        if len(family) < 4:
            continue
        for _, _, addresses in email_lines:
            for address in addresses:
                if family in _fold(address.split("@")[0]):
                    owner.setdefault(address, i)
    taken: set[int] = set()
    contacts = []
    for address, i in owner.items():
        if i in taken or creators[i].get("nameType") == "Organizational":
            continue
        taken.add(i)
        contacts.append({"name": creators[i]["name"], "email": address})
    return contacts


def _all_caps(line: TextLine) -> bool:
    letters = [c for c in line.plain_text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def _owners(aff_pos: int, people_pos: set[int], aff_positions: set[int], lines: list[TextLine]) -> set[int]:
    """The author lines an unmarked affiliation line belongs to.

    Walking up its column from it: other affiliation lines right above it are its own block,
    then come the author lines it belongs to, up to the previous affiliation block. This covers
    a shared block under a byline, "Name / Affiliation" pairs, and names in columns over
    their institution.
    """
    target = lines[aff_pos]
    above = sorted(
        (
            i
            for i, ln in enumerate(lines)
            if i != aff_pos
            and ln.y < target.y - 0.3 * target.size
            and ln.x < target.right
            and ln.right > target.x
            and (i in people_pos or i in aff_positions)
        ),
        key=lambda i: -lines[i].y,
    )
    owners: set[int] = set()
    for i in above:
        if i in aff_positions:
            if owners:
                break
            continue
        owners.add(i)
    return owners


def _records(
    people: list[Person],
    affs: list[tuple[str, str, int]],
    aff_lines: list[tuple[str, str, int]],
    lines: list[TextLine],
) -> list[dict]:
    by_marker: dict[str, str] = {}
    for m, a, _ in affs:
        if m:
            by_marker.setdefault(m.translate(_SUPERSCRIPTS), a)
    unmarked = [(a, p) for m, a, p in affs if not m]
    person_markers = sorted(
        {m for p in people for m in p.markers}, key=lambda m: (not m.isdigit(), m.zfill(3))
    )
    if not by_marker and person_markers and not any(m for m, _, _ in aff_lines):
        # Markers on the names, none on the affiliations (lost in the text layer): the
        # affiliations are listed one a line, in marker order.
        per_line = [a for _, a, _ in aff_lines]
        if len(per_line) == len(person_markers):
            by_marker = dict(zip(person_markers, per_line, strict=True))
            unmarked = []
        elif len(unmarked) == len(person_markers):
            by_marker = {m: a for m, (a, _) in zip(person_markers, unmarked, strict=True)}
            unmarked = []
    people_pos = {p.line for p in people}
    aff_positions = {p for _, _, p in aff_lines}
    owned = {p: _owners(p, people_pos, aff_positions, lines) for _, p in unmarked}
    records: list[dict] = []
    for person in people:
        if person.organizational:
            records.append({"name": person.text, "nameType": "Organizational"})
            continue
        assert person.name is not None
        given, family = person.name.given, person.name.family
        record: dict = {"name": f"{family}, {given}" if given else family, "nameType": "Personal"}
        if given:
            record["givenName"] = given
        record["familyName"] = family
        found = list(person.affiliations)
        found += [by_marker[m] for m in person.markers if m in by_marker]
        if not found and unmarked:
            # Unmarked affiliations printed under this person's line, in its column.
            own = [a for a, p in unmarked if person.line in owned[p]]
            if own:
                found = own
            elif len({a for a, _ in unmarked}) == 1:
                # One affiliation and no markers: everyone shares it.
                found = [unmarked[0][0]]
        if found:
            record["affiliation"] = [{"name": n} for n in dict.fromkeys(found)]
        records.append(record)
    return records


def is_byline(line: TextLine) -> bool:
    """A line of personal names with evidence (markers, several names, an affiliation).

    The banner stage asks: a byline set in large type is still a byline, never a heading or
    the end of the banner.
    """
    r = read_line(line)
    return r.kind == "people" and r.strong


def is_marked_byline(line: TextLine) -> bool:
    """A byline whose people carry markers, affiliations or addresses of their own.

    The title stage asks. Two capitalised phrases joined by "and" ("Energy Poverty and
    Respiratory Health") are shaped like two names; only such evidence tells a byline from
    a title line.
    """
    r = read_line(line)
    return r.kind == "people" and any(p.markers or p.affiliations or p.emails for p in r.people)


def extract(zone: list[TextLine], accept_weak: bool = True) -> list[dict]:
    """Creator records (poster-json v0.2) from one region's lines."""
    found = read_region(zone, accept_weak=accept_weak)
    link_orcids(found.creators, found.url_text)
    return found.creators


def clusters(lines: list[TextLine]) -> list[list[TextLine]]:
    """Groups of lines set together (touching columns, less than a line apart), top first.

    Outside the zone under the title, author blocks are self-contained: a name with its
    affiliation and e-mail in a corner of the banner, or a contact block at the foot. Reading
    each group alone keeps a logo's words beside it out of the author's affiliation.
    """
    groups: list[list[TextLine]] = []
    for ln in sorted(lines, key=lambda t: (t.y, t.x)):
        home = None
        for g in groups:
            for other in g:
                size = max(other.size, ln.size, 1.0)
                vgap = max(ln.y - other.bottom, other.y - ln.bottom)
                hgap = max(ln.x - other.right, other.x - ln.right)
                if vgap < 0.9 * size and hgap < 0.8 * size:
                    home = g
                    break
            if home is not None:
                break
        if home is None:
            groups.append([ln])
        else:
            home.append(ln)
    # Merging can make two groups touch; one more pass joins them.
    merged: list[list[TextLine]] = []
    for g in groups:
        target = next((m for m in merged if any(_touch(a, b) for a in m for b in g)), None)
        if target is None:
            merged.append(g)
        else:
            target.extend(g)
    return merged


def _touch(a: TextLine, b: TextLine) -> bool:
    size = max(a.size, b.size, 1.0)
    vgap = max(a.y - b.bottom, b.y - a.bottom)
    hgap = max(a.x - b.right, b.x - a.right)
    return vgap < 0.9 * size and hgap < 0.8 * size


def author_label(line: TextLine) -> bool:
    """A line that opens an author block: "Authors:", "Autores", "Presented by: ..."."""
    text = line.plain_text.strip()
    m = vocab.AUTHOR_LABEL.match(text)
    return (
        bool(m) and (text[m.end() :].strip() == "" or ":" in text[: m.end()]) and m.group(1).lower() != "by"
    )


@dataclass
class Region:
    """Lines where a poster may print its authors, and how they are read."""

    name: str
    lines: list[TextLine]
    accept_weak: bool = False  # a lone unmarked name counts here
    grouped: bool = False  # read each group of lines alone
    # Only groups whose affiliations are linked by markers or name an institution count (the foot).
    needs_affiliation: bool = False


@dataclass
class Authors:
    """What the creators stage found: records, the region they came from, linked addresses."""

    creators: list[dict] = field(default_factory=list)
    region: str = ""
    contacts: list[dict] = field(default_factory=list)


def from_regions(regions: list[Region]) -> Authors:
    """The creators of the first region that names people with evidence, and its name.

    Regions come in the order posters print authors (under the title first). A region whose
    only people are lone names without markers is kept as a fallback behind any region with
    stronger evidence.
    """
    fallback: Authors | None = None
    for region in regions:
        groups = clusters(region.lines) if region.grouped else [region.lines]
        found_all: list[dict] = []
        contacts: list[dict] = []
        strong = False
        url_text = ""
        for g in groups:
            found = read_region(g, accept_weak=region.accept_weak)
            institution = any(
                vocab.INSTITUTION_WORDS.search(a["name"])
                for c in found.creators
                for a in c.get("affiliation", [])
            )
            if region.needs_affiliation and not (found.marker_linked or institution):
                continue
            if found.creators and (found.strong or region.accept_weak):
                found_all.extend(found.creators)
                contacts.extend(found.contacts)
                strong = strong or found.strong
                url_text += " " + found.url_text
        if not found_all:
            continue
        link_orcids(found_all, url_text)
        authors = Authors(found_all, region.name, contacts)
        if strong:
            return authors
        if fallback is None:
            fallback = authors
    return fallback if fallback is not None else Authors()
