"""poster-json → "PosterMetadata" columns holds only what the frontend's editor accepts
(app/editor.py), checked with the rules written from CONTRACT.md (tests/editor_rules.py)."""

from __future__ import annotations

from app import editor
from app.mapping import to_columns
from tests.editor_rules import editor_problems

DOC = {
    "creators": [
        {"name": "Doe, Jane", "nameType": "Personal", "givenName": "Jane", "familyName": "Doe", "nameIdentifiers": [
            {"nameIdentifier": "jane.doe@example.org", "nameIdentifierScheme": "contact"},
            {"nameIdentifier": "https://orcid.org/0000-0002-1825-0097", "nameIdentifierScheme": "ORCID",
             "schemeURI": "https://orcid.org"},
        ], "affiliation": [
            "Plain University",
            {"name": "Good", "affiliationIdentifier": "0168r3w48", "affiliationIdentifierScheme": "ROR"},
            {"name": "Bad", "affiliationIdentifier": "https://ror.org/0168r3w49"},
            {"name": "Local", "affiliationIdentifier": "INST-42"},
        ]},
        {"name": "Roe, Rick", "nameType": "Personal", "givenName": "Rick", "familyName": "Roe", "nameIdentifiers": [
            {"nameIdentifier": "rick@example.org", "nameIdentifierScheme": "contact"},
            {"nameIdentifier": "0000-0002-1825-0098", "nameIdentifierScheme": "ORCID"},  # fails its checksum
            {"nameIdentifier": "0000 0001 2103 2683", "nameIdentifierScheme": "ISNI"},
            {"nameIdentifier": "rick on Mastodon"},
        ]},
    ],
    "identifiers": [
        {"identifier": "10.5281/zenodo.1234567", "identifierType": "DOI"},
        {"identifier": "734", "identifierType": "Poster number"},
        {"identifier": "2501.12345", "identifierType": "ARXIV"},
    ],
    "relatedIdentifiers": [
        {"relatedIdentifier": "10.1038/nature22901", "relatedIdentifierType": "DOI", "relationType": "Cites"},
        {"relatedIdentifier": "swh:1:cnt:abc", "relatedIdentifierType": "SWHID", "relationType": "References"},
    ],
    "rightsList": [{"rights": "CC-BY-4.0", "rightsIdentifier": "CC-BY-4.0", "rightsIdentifierScheme": "SPDX"}],
    "formats": ["PDF"],
    "language": "en",
}  # fmt: skip


def test_columns_hold_only_what_the_editor_accepts() -> None:
    assert editor_problems(DOC | {"format": "PDF", "license": "CC BY"})  # the rules do catch these
    cols = to_columns(DOC)
    assert editor_problems(cols) == []
    jane, rick = cols["creators"]
    assert jane["nameIdentifiers"] == [DOC["creators"][0]["nameIdentifiers"][1]]  # no e-mail
    assert jane["affiliation"] == [
        "Plain University",
        {
            "name": "Good",
            "affiliationIdentifier": "https://ror.org/0168r3w48",
            "affiliationIdentifierScheme": "ROR",
        },
        {"name": "Bad"},
        {"name": "Local"},
    ]
    assert rick["nameIdentifiers"] == [{"nameIdentifier": "https://isni.org/isni/0000000121032683",
                                        "nameIdentifierScheme": "ISNI", "schemeURI": "https://isni.org"}]  # fmt: skip
    assert [i["identifierType"] for i in cols["identifiers"]] == ["DOI", "Other", "arXiv"]
    assert [i["relatedIdentifierType"] for i in cols["relatedIdentifiers"]] == ["DOI", "Other"]
    assert (cols["doi"], cols["format"], cols["license"]) == (
        "10.5281/zenodo.1234567",
        "application/pdf",
        "CC-BY-4.0",
    )
    assert DOC["creators"][0]["nameIdentifiers"][0]["nameIdentifier"] == "jane.doe@example.org"  # not mutated


def test_doi_is_only_the_posters_own_and_license_only_an_spdx_id() -> None:
    doc = {
        "relatedIdentifiers": [DOC["relatedIdentifiers"][0]],  # a cited DOI only
        "rightsList": [{"rights": "CC-BY"}],  # printed without a version: no rightsIdentifier
        "formats": ["JPEG"],
    }
    cols = to_columns(doc)
    assert "doi" not in cols and "license" not in cols and cols["format"] == "image/jpeg"


def test_formats_become_mime_types() -> None:
    for name, mime in (("PDF", "application/pdf"), ("png", "image/png"), ("WEBP", "image/webp"),
                       ("PPTX", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
                       ("application/pdf", "application/pdf"), ("NOPE", None)):  # fmt: skip
        assert editor.mime_type(name) == mime, name
