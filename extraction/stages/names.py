"""Personal names: is a chunk of a byline a person, and how does the name split?

Bylines follow a few conventions across fields and languages: a name is two to five words, each
capitalised except for particles (de, van, da, von der); honorifics come first (Dr., Prof.,
Profª.) and degrees last ("PhD", "MD, MPH"); a student or staff number may follow ("Nº 17440").
A name never holds digits, month names, organisation words, job titles or a label. The maintained
`nameparser` library knows the honorifics, degrees and particles of many languages, so they are
not kept by hand here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from nameparser.config import CONSTANTS

from extraction import vocab

PARTICLES = {p for p in CONSTANTS.prefixes if p.isalpha()} | {
    "dos", "das", "do", "e", "y", "bin", "ben", "lo", "li", "dalla", "dalle", "des", "zur", "ter",
}  # fmt: skip
# Particles also printed capitalised inside a name; not "Ben" or "Bin", which are given names too.
_CAPITAL_PARTICLES = {
    "de", "del", "della", "di", "da", "dos", "das", "do", "du", "van", "von", "der", "den", "lo",
    "la", "le", "dal", "dalla", "degli", "dei", "ter", "ten",
}  # fmt: skip
# An article opens a phrase, never a name ("The Study", "A Randomised Controlled Trial"); "A"
# is also an initial ("A Paul Vos"), so it counts as an article only before three more words.
_ARTICLES = {"the", "an", "le", "la", "les", "el", "los", "las", "il", "der", "die", "das", "o", "os", "as"}
# Feminine forms of Romance-language honorifics ("Profª.", "Dra.") are printed as often.
_TITLES = set(CONSTANTS.titles) | {
    "prof",
    "profa",
    "dr",
    "dra",
    "drs",
    "ir",
    "ing",
    "mag",
    "dott",
    "dottssa",
    "sr",
    "sra",
}
_DEGREES = set(CONSTANTS.suffix_acronyms) | set(CONSTANTS.suffix_not_acronyms) | {"mslis", "mbbs", "frcp"}
# "Nº 17440", "No. 12345", "n.º 3", "#2231", "ID: 88", "Matr. 1234": a student or staff number.
_ID_NUMBER = re.compile(
    r"(?:\b(?:n\.?\s?[º°o]\.?|no\.|nr\.?|id:?|matr(?:icola|\.|ícula)?)|#)\s*\d[\d\s./-]*", re.I
)
_INITIAL = re.compile(r"^(?:[A-Z]\.?){1,3}$|^[A-Z]\.(?:-[A-Z]\.)?$|^[A-Z]\.-?[A-Z]\.?$")
_WORD_CHARS = re.compile(r"^[^\W\d_][\w'’.\-]*$")


@dataclass
class Name:
    """A personal name as printed (honorifics, degrees and numbers removed), and its parts."""

    text: str
    given: str
    family: str

    @property
    def words(self) -> int:
        return len(self.text.split())


def _key(word: str) -> str:
    """A word as the vocabularies list it: lower case, ordinal marks and dots dropped."""
    return word.lower().replace("ª", "").replace("º", "").replace(".", "").strip(",;:")


def strip_extras(text: str) -> str:
    """The name with honorifics before it, degrees after it and ID numbers removed."""
    text = unicodedata.normalize("NFKC", text)
    text = _ID_NUMBER.sub(" ", text)
    words = text.replace(",", " , ").split()
    while words and (_key(words[0]) in _TITLES or words[0] == ","):
        words.pop(0)
    while words and (words[-1] == "," or _trailing_degree(words)):
        words.pop()
    return re.sub(r"\s+,", ",", " ".join(words)).strip(" ,;")


def _trailing_degree(words: list[str]) -> bool:
    """The last word is a degree: after a comma, written with dots or lower case ("Ph.D.", "MSc"),
    or an all-capitals degree after a full name ("John Smith MD"). After a single word it is
    initials, as Vancouver style prints names ("Pescott CP")."""
    last = words[-1]
    if _key(last) not in _DEGREES:
        return False
    if len(words) >= 2 and words[-2] == ",":
        return True
    if any(c.islower() for c in last) or "." in last:
        return True
    return len([w for w in words[:-1] if w != ","]) >= 2


def is_degree(text: str) -> bool:
    """A chunk that is only degrees or honorifics ("PhD", "MD, MPH", "Ph.D."): part of the name before it."""
    words = [w for w in re.split(r"[\s,]+", text) if w]
    return bool(words) and all(_key(w) in _DEGREES or _key(w) in _TITLES for w in words)


def _name_word(word: str, first: bool, last: bool, lenient: bool = False) -> bool:
    if _INITIAL.match(word):
        return True
    if (
        lenient
        and not first
        and word[:1].islower()
        and word.isalpha()
        and word.lower() not in vocab.FUNCTION_WORDS
    ):
        return True  # a fragment of a name whose accented letter the text layer split off ("Sz őke")
    if not _WORD_CHARS.match(word) or any(c.isdigit() for c in word):
        return False
    key = word.lower().strip(".")
    if word[0].islower():
        # Particles (de, van, da) sit inside a name, never at its start or end.
        return key in PARTICLES and not last and not first
    if key in vocab.FUNCTION_WORDS and key not in PARTICLES:
        return False
    if key in vocab.MONTHS and not first:
        return False  # "Leuven April": a place and a date (a given name "April" comes first)
    return key not in vocab.ROLE_WORDS


def parse(chunk: str, lenient: bool = False) -> Name | None:
    """A `Name` when `chunk` is shaped like one personal name, else None.

    One-word chunks are returned too (a marker may vouch for them); the caller decides how much
    evidence it needs. `lenient` (for a chunk a marker vouches for) also accepts lower-case
    fragments after the first word, as a text layer leaves them when it splits off a letter.
    """
    text = strip_extras(chunk)
    text = re.sub(r"\s+", " ", text).strip(" ,;.:")
    if not text or "@" in text or "/" in text or vocab.ORG_WORDS.search(text):
        return None
    words = text.split()
    if len(words) > 6 or len([w for w in words if w.lower() not in PARTICLES]) > 4:
        return None
    if not all(_name_word(w, i == 0, i == len(words) - 1, lenient) for i, w in enumerate(words)):
        return None
    if all(_INITIAL.match(w) for w in words):
        return None
    if words[0].lower() in _ARTICLES or (words[0] == "A" and len(words) >= 4):
        return None
    given, family = split(text)
    return Name(text=text, given=given, family=family)


def split(full: str) -> tuple[str, str]:
    """(given, family) for a printed personal name.

    - "Smith, John": a comma puts the family name first.
    - "Ivanyi P", "Colombo GL": the Vancouver style of biomedical posters puts the initials last,
      so a real word followed by capital initials is family-then-given.
    - "Maria M. Perez Madrigal": words after a middle initial are all family name (a double
      surname); without an initial, the last word is the family name.
    - Family names set in capitals are the family name ("Carmen QUISPE MAMANI").
    - Particles (van, de, von der, and capitalised Lo, De, Van) stay with the family name.
    """
    if "," in full:
        family, _, given = full.partition(",")
        return given.strip(), family.strip()
    words = full.split()
    if len(words) == 1:
        return "", words[0]
    vancouver = _INITIAL.match(words[-1]) and not any(_INITIAL.match(w) for w in words[:-1])
    if vancouver and any(c.islower() for c in words[0]):
        return words[-1], " ".join(words[:-1])
    initials = [i for i, w in enumerate(words[:-1]) if _INITIAL.match(w)]
    if initials and 0 < initials[-1] < len(words) - 2:
        start = initials[-1] + 1
        return " ".join(words[:start]), " ".join(words[start:])
    caps = [w.isupper() and len(w.strip(".")) > 1 for w in words]
    if not caps[0] and caps[-1]:
        # Family names set in capitals ("Carmen QUISPE MAMANI"): the capitals are the family name.
        start = len(words) - 1
        while start > 1 and caps[start - 1]:
            start -= 1
        return " ".join(words[:start]), " ".join(words[start:])
    start = len(words) - 1
    while start > 1 and _particle(words[start - 1]):
        start -= 1
    return " ".join(words[:start]), " ".join(words[start:])


def _particle(word: str) -> bool:
    """A particle of a family name: lower case (de, van der), or capitalised as Italian, Dutch
    and Iberian names print them ("Lo Giudice", "De Luca", "Van Dyke", "Da Silva")."""
    if word.islower():
        return word in PARTICLES
    return word.lower() in _CAPITAL_PARTICLES
