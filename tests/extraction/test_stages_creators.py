"""Creators stage on hand-made lines: name splitting, affiliation wrapping, banner clutter."""

from __future__ import annotations

from extraction.model import Word
from extraction.stages import creators
from extraction.stages.creators import split_name
from extraction.stages.lines import TextLine


def line(y: float, *parts: str | tuple[str, bool], size: float = 20.0, x: float = 100.0) -> TextLine:
    """A printed line; a (text, True) part is a superscript word."""
    words: list[Word] = []
    cursor = x
    for part in parts:
        text, sup = (part, False) if isinstance(part, str) else part
        w = len(text) * size * 0.5
        words.append(
            Word(text=text, x=cursor, y=y, w=w, h=size, font_size=size * (0.6 if sup else 1), superscript=sup)
        )
        cursor += w + size * 0.3
    return TextLine(words=words, x=x, y=y, w=cursor - x, h=size, size=size, bold=False, block=0)


def test_split_name_vancouver_initials_last() -> None:
    assert split_name("Ivanyi P") == ("P", "Ivanyi")
    assert split_name("Colombo GL") == ("GL", "Colombo")


def test_split_name_double_surname_after_initial() -> None:
    assert split_name("Maria M. Perez Madrigal") == ("Maria M.", "Perez Madrigal")
    assert split_name("John A. van Dyke") == ("John A.", "van Dyke")


def test_split_name_keeps_western_order_and_middle_names() -> None:
    assert split_name("Loes PM Duivenvoorde") == ("Loes PM", "Duivenvoorde")
    assert split_name("Marta Maria Cara") == ("Marta Maria", "Cara")
    assert split_name("D. M. Crenshaw") == ("D. M.", "Crenshaw")
    assert split_name("Meike van der Zande") == ("Meike", "van der Zande")


def test_wrapped_affiliation_is_not_read_as_names() -> None:
    zone = [
        line(0, "Anna", "Berg", ("1", True), ",", "Carl", "Dunn", ("2", True), size=26),
        line(
            40,
            ("1", True),
            "Some",
            "Medical",
            "School,",
            "Hannover;",
            ("2", True),
            "Global",
            "Value",
            size=14,
        ),
        line(58, "Demonstration,", "Market", "Access", "and", "Pricing,", "Darmstadt,", "Germany", size=14),
    ]
    out = creators.extract(zone)
    assert [c["familyName"] for c in out] == ["Berg", "Dunn"]
    assert out[1]["affiliation"][0]["name"].endswith("Darmstadt, Germany")


def test_urls_and_section_names_are_not_creators() -> None:
    zone = [
        line(0, "Anna", "Berg", size=26),
        line(40, "ORCID:", "Berg", "A,", "https://orcid.org/0000-0002-2862-7302", size=14),
        line(60, "INTRODUCTION", size=26),
    ]
    assert [c["familyName"] for c in creators.extract(zone)] == ["Berg"]


def test_emails_link_by_position_marker_and_name() -> None:
    zone = [
        line(0, "Michael", "Toker", ("1", True), size=30, x=100),
        line(0, "Ophir", "Manor", ("2", True), size=30, x=700),
        line(32, "tok@cs.example.ac.il", size=25, x=90),
        line(32, "ophirmm@open.example.ac.il", size=25, x=690),
        line(80, ("1", True), "Technion Institute of Technology", size=24, x=300),
        line(110, ("2", True), "The Open University of Israel", size=24, x=300),
    ]
    out = creators.extract(zone)
    ids = {c["familyName"]: c["nameIdentifiers"][0]["nameIdentifier"] for c in out}
    assert ids == {"Toker": "tok@cs.example.ac.il", "Manor": "ophirmm@open.example.ac.il"}
    assert out[0]["nameIdentifiers"][0]["nameIdentifierScheme"] == "contact"


def test_email_marked_like_one_author_goes_to_that_author() -> None:
    zone = [
        line(0, "Anna", "Berg", ("*", True), ",", "Carl", "Dunn", size=26),
        line(40, ("*", True), "aberg@example.org", size=14),
    ]
    out = creators.extract(zone)
    assert out[0]["nameIdentifiers"][0]["nameIdentifier"] == "aberg@example.org"
    assert "nameIdentifiers" not in out[1]


def test_orcid_list_links_to_authors_even_when_wrapped() -> None:
    zone = [
        line(0, "Ivanyi", "P", ("1", True), ",", "Bullement", "A", ("2", True), size=26),
        line(
            40,
            ("1", True),
            "Hannover",
            "Medical",
            "School,",
            "Germany;",
            ("2", True),
            "Delta",
            "Hat",
            "Ltd,",
            "UK",
            size=14,
        ),
        line(
            60,
            "ORCID",
            "iDs:",
            "Ivanyi",
            "P,",
            "https://orcid.org/0000-0002-2862-7302;",
            "Bullement",
            "A:https://orcid.org/0000-",
            size=14,
        ),
        line(78, "0001-7091-0972", size=14),
    ]
    out = creators.extract(zone)
    ids = {c["familyName"]: c["nameIdentifiers"][0]["nameIdentifier"] for c in out}
    assert ids == {
        "Ivanyi": "https://orcid.org/0000-0002-2862-7302",
        "Bullement": "https://orcid.org/0000-0001-7091-0972",
    }
