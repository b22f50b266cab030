"""Identifiers, conference, year, licence, keywords and language: fields read off the text.

Every value here comes from something printed on the poster, by a pattern that is written
down in this module; nothing is guessed. Subjects without a printed keywords line use YAKE
(unsupervised keyword extraction) over the section text: the five best-scored phrases of
one to three words.
"""

from __future__ import annotations

import re
from datetime import date

from extraction.vocab import KEYWORD_LABELS

DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>,;]+[^\s\"<>,;.)\]])", re.IGNORECASE)
URL = re.compile(r"\b((?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;)\]])", re.IGNORECASE)
POSTER_NO = re.compile(
    r"\b(poster|abstract)\s*(?:nr|no|number|#|id)\.?\s*[:#]?\s*([A-Z]{0,4}-?\d{1,6}[A-Z]?)\b", re.I
)
KEYWORDS = re.compile(rf"^\s*({KEYWORD_LABELS})\s*[:\-–—]\s*(.+)$", re.I)
CONFERENCE = re.compile(
    r"((?:\d{1,3}(?:st|nd|rd|th)\s+)?(?:[A-Z][\w'’&.-]*\s+){0,8}"
    # Event nouns, singular or plural ("Joint Summits on ...", "Annual Meetings of ...").
    r"(?:(?:Conference|Congress|Symposium|Meeting|Workshop|Summit|Forum|Colloquium|Convention|"
    r"Congreso|Congresso|Congrès|Kongress|Konferenz|Tagung|Conferencia|Conferência|Conferenza|Simposio|"
    r"Simpósio|Colloque|Convegno|Jornadas|Encontro|Encuentro)s?)"
    r"(?:\s+(?:of|on|for|and|the|in)\s+(?:the\s+)?(?:[A-Z][\w'’&.-]*\s*){1,8})?(?:\s+\(?[A-Z]{2,}\s*\d{2,4}\)?)?"
    r"(?:\s+20\d\d)?)"
)
FUNDER_PREFIX = "10.13039/"  # Crossref Funder Registry
# A line that is nothing but a DOI, optionally labelled: how a DOI badge (Zenodo's "DOI | 10.…")
# or a "DOI: 10.…" line set apart from the text reads once extracted.
DOI_ALONE = re.compile(r"^\s*(?:doi\s*[:|]?\s*|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)\s*$", re.I)
# Words by which a poster names a DOI as its own ("This poster: doi…", "Cite this poster as …").
OWN_DOI_LABEL = re.compile(
    r"\b(?:this poster|poster doi|doi (?:of|for) (?:this|the) poster|cite (?:this poster|as)|"
    r"poster (?:is )?(?:available|archived|deposited))\b",
    re.I,
)
# An event printed as its acronym and year ("DH 2023", "USRSE'25") on a short line.
ACRONYM_YEAR = re.compile(r"\b([A-Z][A-Za-z]{1,10})\s?['’]?((?:19|20)\d\d|'\d\d)\b")
YEAR = re.compile(r"(?<!\d)(20[0-3]\d|19[89]\d)(?!\d)")
DATE = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?[\s./-]+(?:\d{1,2}|[A-Za-z]{3,9})[\s./-]+(?:19|20)\d\d\b|"
    r"\b[A-Za-z]{3,9}\.?\s+\d{1,2}(?:[-–]\d{1,2})?,?\s+(?:19|20)\d\d\b"
)
LICENSE = re.compile(r"\b(CC[\s-]?BY(?:[\s-](?:SA|NC|ND)){0,2}(?:[\s-]\d\.\d)?|CC0(?:\s1\.0)?)\b")


def identifiers(text: str) -> list[dict]:
    """DOIs, poster/abstract numbers and URLs printed on the poster (the caller leaves out cited
    works: references and acknowledgements name other people's identifiers)."""
    found: list[dict] = []
    seen: set[str] = set()
    for m in DOI.finditer(text):
        doi = m.group(1)
        if doi.startswith(FUNDER_PREFIX):
            continue  # a funder's registry ID, not an identifier of the poster
        if doi.lower() not in seen:
            seen.add(doi.lower())
            found.append({"identifier": doi, "identifierType": "DOI"})
    for m in POSTER_NO.finditer(text):
        kind = "Poster number" if m.group(1).lower() == "poster" else "Abstract number"
        value = m.group(2)
        if value.lower() not in seen:
            seen.add(value.lower())
            found.append({"identifier": value, "identifierType": kind})
    for m in URL.finditer(text):
        url = m.group(1)
        if "doi.org/" in url.lower() or "orcid.org/" in url.lower() or url.lower() in seen:
            continue  # ORCID iDs identify people; they go to the creators
        seen.add(url.lower())
        found.append({"identifier": url, "identifierType": "URL"})
    return found


def is_event_line(text: str) -> bool:
    """A conference or event line ("10th Workshop@Graz, 24 Mar 2026", "ISPOR Europe 2023").

    Posters print where they were shown as a dated line with an event word or an ordinal; it
    is neither the title nor an affiliation.
    """
    dated = bool(YEAR.search(text) or DATE.search(text))
    if not dated:
        return False
    if CONFERENCE.search(text) or re.search(r"\d(?:st|nd|rd|th)\b", text):
        return True
    # A meeting's acronym and year alone ("ENCODE 2023", "ISMB'24").
    m = ACRONYM_YEAR.search(text)
    return bool(m) and m.group(1).isupper() and len(text.split()) <= 4


def _dois(text: str) -> list[str]:
    return [m.group(1) for m in DOI.finditer(text) if not m.group(1).startswith(FUNDER_PREFIX)]


def _set_apart(line, lines: list) -> bool:
    """The line is a label of its own (a badge), not a line of a wrapped paragraph or reference.

    The lines of one paragraph are set in one size, one under the other, less than a line
    height apart; a line with no such neighbour above or below it stands alone."""
    for o in lines:
        if o is line or o.right < line.x or o.x > line.right:
            continue
        if abs(o.size - line.size) > 0.15 * max(o.size, line.size):
            continue
        if max(o.y - line.bottom, line.y - o.bottom) < line.h:
            return False
    return True


def doi_roles(lines: list, cited: set[int], references: set[int]) -> tuple[list[dict], list[dict]]:
    """The DOIs printed on the poster, as (its own identifiers, related identifiers).

    Conventions: a poster prints its own DOI as a badge or a "DOI: …" line set apart from the
    text, or names it ("this poster", "cite as"). Every other DOI identifies other work: a DOI in
    the reference list is cited ("Cites"); one in the text, a figure credit or the
    acknowledgements is a source ("References"). A DOI in a cited section is never the poster's.
    `cited` and `references` hold `id()`s of lines in cited sections and in the reference list.
    """
    own: list[str] = []
    related: dict[str, tuple[str, str]] = {}
    for ln in lines:
        found = _dois(ln.text)
        if not found:
            continue
        in_cited = id(ln) in cited
        alone = DOI_ALONE.match(ln.text) and _set_apart(ln, lines)
        for doi in found:
            if not in_cited and (alone or OWN_DOI_LABEL.search(ln.text)):
                if doi.lower() not in {d.lower() for d in own}:
                    own.append(doi)
            elif doi.lower() not in related:
                related[doi.lower()] = (doi, "Cites" if id(ln) in references else "References")
    mine = {d.lower() for d in own}
    return (
        [{"identifier": d, "identifierType": "DOI"} for d in own],
        [
            {"relatedIdentifier": doi, "relatedIdentifierType": "DOI", "relationType": kind}
            for key, (doi, kind) in related.items()
            if key not in mine
        ],
    )


def conference(lines: list[str]) -> dict | None:
    """Name (and year) of a conference printed on the poster, if any."""
    for line in lines:
        m = CONFERENCE.search(line)
        if m and len(m.group(1).split()) >= 2:
            name = m.group(1).strip(" ,;:-")
            if name.split()[0].lower() in {"meeting", "conference", "workshop"}:
                continue
            out: dict = {"conferenceName": name}
            y = YEAR.search(line)
            if y:
                out["conferenceYear"] = int(y.group(1))
            return out
    for line in lines:
        m = ACRONYM_YEAR.search(line)
        if m and len(line.split()) <= 8 and m.group(1).isupper():
            name = m.group(0)
            out = {"conferenceName": name}
            y = YEAR.search(name)
            if y:
                out["conferenceYear"] = int(y.group(1))
            return out
    return None


def publication_year(conf: dict | None, header_text: str) -> int | None:
    """The conference year, else the latest plausible year printed in the banner or footer."""
    if conf and conf.get("conferenceYear"):
        return int(conf["conferenceYear"])
    years = [int(y) for y in YEAR.findall(header_text) if int(y) <= date.today().year + 1]
    return max(years) if years else None


def rights(text: str) -> list[dict]:
    m = LICENSE.search(text)
    if not m:
        return []
    ident = re.sub(r"\s+", "-", m.group(1).upper())
    return [{"rights": ident}]


def keywords_line(lines: list[str]) -> list[str]:
    for line in lines:
        m = KEYWORDS.match(line)
        if m:
            parts = [p.strip(" .;") for p in re.split(r"[;,•·|]", m.group(2))]
            return [p for p in parts if p and len(p) < 80]
    return []


def yake_subjects(text: str, language: str | None, top: int = 5) -> list[str]:
    """Unsupervised keyphrases (YAKE) when the poster prints no keywords."""
    if len(text.split()) < 30:
        return []
    try:
        import yake
    except ImportError:  # pragma: no cover - yake is a pinned dependency
        return []
    extractor = yake.KeywordExtractor(lan=language or "en", n=3, top=top * 3, dedupLim=0.7)
    phrases: list[str] = []
    for phrase, _score in extractor.extract_keywords(text[:20000]):
        if any(phrase.lower() in p.lower() or p.lower() in phrase.lower() for p in phrases):
            continue
        phrases.append(phrase)
        if len(phrases) == top:
            break
    return phrases


def language(text: str) -> str | None:
    """ISO 639-1 code by py3langid; None when there is too little text to tell."""
    if len(text.split()) < 10:
        return None
    import py3langid

    code, _ = py3langid.classify(text[:20000])
    return code
