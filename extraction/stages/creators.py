"""Creators and affiliations from the creator zone under the title.

Authors are linked to affiliations through markers: superscript words in the ALTO (pdfalto's
superscript style), Unicode superscript digits, or symbols such as * † ‡. A poster with one
affiliation and no markers gives it to every author. Names are split into given and family
names with the family name last, the convention of the scripts posters are printed in.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from extraction.stages.headings import is_standard_name
from extraction.stages.lines import TextLine

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SUP_CHARS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁺*†‡§¶#"
_MARK = "\x01"
_END = "\x02"
DEGREES = {
    "phd",
    "ph.d",
    "ph.d.",
    "md",
    "m.d.",
    "mls",
    "mslis",
    "dds",
    "msc",
    "m.sc.",
    "bsc",
    "mph",
    "rn",
    "ms",
    "ma",
    "ba",
    "mba",
    "dphil",
    "pharmd",
    "dvm",
    "jr",
    "jr.",
    "sr",
    "facp",
    "mbbs",
    "frcp",
    "prof",
    "dr",
}
ORG_WORDS = re.compile(
    r"\b(universit\w*|institut\w*|department|dept\.?|hospital|cent(er|re)|laborator\w*|school|college|faculty|"
    r"inc\.?|ltd\.?|gmbh|s\.r\.l\.?|corporation|company|foundation|academy|ministry|agency|clinic\w*|"
    r"research|sciences?|division|unit|hub|council|society|programme|program|consortium|team|group|lab|"
    r"universidad|universidade|università|université|universität|instituto|departamento)\b",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\S+@\S+")
_URL = re.compile(r"https?://|www\.|orcid\.org", re.IGNORECASE)


def _wraps(prev: TextLine, line: TextLine) -> bool:
    """`line` continues `prev`'s text block: same size, the next line down, overlapping columns."""
    size = max(prev.size, 1.0)
    return (
        abs(line.size - prev.size) < 0.1 * size
        and 0 <= line.y - prev.bottom < 0.8 * size
        and line.x < prev.right
        and line.right > prev.x
    )


@dataclass
class Person:
    name: str
    markers: list[str] = field(default_factory=list)
    organizational: bool = False


# Digits glued to the end of a lower-case word ("Meena1,", "Dettori¹,2"): a marker that lost its
# superscript, as OCR and some PDF exports print them. A word in running text rarely ends so.
_GLUED = re.compile(rf"(?<=[a-zß-ÿ{_SUP_CHARS}])(\d{{1,2}}(?:,\d{{1,2}}(?=[,\s]|$))*)(?=[,;\s]|$)")


def _marked_text(line: TextLine) -> str:
    """Line text with every marker wrapped as \\x01...\\x02 so later splits keep them apart."""
    parts: list[str] = []
    for w in line.words:
        if w.superscript:
            parts.append(f"{_MARK}{w.text}{_END}")
            continue
        text = re.sub(
            rf"([{_SUP_CHARS}](?:[{_SUP_CHARS}]|,(?=[{_SUP_CHARS}])|,\d{{1,2}}(?=[,;\s]|$))*)",
            lambda m: f"{_MARK}{m.group(1)}{_END}",
            w.text,
        )
        text = _GLUED.sub(lambda m: f"{_MARK}{m.group(1)}{_END}", text)
        parts.append(text)
    return " ".join(parts)


def is_byline(line: TextLine) -> bool:
    """A line of personal names carrying affiliation markers ("A. Smith¹, B. Jones²").

    The title stage asks: OCR box heights of such a line (its markers stand above it) can
    match the title's, yet it is never part of the title.
    """
    text = _marked_text(line)
    if text.count(_MARK) < 2:
        return False
    return _looks_like_names(re.sub(f"{_MARK}.*?{_END}", "", text))


def _marker_list(raw: str) -> list[str]:
    """'*¹⁺²' → ['*', '1', '2']: digits and symbol runs are separate markers."""
    return re.findall(r"\d+|[*†‡§¶#]+", raw.translate(_SUPERSCRIPTS))


def _is_affiliation(text: str) -> bool:
    stripped = text.replace(_MARK, "").replace(_END, "").strip()
    if text.lstrip().startswith(_MARK):
        return True
    if re.match(r"^\s*[\d*†‡§]+\s*[A-Z]", stripped) and ORG_WORDS.search(
        re.sub(r"^\s*[\d*†‡§]+", "", stripped)
    ):
        return True
    commas = stripped.count(",")
    return bool(ORG_WORDS.search(stripped)) and not _looks_like_names(stripped) and commas <= 6


def _looks_like_names(text: str) -> bool:
    chunks = [c.strip() for c in re.split(r",|;|\band\b|&", text) if c.strip()]
    if len(chunks) < 1:
        return False
    namey = 0
    for c in chunks:
        words = [w for w in re.sub(r"[\d*†‡§]", "", c).split() if w]
        if 1 <= len(words) <= 4 and all(w[:1].isupper() or w.lower().strip(".") in DEGREES for w in words):
            namey += 1
    return namey >= max(1, len(chunks) * 0.6) and not ORG_WORDS.search(text.replace("Team", ""))


def _split_affiliations(text: str) -> list[tuple[str, str]]:
    """(marker, affiliation) pairs from one affiliation line; marker '' when unmarked."""
    pieces = re.split(f"{_MARK}(.*?){_END}", text)
    pairs: list[tuple[str, str]] = []
    lead = pieces[0].strip(" ,;")
    m = re.match(r"^([\d*†‡§]+)\s*([A-ZÀ-Þ].*)$", lead)  # "1 Univ…" or, from OCR, "1Univ…"
    if m:
        pairs.append((m.group(1), m.group(2).strip(" ,;")))
    elif lead:
        pairs.append(("", lead))
    for i in range(1, len(pieces), 2):
        marker = pieces[i]
        aff = pieces[i + 1].strip(" ,;") if i + 1 < len(pieces) else ""
        if aff:
            pairs.append((marker, aff))
        elif pairs:
            continue
    return pairs


def _split_people(text: str) -> list[Person]:
    people: list[Person] = []
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\bon behalf of\b.*$", "", text, flags=re.IGNORECASE)
    # Separators: commas, semicolons, "and", "&" (never inside a marker).
    chunks = re.split(rf",(?![^{_MARK}]*{_END})|;|\s+and\s+|\s+&\s+", text)
    for chunk in chunks:
        markers: list[str] = []
        for m in re.finditer(f"{_MARK}(.*?){_END}", chunk):
            markers.extend(_marker_list(m.group(1)))
        name = re.sub(f"{_MARK}.*?{_END}", " ", chunk)
        name = re.sub(r"[*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰⁺]", "", name)
        name = re.sub(r"\s+", " ", name).strip(" ,;.")
        if not name:
            if people and markers:
                people[-1].markers.extend(markers)
            continue
        if name.lower().strip(".") in DEGREES or all(w.lower().strip(".,") in DEGREES for w in name.split()):
            if people:
                people[-1].markers.extend(markers)
            continue
        words = [w for w in name.split() if w.lower().strip(".,") not in DEGREES]
        name = " ".join(words)
        org = bool(re.match(r"^(the\s)?.*\b(team|group|consortium|collaboration|task force)\b", name, re.I))
        if not name or _EMAIL.search(name) or not (name[0].isupper() or org):
            continue
        if name.lower().startswith("the ") and not org:
            continue
        people.append(Person(name=name, markers=markers, organizational=org))
    return people


_INITIAL = re.compile(r"^(?:[A-Z]\.?){1,3}$|^[A-Z]\.(?:-[A-Z]\.)?$")
_PARTICLES = {
    "van",
    "von",
    "de",
    "der",
    "den",
    "del",
    "della",
    "di",
    "da",
    "du",
    "la",
    "le",
    "ter",
    "ten",
    "dos",
    "das",
}


def split_name(full: str) -> tuple[str, str]:
    """(given, family) for a printed personal name.

    - "Ivanyi P", "Colombo GL": the Vancouver style of biomedical posters puts the initials
      last, so a real word followed by capital initials is family-then-given.
    - "Maria M. Perez Madrigal": words after a middle initial are all family name (a double
      surname); without an initial a three-word name stays ambiguous ("Marta Maria Cara"), and
      the last word is taken.
    - Particles (van, de, von) stay with the family name.
    """
    words = full.split()
    if len(words) == 1:
        return "", words[0]
    if (
        len(words) >= 2
        and _INITIAL.match(words[-1])
        and not any(_INITIAL.match(w) for w in words[:-1])
        and any(c.islower() for c in words[0])
    ):
        return words[-1], " ".join(words[:-1])
    family_start = len(words) - 1
    initials = [i for i, w in enumerate(words[:-1]) if _INITIAL.match(w)]
    if initials and 0 < initials[-1] < len(words) - 2:
        family_start = initials[-1] + 1
    while family_start - 1 > 0 and words[family_start - 1].lower() in _PARTICLES:
        family_start -= 1
    return " ".join(words[:family_start]), " ".join(words[family_start:])


def _fold(text: str) -> str:
    return re.sub(
        r"[^a-z]", "", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    )


def _link_emails(
    creators: list[dict],
    sources: list[tuple[TextLine, int, list[str]]],
    emails: list[tuple[TextLine, list[str], list[str]]],
) -> None:
    """Attach printed e-mail addresses to their authors as `contact` name identifiers.

    An address belongs to an author by the same marker (when only that author carries it), by
    sitting right under a name that stands alone on its line, or by containing the family name.
    Each address is given once; an address that fits nobody is left alone.
    """
    used: set[str] = set()
    marker_count: dict[str, int] = {}
    for _, _, markers in sources:
        for m in set(markers):
            marker_count[m] = marker_count.get(m, 0) + 1

    def give(i: int, address: str) -> None:
        if address in used or "nameIdentifiers" in creators[i]:
            return
        used.add(address)
        creators[i]["nameIdentifiers"] = [{"nameIdentifier": address, "nameIdentifierScheme": "contact"}]

    for i, (line, per_line, markers) in enumerate(sources):
        for eline, emarks, addrs in emails:
            if len(addrs) != 1:
                continue
            if any(m in markers and marker_count.get(m) == 1 for m in emarks):
                give(i, addrs[0])
            overlap = min(line.right, eline.right) - max(line.x, eline.x)
            under = -0.3 * line.size <= eline.y - line.bottom <= 2.5 * max(line.size, 1)
            if per_line == 1 and under and overlap >= 0.5 * min(line.w, eline.w):
                give(i, addrs[0])
    for i, record in enumerate(creators):
        family = _fold(record.get("familyName", ""))
        if len(family) < 4:
            continue
        for _, _, addrs in emails:
            for address in addrs:
                if family in _fold(address.split("@")[0]):
                    give(i, address)


_ORCID = re.compile(r"(?:https?://)?orcid\.org/(\d{4}-\d{4}-\d{4}-\d{3}[\dX])", re.IGNORECASE)


def _link_orcids(creators: list[dict], text: str) -> None:
    """ORCID iDs printed after an author's name ("Ivanyi P, https://orcid.org/0000-...") become
    that author's ORCID name identifier; the name is the nearest family name before the iD."""
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
                "nameIdentifier": f"https://orcid.org/{m.group(1)}",
                "nameIdentifierScheme": "ORCID",
                "schemeURI": "https://orcid.org",
            }
        )


def extract(zone: list[TextLine]) -> list[dict]:
    """Creator records (poster-json v0.2) from the creator zone's lines."""
    author_lines: list[tuple[TextLine, str]] = []
    emails: list[tuple[TextLine, list[str], list[str]]] = []
    affs: list[tuple[str, str]] = []
    pending_marker = ""
    last_aff: TextLine | None = None
    url_text = ""
    ordered = sorted(zone, key=lambda ln: (round(ln.y / max(ln.size, 1)), ln.x))
    for ln in ordered:
        text = _marked_text(ln)
        plain = ln.plain_text.strip()
        if re.fullmatch(r"[\d*†‡§,\s]+", plain):
            pending_marker = plain.replace(" ", "")
            continue
        if pending_marker:
            text = f"{_MARK}{pending_marker}{_END} " + text
            pending_marker = ""
        if "@" in plain and (len(plain.split()) <= 3 or not _looks_like_names(_EMAIL.sub("", plain))):
            addresses = [a.strip(".,;:()<>[]") for a in _EMAIL.findall(plain)]
            marks = [m for g in re.findall(f"{_MARK}(.*?){_END}", text) for m in _marker_list(g)]
            emails.append(
                (ln, [m.translate(_SUPERSCRIPTS) for m in marks], [a for a in addresses if "@" in a])
            )
            continue
        if _URL.search(plain) or (url_text.endswith("-") and re.match(r"\d{4}-", plain)):
            # A wrapped ORCID list continues on the next line without a space after "0000-".
            url_text += plain if url_text.endswith(("-", "/")) else " " + plain
            continue
        if is_standard_name(plain):
            continue
        opens_marked = bool(re.match(r"^\s*(?:\d{1,2}(?=[A-ZÀ-Þ])|[*†‡§]+)", plain))  # "2University…"
        if affs and last_aff is not None and _wraps(last_aff, ln) and _MARK not in text and not opens_marked:
            # The affiliation list wrapped onto this line: same size, right under it, no marker.
            m, prev = affs[-1]
            affs[-1] = (m, f"{prev} {text.strip()}".strip())
            last_aff = ln
            continue
        last_aff = None
        if _is_affiliation(text):
            last_aff = ln
            pairs = _split_affiliations(text)
            if pairs and not pairs[0][0] and affs and not text.lstrip().startswith(_MARK):
                # Continuation of the previous affiliation that wrapped onto this line.
                m, prev = affs[-1]
                affs[-1] = (m, f"{prev} {pairs[0][1]}".strip())
                pairs = pairs[1:]
            affs.extend(pairs)
        elif _looks_like_names(re.sub(f"{_MARK}.*?{_END}", "", text)) or _MARK in text:
            author_lines.append((ln, text))
    people: list[Person] = []
    origin: list[tuple[TextLine, int]] = []
    for ln, text in author_lines:
        found = _split_people(text)
        people.extend(found)
        origin.extend((ln, len(found)) for _ in found)
    by_marker = {m.translate(_SUPERSCRIPTS): a for m, a in affs if m}
    unmarked = [a for m, a in affs if not m]
    creators: list[dict] = []
    sources: list[tuple[TextLine, int, list[str]]] = []
    for person, (src, per_line) in zip(people, origin, strict=True):
        sources.append((src, per_line, [m.translate(_SUPERSCRIPTS) for m in person.markers]))
        if person.organizational:
            creators.append({"name": person.name, "nameType": "Organizational"})
            continue
        given, family = split_name(person.name)
        record: dict = {"name": f"{family}, {given}" if given else family, "nameType": "Personal"}
        if given:
            record["givenName"] = given
        record["familyName"] = family
        names = [by_marker[m] for m in person.markers if m in by_marker]
        if not names and len(affs) == 1:
            names = [affs[0][1]]
        elif not names and not by_marker and unmarked:
            names = unmarked[:1] if len(unmarked) == 1 else []
        if names:
            record["affiliation"] = [{"name": n} for n in dict.fromkeys(names)]
        creators.append(record)
    _link_emails(creators, sources, emails)
    _link_orcids(creators, url_text)
    return creators
