"""Section names: one vocabulary for headings, the abstract, cited works and opening sections."""

from __future__ import annotations

from extraction import pipeline
from extraction.stages import headings


def test_names_of_every_role_are_standard_headings() -> None:
    for name in (
        "ABSTRACT", "Background", "Aims:", "2. Materials and Methods", "RESULTS*", "Key Findings",
        "Future work", "Works cited", "Conflicts of interest", "Contact", "Zusammenfassung", "Resultados",
    ):  # fmt: skip
        assert headings.is_standard_name(name), name


def test_the_assembler_reads_its_sections_off_the_same_names() -> None:
    assert headings.is_standard_name("QUELLEN") and pipeline.CITED.match("Quellen")
    assert headings.is_standard_name("Riassunto:") and pipeline.ABSTRACT.match("Riassunto")
    assert headings.is_standard_name("Key findings") and pipeline.OPENING.match("Key findings")
    assert pipeline.OPENING.match("Take-home message")
    assert pipeline.REFERENCES.match("Bibliography") and not pipeline.REFERENCES.match("Funding")
    assert not pipeline.CITED.match("Introduction") and not pipeline.OPENING.match("References")
