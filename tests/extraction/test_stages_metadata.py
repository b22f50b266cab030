"""Identifiers: the poster's own, not a funder's registry ID, a person's ORCID iD or a cited work."""

from __future__ import annotations

from extraction.stages import metadata
from tests.factories import line


def test_funder_ids_and_orcids_are_not_poster_identifiers() -> None:
    text = (
        "DOI: 10.5281/zenodo.123456 sponsored by Merck (CrossRef Funder ID: 10.13039/100009945) "
        "ORCID https://orcid.org/0000-0002-2862-7302 project page https://example.org/project"
    )
    found = [(i["identifier"], i["identifierType"]) for i in metadata.identifiers(text)]
    assert found == [("10.5281/zenodo.123456", "DOI"), ("https://example.org/project", "URL")]


def test_a_badge_or_a_labelled_doi_is_the_posters_own_and_the_rest_is_related() -> None:
    badge = line("DOI 10.5281/zenodo.8099835", x=600, y=2800, size=14)  # a Zenodo badge above a QR code
    # A wide line in another size just above the badge is not the badge's paragraph.
    authors = line(
        "Remi Gau, Marco Barilari, Ceren Battal and many more authors here", x=100, y=2770, size=24
    )
    assert authors.x < badge.x < badge.right < authors.right and badge.y - authors.bottom < badge.h
    body = [
        line("We reuse the atlas of Smith et al. (doi:10.1000/atlas.2019) for every site.", x=100, y=1000),
        line("and the rest of the sentence runs on to the next line of the column.", x=100, y=1030),
    ]
    refs = [
        line("Hardt M, Lam DK. Surveying proteolytic processes. Proteomics", x=100, y=2000, size=16),
        line("Clin Appl 5 (2011): 636-43.", x=100, y=2020, size=16),
        line("doi:10.1002/prca.201100015.", x=100, y=2040, size=16),  # a wrapped reference: not apart
    ]
    lines = [*body, *refs, authors, badge]
    own, related = metadata.doi_roles(lines, cited={id(x) for x in refs}, references={id(x) for x in refs})
    assert own == [{"identifier": "10.5281/zenodo.8099835", "identifierType": "DOI"}]
    assert related == [
        {
            "relatedIdentifier": "10.1000/atlas.2019",
            "relatedIdentifierType": "DOI",
            "relationType": "References",
        },
        {
            "relatedIdentifier": "10.1002/prca.201100015",
            "relatedIdentifierType": "DOI",
            "relationType": "Cites",
        },
    ]


def test_a_doi_named_as_the_posters_is_its_own_even_in_a_paragraph() -> None:
    lines = [
        line("Thanks to all participants of the study, who gave their time freely.", x=100, y=100),
        line("This poster: https://doi.org/10.5281/zenodo.4446908", x=100, y=125),
        line("Data: 10.5061/dryad.abc123 (deposited with the paper).", x=100, y=150),
    ]
    own, related = metadata.doi_roles(lines, cited=set(), references=set())
    assert own == [{"identifier": "10.5281/zenodo.4446908", "identifierType": "DOI"}]
    assert [r["relatedIdentifier"] for r in related] == ["10.5061/dryad.abc123"]


def test_a_doi_in_the_references_is_never_the_posters_even_set_apart() -> None:
    ref = line("DOI: 10.1038/nature22901", x=100, y=2000)
    own, related = metadata.doi_roles([ref], cited={id(ref)}, references={id(ref)})
    assert own == [] and related[0]["relationType"] == "Cites"


def test_conference_nouns_may_be_plural() -> None:
    """Event names use their noun in the plural as often as in the singular."""
    conf = metadata.conference(["AMIA Joint Summits on Translational Science 2013"])
    assert conf == {"conferenceName": "AMIA Joint Summits on Translational Science", "conferenceYear": 2013}
    assert metadata.conference(["14th Annual Meeting"]) == {"conferenceName": "14th Annual Meeting"}


def test_an_acronym_and_its_year_name_the_event() -> None:
    assert metadata.conference(["DH 2023"]) == {"conferenceName": "DH 2023", "conferenceYear": 2023}
    assert metadata.conference(["USRSE'25"]) == {"conferenceName": "USRSE'25"}
    assert metadata.conference(["Figure 2023 shows nothing of the kind here at all, really"]) is None
