"""Identifiers: the poster's own, not a funder's registry ID or a person's ORCID iD."""

from __future__ import annotations

from extraction.stages import metadata


def test_funder_ids_and_orcids_are_not_poster_identifiers() -> None:
    text = (
        "DOI: 10.5281/zenodo.123456 sponsored by Merck (CrossRef Funder ID: 10.13039/100009945) "
        "ORCID https://orcid.org/0000-0002-2862-7302 project page https://example.org/project"
    )
    found = [(i["identifier"], i["identifierType"]) for i in metadata.identifiers(text)]
    assert found == [("10.5281/zenodo.123456", "DOI"), ("https://example.org/project", "URL")]
