"""ORCID iDs and licences in standard form (extraction/normalize.py), on hand-made docs."""

from __future__ import annotations

from extraction import normalize


def test_orcid_ids_become_checked_urls() -> None:
    doc = {"creators": [{"name": "Doe, Jane", "nameIdentifiers": [
        {"nameIdentifier": "https://orcid.org/0000-0002-1825-0097", "nameIdentifierScheme": "ORCID"},
        {"nameIdentifier": "orcid.org/0000-0002-6581-350x"},  # lower-case X check digit
        {"nameIdentifier": "https://orcid.org/0000-0002-1825-0098", "nameIdentifierScheme": "ORCID"},  # bad sum
        {"nameIdentifier": "jane@example.org", "nameIdentifierScheme": "contact"},  # poster-json's contact
    ]}]}  # fmt: skip
    warnings: list[str] = []
    ids = normalize.standardise(doc, warnings)["creators"][0]["nameIdentifiers"]
    assert [i["nameIdentifier"] for i in ids] == [
        "https://orcid.org/0000-0002-1825-0097",
        "https://orcid.org/0000-0002-6581-350X",
        "jane@example.org",
    ]
    assert ids[1] == {"nameIdentifier": "https://orcid.org/0000-0002-6581-350X", "nameIdentifierScheme": "ORCID",
                      "schemeURI": "https://orcid.org"}  # fmt: skip
    assert warnings == [
        "ORCID iD 'https://orcid.org/0000-0002-1825-0098' of Doe, Jane fails its checksum; left out"
    ]


def test_a_creator_whose_only_orcid_fails_has_no_name_identifiers() -> None:
    doc = {"creators": [{"name": "Doe, Jane", "nameIdentifiers": [{"nameIdentifier": "0000-0002-1825-0098",
                                                                  "nameIdentifierScheme": "ORCID"}]}]}  # fmt: skip
    assert "nameIdentifiers" not in normalize.standardise(doc, [])["creators"][0]


def test_licences_carry_an_spdx_id_or_none_with_a_warning() -> None:
    cases = {
        "CC BY 4.0": "CC-BY-4.0",
        "CC-BY-SA-4.0": "CC-BY-SA-4.0",
        "CC BY-SA-NC 3.0": "CC-BY-NC-SA-3.0",  # SPDX's order of elements
        "CC0": "CC0-1.0",
        "Creative Commons Attribution 4.0 International": "CC-BY-4.0",
        "MIT": "MIT",
        "CC-BY": None,  # no version: which licence is not printed
        "CC BY 9.0": None,
    }
    for printed, expected in cases.items():
        warnings: list[str] = []
        [rights] = normalize.standardise({"rightsList": [{"rights": printed}]}, warnings)["rightsList"]
        if expected:
            assert rights == {
                "rights": expected,
                "rightsIdentifier": expected,
                "rightsIdentifierScheme": "SPDX",
            }
            assert warnings == []
        else:
            assert rights == {"rights": printed} and "no licence id" in warnings[0], printed
