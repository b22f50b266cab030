"""Creators stage on synthetic lines: one test per printing convention the stage follows."""

from __future__ import annotations

from extraction.stages import creators
from extraction.stages.lines import make_line
from tests.factories import line


def families(records: list[dict]) -> list[str]:
    return [r.get("familyName", r["name"]) for r in records]


def affiliations(record: dict) -> list[str]:
    return [a["name"] for a in record.get("affiliation", [])]


# --- How a byline is joined ------------------------------------------------------------------


def test_byline_joined_by_commas_and_final_and() -> None:
    zone = [line("Seiied-Mohammad-Javad Razavian, Meysam Torabi, and Kio Kim", y=0, size=40)]
    assert families(creators.extract(zone)) == ["Razavian", "Torabi", "Kim"]


def test_byline_joined_by_ampersand_and_other_languages() -> None:
    assert families(creators.extract([line("Oliver Hahn & Steffen Lemke", size=30)])) == ["Hahn", "Lemke"]
    assert families(creators.extract([line("Lucia Bianchi e Marco Rossi", size=30)])) == ["Bianchi", "Rossi"]


def test_byline_over_several_lines() -> None:
    """A long author list wraps; the wrapped end (even a single name) belongs to it."""
    zone = [
        line("Roland Thiollière^{∗}, Ewan Dunbar^{∗}, Gabriel Synnaeve^{∗†}", y=0, size=50),
        line("Maarten Versteegh^{∗}, Emmanuel Dupoux^{∗}", y=55, size=50),
        line("^{∗} LSCP, École Normale Supérieure, Paris, France", y=120, size=40),
        line("^{†} now at Facebook AI Research", y=165, size=40),
    ]
    out = creators.extract(zone)
    assert families(out) == ["Thiollière", "Dunbar", "Synnaeve", "Versteegh", "Dupoux"]
    assert affiliations(out[2]) == [
        "LSCP, École Normale Supérieure, Paris, France",
        "now at Facebook AI Research",
    ]
    assert affiliations(out[4]) == ["LSCP, École Normale Supérieure, Paris, France"]


def test_wrapped_end_of_unmarked_byline_joins_it() -> None:
    zone = [
        line("Anna Berg, Carl Dunn, Eva Fox, Lee Wong,", y=0, size=30),
        line("Max Power", y=34, size=30),
    ]
    assert families(creators.extract(zone)) == ["Berg", "Dunn", "Fox", "Wong", "Power"]


# --- Evidence ----------------------------------------------------------------------------------


def test_a_lone_name_needs_evidence_outside_the_title_zone() -> None:
    """Under the title a lone name is the author; elsewhere it needs an affiliation or marker."""
    lone = [line("Frederik Arnold", size=40)]
    assert families(creators.extract(lone, accept_weak=True)) == ["Arnold"]
    assert creators.extract(lone, accept_weak=False) == []
    with_aff = [
        line("Frederik Arnold", y=0, size=40),
        line("Institut für Informationswissenschaft", y=50, size=30),
    ]
    assert families(creators.extract(with_aff, accept_weak=False)) == ["Arnold"]


def test_logo_words_in_capitals_are_not_a_person() -> None:
    zone = [line("ALMA MATER STUDIORUM", y=0, size=24), line("UNIVERSITÀ DI BOLOGNA", y=30, size=20)]
    assert creators.extract(zone, accept_weak=False) == []


def test_a_phrase_with_a_name_shaped_tail_is_not_a_byline() -> None:
    """A byline opens with a name: "Measles in Small, Heterogeneous Populations" is a subtitle."""
    assert creators.read_line(line("Measles in Small, Heterogeneous Populations", size=70)).kind != "people"


def test_prose_mentioning_a_person_is_not_a_byline() -> None:
    text = "Dr. Ikki Ohmukai, an associate professor at the University of Tokyo, for his"
    assert creators.read_line(line(text, size=24)).kind != "people"


def test_event_lines_and_dates_name_nobody() -> None:
    zone = [
        line("Anna Berg^{1}", y=0, size=30),
        line("10^{th} Epigraphy Workshop@Graz, 24 Mar 2026", x=900, y=0, size=28),
        line("^{1} University of Graz", y=40, size=24),
    ]
    out = creators.extract(zone)
    assert families(out) == ["Berg"] and affiliations(out[0]) == ["University of Graz"]


# --- Roles that are not authors ------------------------------------------------------------------


def test_supervisor_printed_beside_the_author_is_not_a_creator() -> None:
    zone = [
        line("Marcos Siolin Martins", x=300, y=0, size=36, bold=True),
        line("Orientadora: Profª. Drª. Cristina Gomes Fernandes", x=800, y=0, size=36, bold=True),
        line("Departamento de Ciência da Computação, Universidade de São Paulo", x=200, y=60, size=36),
    ]
    out = creators.extract(zone)
    assert families(out) == ["Martins"]
    assert affiliations(out[0]) == ["Departamento de Ciência da Computação, Universidade de São Paulo"]


def test_project_team_and_contact_blocks_are_not_creators() -> None:
    team = [
        line("Project Team Members", y=0, size=30, block=7),
        line("Lorenzo Calvelli, Tatiana Tommasi, Anna Berg", y=35, size=24, block=7),
    ]
    assert creators.extract(team) == []
    contact = [line("Contact: Jane Doe, jane.doe@example.org", size=24)]
    assert creators.extract(contact) == []


def test_acknowledgement_paragraph_names_nobody() -> None:
    zone = [
        line("Acknowledgement: This work was supported by a grant. We thank", x=100, y=0, size=24, block=3),
        line("Dr. Ikki Ohmukai, Aiko Tanaka and Carl Dunn for their advice", x=100, y=28, size=24, block=3),
    ]
    assert creators.extract(zone) == []


# --- Names with their affiliation on the same line -------------------------------------------------


def test_name_with_institution_in_parentheses() -> None:
    zone = [
        line("Lorenzo Calvelli (Ca’ Foscari University of Venice)", y=0, size=46),
        line("Tatiana Tommasi (University of Udine)", y=56, size=46),
    ]
    out = creators.extract(zone)
    assert families(out) == ["Calvelli", "Tommasi"]
    assert affiliations(out[1]) == ["University of Udine"]


def test_full_width_parentheses_and_email_in_parentheses() -> None:
    out = creators.extract([line("Jun Ogawa（The University of Tokyo）", size=48)])
    assert families(out) == ["Ogawa"] and affiliations(out[0]) == ["The University of Tokyo"]
    out = creators.extract(
        [
            line("Marta Fogagnolo (marta.fogagnolo@example.org)", y=0, size=44),
            line("Department of History and Cultures, University of Bologna (Italy)", y=60, size=44),
        ],
        accept_weak=False,
    )
    assert families(out) == ["Fogagnolo"]
    assert affiliations(out[0]) == ["Department of History and Cultures, University of Bologna (Italy)"]


def test_name_comma_institution() -> None:
    out = creators.extract([line("Jane Roe, Department of Physics, University of Leeds, UK", size=30)])
    assert families(out) == ["Roe"]
    assert affiliations(out[0]) == ["Department of Physics, University of Leeds, UK"]


def test_student_number_after_the_name() -> None:
    zone = [
        line("Gonçalo Candeias Amaro, Nº 17440", y=0, size=60, bold=True),
        line("Escola Superior de Tecnologia e Gestão, Instituto Politécnico de Beja", y=70, size=54),
    ]
    out = creators.extract(zone, accept_weak=False)
    assert [r["name"] for r in out] == ["Amaro, Gonçalo Candeias"]
    assert affiliations(out[0]) == ["Escola Superior de Tecnologia e Gestão, Instituto Politécnico de Beja"]


# --- Linking affiliations ------------------------------------------------------------------------------


def test_markers_digits_letters_and_symbols() -> None:
    zone = [
        line("Anna Berg^{a}, Carl Dunn^{b,*}, Eva Fox^{‡}", y=0, size=30),
        line("^{a} University of Oslo", y=40, size=20),
        line("^{b} Karolinska Institutet", y=65, size=20),
        line("^{‡} Max Planck Institute for Biology", y=90, size=20),
    ]
    out = creators.extract(zone)
    assert [affiliations(r) for r in out] == [
        ["University of Oslo"],
        ["Karolinska Institutet"],
        ["Max Planck Institute for Biology"],
    ]


def test_markers_glued_to_the_text() -> None:
    """Markers that lost their raise in the text layer: "Meena1," and "1Georgia State University"."""
    zone = [
        line("Garrett Polack1, Betty Meena1,2", y=0, size=30),
        line("1Georgia State University, Atlanta", y=40, size=20),
        line("2Space Telescope Science Institute", y=65, size=20),
    ]
    out = creators.extract(zone)
    assert [affiliations(r) for r in out] == [
        ["Georgia State University, Atlanta"],
        ["Georgia State University, Atlanta", "Space Telescope Science Institute"],
    ]


def test_several_affiliations_on_one_marked_line() -> None:
    zone = [
        line("Ivanyi P^{1}, Bullement A^{2}", y=0, size=26),
        line("^{1} Hannover Medical School, Germany; ^{2} Delta Hat Ltd, Nottingham, UK", y=40, size=14),
    ]
    out = creators.extract(zone)
    assert [affiliations(r) for r in out] == [
        ["Hannover Medical School, Germany"],
        ["Delta Hat Ltd, Nottingham, UK"],
    ]


def test_wrapped_affiliation_is_not_read_as_names() -> None:
    zone = [
        line("Anna Berg^{1}, Carl Dunn^{2}", y=0, size=26),
        line("^{1} Some Medical School, Hannover; ^{2} Global Value", y=40, size=14),
        line("Demonstration, Market Access and Pricing, Darmstadt, Germany", y=58, size=14),
    ]
    out = creators.extract(zone)
    assert families(out) == ["Berg", "Dunn"]
    assert affiliations(out[1])[0].endswith("Darmstadt, Germany")


def test_one_shared_affiliation_without_markers() -> None:
    zone = [
        line("Nikolai Ilinykh and Simon Dobnik", y=0, size=51, bold=True),
        line("Department of Philosophy, Linguistics and Theory of Science", y=70, size=43),
        line("Centre for Linguistic Theory and Studies in Probability (CLASP)", y=124, size=43),
        line("University of Gothenburg, Sweden", y=178, size=43),
    ]
    out = creators.extract(zone)
    assert families(out) == ["Ilinykh", "Dobnik"]
    assert affiliations(out[0]) == affiliations(out[1])
    assert (
        affiliations(out[0])[0].startswith("Department of Philosophy")
        and "Gothenburg" in affiliations(out[0])[0]
    )


def test_affiliation_with_and_is_not_split_into_people() -> None:
    zone = [
        line("Philippe Dreuw and Thomas Deselaers", y=0, size=42),
        line("Human Language Technology and Pattern Recognition, RWTH Aachen University", y=60, size=42),
    ]
    out = creators.extract(zone)
    assert families(out) == ["Dreuw", "Deselaers"]
    assert affiliations(out[0]) == [
        "Human Language Technology and Pattern Recognition, RWTH Aachen University"
    ]


def test_each_author_on_its_own_line_with_its_affiliation_under_it() -> None:
    zone = [
        line("Anna Berg", y=0, size=30),
        line("University of Oslo", y=34, size=24),
        line("Carl Dunn", y=80, size=30),
        line("Karolinska Institutet", y=114, size=24),
    ]
    out = creators.extract(zone)
    assert [affiliations(r) for r in out] == [["University of Oslo"], ["Karolinska Institutet"]]


def test_markers_on_names_only_link_affiliation_lines_in_order() -> None:
    """The text layer lost the affiliations' markers: numbered affiliations come in marker order."""
    zone = [
        line("Philipp Neubauer^{1}, Ken H. Andersen^{2}", y=0, size=40),
        line("Dragonfly Data Science, Wellington, New Zealand", y=90, size=40),
        line("Centre for Ocean Life, Technical University of Denmark", y=144, size=40),
    ]
    out = creators.extract(zone)
    assert [affiliations(r) for r in out] == [
        ["Dragonfly Data Science, Wellington, New Zealand"],
        ["Centre for Ocean Life, Technical University of Denmark"],
    ]


def test_marker_printed_apart_in_the_margin() -> None:
    zone = [
        line("Anna Berg^{1}, Carl Dunn^{2}", x=800, y=0, size=40),
        line("1.", x=10, y=90, size=40),
        line("University of Oslo", x=700, y=90, size=40),
        line("2.", x=10, y=144, size=40),
        line("Karolinska Institutet", x=700, y=144, size=40),
    ]
    out = creators.extract(zone)
    assert [affiliations(r) for r in out] == [["University of Oslo"], ["Karolinska Institutet"]]


# --- Groups, identifiers, e-mail ---------------------------------------------------------------------


def test_named_group_is_an_organisational_creator() -> None:
    out = creators.extract([line("Andrew Couperus^{1}, Todd Henry^{2}, and the RECONS Team", size=22)])
    assert out[-1] == {"name": "the RECONS Team", "nameType": "Organizational"}


def test_orcid_urls_and_bare_ids_link_to_the_name_before_them() -> None:
    zone = [
        line("Ivanyi P^{1}, Bullement A^{2}", y=0, size=26),
        line("^{1} Hannover Medical School; ^{2} Delta Hat Ltd, UK", y=40, size=14),
        line("ORCID iDs: Ivanyi P, https://orcid.org/0000-0002-2862-7302; Bullement A:", y=60, size=14),
        line("0000-0001-7091-0972", y=78, size=14),
    ]
    out = creators.extract(zone)
    ids = {r["familyName"]: r["nameIdentifiers"][0]["nameIdentifier"] for r in out}
    assert ids == {
        "Ivanyi": "https://orcid.org/0000-0002-2862-7302",
        "Bullement": "https://orcid.org/0000-0001-7091-0972",
    }


def test_orcid_with_a_wrong_check_digit_is_dropped_with_a_warning() -> None:
    from extraction import normalize

    records = [{"name": "Berg, Anna", "familyName": "Berg"}]
    creators.link_orcids(records, "Berg https://orcid.org/0000-0002-1825-0098")
    warnings: list[str] = []
    doc = normalize.standardise({"creators": records}, warnings)
    assert not doc["creators"][0].get("nameIdentifiers") and "checksum" in warnings[0]


def test_emails_link_to_people_but_never_as_identifiers() -> None:
    """E-mails are linked (by position, marker or family name) as contacts, not nameIdentifiers."""
    zone = [
        line("Michael Toker^{1}", x=100, y=0, size=30),
        line("Ophir Manor^{2}", x=700, y=0, size=30),
        line("tok@cs.example.ac.il", x=90, y=32, size=25),
        line("ophirmm@open.example.ac.il", x=690, y=32, size=25),
        line("^{1} Technion Institute of Technology", x=300, y=80, size=24),
        line("^{2} The Open University of Israel", x=300, y=110, size=24),
    ]
    found = creators.read_region(zone, accept_weak=True)
    assert all("nameIdentifiers" not in r for r in found.creators)
    assert {c["name"]: c["email"] for c in found.contacts} == {
        "Toker, Michael": "tok@cs.example.ac.il",
        "Manor, Ophir": "ophirmm@open.example.ac.il",
    }


# --- Regions ----------------------------------------------------------------------------------------------


def test_regions_are_read_in_order_and_strong_evidence_wins() -> None:
    weak_under = creators.Region(
        "under the title", [line("Grand Results Overview", size=30)], accept_weak=True
    )
    side = creators.Region(
        "beside the title",
        [
            line("Javier Andreu Pintado", x=2100, y=100, size=49),
            line("Universidad de Navarra", x=2100, y=160, size=30),
        ],
        grouped=True,
    )
    authors = creators.from_regions([weak_under, side])
    assert authors.region == "beside the title" and families(authors.creators) == ["Pintado"]


def test_grouping_keeps_a_logo_out_of_an_author_block() -> None:
    lines = [
        line("Universidad", x=700, y=140, size=46),
        line("de Navarra", x=700, y=200, size=46),
        line("Javier Andreu Pintado", x=2150, y=115, size=49),
        line("Universidad de Navarra", x=2150, y=176, size=30),
        line("jandreup@example.es", x=2220, y=234, size=25),
    ]
    authors = creators.from_regions([creators.Region("above the title", lines, grouped=True)])
    assert families(authors.creators) == ["Pintado"]
    assert affiliations(authors.creators[0]) == ["Universidad de Navarra"]


def test_foot_block_counts_only_with_an_affiliation() -> None:
    refs = [line("Smith J, Jones K, Brown L (2019) Graph methods. Nature 12:34", y=2600, size=20)]
    assert (
        creators.from_regions([creators.Region("foot", refs, grouped=True, needs_affiliation=True)]).creators
        == []
    )
    block = [
        line("Remi Gau^{1}, Marco Barilari^{1}, Ceren Battal^{2}", y=2600, size=30),
        line("^{1} UCLouvain, Louvain la Neuve; ^{2} KU Leuven, Belgium", y=2640, size=24),
    ]
    found = creators.from_regions([creators.Region("foot", block, grouped=True, needs_affiliation=True)])
    assert families(found.creators) == ["Gau", "Barilari", "Battal"]


def test_labelled_authors_line() -> None:
    out = creators.extract([line("Authors: Anna Berg, Carl Dunn", size=24)], accept_weak=False)
    assert families(out) == ["Berg", "Dunn"]


def test_byline_in_large_type_is_a_byline() -> None:
    assert creators.is_byline(line("Lennart Klein^{1}", size=80))
    assert creators.is_byline(line("Nikolai Ilinykh and Simon Dobnik", size=80, bold=True))
    assert not creators.is_byline(line("Introduction", size=80, bold=True))


def test_names_set_apart_by_wide_spaces_or_ended_by_markers() -> None:
    """Beamer themes print `\\and` as a wide space: no comma between the names."""
    wide = (
        line("Alyssa P. Hacker^{1}", x=100, size=40).words + line("Ben Bitdiddle^{2}", x=900, size=40).words
    )
    zone = [
        make_line(wide + line("Lem E. Tweakit^{2}", x=1500, size=40).words, 0),
        line("^{1} University of Oslo ^{2} Karolinska Institutet", y=60, size=30),
    ]
    out = creators.extract(zone)
    assert families(out) == ["Hacker", "Bitdiddle", "Tweakit"]
    assert affiliations(out[2]) == ["Karolinska Institutet"]
    glued = creators.extract(
        [line("Ann Berg^{1} Carl Dunn^{2}", size=30), line("^{1} UiO ^{2} KI", y=40, size=20)]
    )
    assert families(glued) == ["Berg", "Dunn"]


def test_foreign_conjunctions_split_only_between_names() -> None:
    out = creators.extract([line("Zeynep Öztürk^{1} und Çağla Karaca^{2}", size=40)])
    assert families(out) == ["Öztürk", "Karaca"]
    # "en", "e", "y" are also ordinary words: a phrase whose parts are not both names stays whole.
    assert (
        creators.read_line(line("Estudio de la diversidad en paisajes cafetaleros", size=60)).kind != "people"
    )


def test_middle_dots_separate_names() -> None:
    out = creators.extract([line("Thu Trang Pham^{1} · Emre Sahin^{1} · Kavitha Venkatesan^{2}", size=30)])
    assert families(out) == ["Pham", "Sahin", "Venkatesan"]


def test_a_name_cut_by_the_line_break_is_joined() -> None:
    zone = [
        line("Authors", y=0, size=30, bold=True),
        line("Grace Kettering^{1}, Nikos", y=40, size=30),
        line("Papadopoulou^{1}, Rania", y=76, size=30),
        line("Al-Mansouri^{2} and Gonçalo", y=112, size=30),
        line("da Silva^{2}", y=148, size=30),
    ]
    assert families(creators.extract(zone)) == ["Kettering", "Papadopoulou", "Al-Mansouri", "da Silva"]


def test_names_in_columns_over_their_institution() -> None:
    zone = [
        line("Rania Haddad", x=460, y=0, size=36, bold=True),
        line("Emre Aydogan", x=1530, y=0, size=36, bold=True),
        line("Zeynep Karaca", x=450, y=44, size=36, bold=True),
        line("Emre Sahin", x=1565, y=44, size=36, bold=True),
        line("Department of Oceanography, Dalhousie University", x=160, y=84, size=24),
        line("Department of Biological Sciences, KAIST", x=1260, y=84, size=24),
    ]
    out = creators.extract(zone)
    assert {r["familyName"]: affiliations(r) for r in out} == {
        "Haddad": ["Department of Oceanography, Dalhousie University"],
        "Karaca": ["Department of Oceanography, Dalhousie University"],
        "Aydogan": ["Department of Biological Sciences, KAIST"],
        "Sahin": ["Department of Biological Sciences, KAIST"],
    }


def test_orcid_on_a_name_institution_line() -> None:
    zone = [line("Mariana Albuquerque, Dalhousie University ORCID 0000-0002-1825-0097", size=28)]
    out = creators.extract(zone)
    assert families(out) == ["Albuquerque"] and affiliations(out[0]) == ["Dalhousie University"]
    assert out[0]["nameIdentifiers"][0]["nameIdentifier"] == "https://orcid.org/0000-0002-1825-0097"


def test_author_footnotes_are_not_affiliations() -> None:
    zone = [
        line("Ananya Iyer^{1,*}, Siobhán MacLeod^{2,*}", y=0, size=40),
        line("^{1} Trinity College Dublin, Ireland", y=50, size=30),
        line("^{2} Wellcome Sanger Institute, UK", y=90, size=30),
        line("^{*} These authors contributed equally", y=130, size=20),
    ]
    assert [affiliations(r) for r in creators.extract(zone)] == [
        ["Trinity College Dublin, Ireland"],
        ["Wellcome Sanger Institute, UK"],
    ]


def test_ocr_markers_glued_to_initials_and_icons_read_as_symbols() -> None:
    """OCR of a Vancouver byline: "Ivanyi P1©, Colombo GL3,5" (© is an ORCID icon)."""
    zone = [
        line("Ivanyi P1©, Bullement A2®, Colombo GL3,5", y=0, size=26),
        line("1Hannover Medical School; 2Delta Hat Ltd; 3University of Pavia; 5SAVE Studi", y=40, size=20),
    ]
    out = creators.extract(zone)
    assert families(out) == ["Ivanyi", "Bullement", "Colombo"]
    assert out[2]["givenName"] == "GL" and affiliations(out[0]) == ["Hannover Medical School"]
