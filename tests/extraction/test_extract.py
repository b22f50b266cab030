"""`extract()` on a poster drawn for the test: every field the layout engine promises."""

from __future__ import annotations

import pytest

from extraction import ExtractOptions, extract
from extraction.api import resolve_engine
from extraction.validate import problems
from tests.factories import PosterSpec, poster_pdf


@pytest.fixture(scope="module")
def doc(poster):
    return extract(poster)


def test_title_and_creators_with_affiliations(doc):
    spec = PosterSpec()
    assert doc["titles"] == [{"title": spec.title}]
    names = [(c["familyName"], c["givenName"], c["name"]) for c in doc["creators"]]
    assert names == [("Lopez", "Maria", "Lopez, Maria"), ("Smith", "John", "Smith, John"),
                     ("Tanaka", "Aiko", "Tanaka, Aiko")]  # fmt: skip
    affs = [[a["name"] for a in c["affiliation"]] for c in doc["creators"]]
    assert affs == [[spec.affiliations[0]], spec.affiliations, [spec.affiliations[1]]]
    assert all(c["nameType"] == "Personal" for c in doc["creators"])


def test_sections_verbatim_with_bullets(doc):
    sections = {s.get("sectionTitle"): s["sectionContent"] for s in doc["content"]["sections"]}
    assert list(sections)[:4] == ["Abstract", "Methods", "Results", "Conclusions"]
    for title, text in PosterSpec().sections:
        for line in text.split("\n"):
            assert line in sections[title], (title, line)


def test_captions_identifiers_subjects_description(doc):
    assert doc["imageCaptions"] == [
        {"id": "fig1", "caption": "Figure 1. Survey sites along the northern reef."}
    ]
    assert doc["tableCaptions"] == [{"id": "table1", "caption": "Table 1. Detection scores per region."}]
    assert {"identifier": "10.5281/zenodo.1234567", "identifierType": "DOI"} in doc["identifiers"]
    assert [s["subject"] for s in doc["subjects"]] == ["coral reefs", "graph matching", "monitoring"]
    assert doc["descriptions"][0]["descriptionType"] == "Abstract"
    assert doc["descriptions"][0]["description"].startswith("We describe a method")
    assert doc["language"] == "en"


def test_never_invents_missing_required_fields(doc):
    """No year, conference or publisher is printed: they are left out and named in the warnings."""
    assert "publicationYear" not in doc and "conference" not in doc and "publisher" not in doc
    warnings = " ".join(doc["_extraction"]["warnings"])
    assert "'publicationYear'" in warnings and "'conference'" in warnings


def test_output_is_schema_valid_and_records_how_it_was_made(doc):
    assert problems(doc) == []
    meta = doc["_extraction"]
    assert meta["engine"] == "layout" and meta["source"] == "pdfalto"
    assert 0 < meta["seconds"] < 30 and meta["version"]


def test_validation_reports_wrong_shapes():
    bad = {"titles": "not a list", "publicationYear": "soon", "_extraction": {}}
    found = problems(bad)
    assert any(p.startswith("schema: titles:") for p in found)
    assert any(p.startswith("schema: publicationYear:") for p in found)


def test_conference_and_year_when_printed(tmp_path):
    spec = PosterSpec(footer="Presented at the International Conference on Reef Science 2024, Cairns")
    doc = extract(poster_pdf(tmp_path / "conf.pdf", spec))
    assert "Reef Science" in doc.get("conference", {}).get("conferenceName", ""), doc.get("conference")


def test_single_column_and_three_column_layouts(tmp_path):
    for columns in (1, 3):
        doc = extract(poster_pdf(tmp_path / f"c{columns}.pdf", columns=columns))
        titles = [s.get("sectionTitle") for s in doc["content"]["sections"]]
        assert titles[:4] == ["Abstract", "Methods", "Results", "Conclusions"], (columns, titles)


def test_unknown_engine_is_refused_and_auto_is_layout_without_cuda():
    with pytest.raises(ValueError, match="unknown engine"):
        ExtractOptions(engine="gpt")
    assert resolve_engine(ExtractOptions(engine="auto", model_id="posterx-tests/no-such-model")) == "layout"
