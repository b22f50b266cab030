"""Banner stage on synthetic pages: the title, its subtitle, the banner's end, author regions."""

from __future__ import annotations

from extraction import pipeline
from extraction.stages import header, lines
from tests.factories import line, page_of

BODY = 20.0


def body_text(y: float, x: float = 100.0) -> list:
    """A short column of running text with a recurring heading style, as every poster has."""
    return [
        line("Introduction", x=x, y=y, size=32, bold=True),
        line("we describe here how the method works and why it matters to us", x=x, y=y + 45, size=BODY),
        line("Results", x=x, y=y + 200, size=32, bold=True),
        line("the method found more things than the others did in every test", x=x, y=y + 245, size=BODY),
        line("Conclusions", x=x, y=y + 400, size=32, bold=True),
        line("it works well and we will keep on using it for the next years", x=x, y=y + 445, size=BODY),
    ]


def find(page_lines: list, height: float = 2800.0) -> header.Header:
    page_lines = sorted(page_lines, key=lambda t: (t.y, t.x))
    return header.find(page_lines, height, lines.body_size(page_lines))


def test_title_is_the_largest_phrase_not_a_logo_word() -> None:
    head = find(
        [line("UNICA", x=100, y=20, size=90), line("A study of coral reef recovery", y=120, size=60)]
        + body_text(600)
    )
    assert head.text == "A study of coral reef recovery"


def test_title_over_several_lines_is_joined_in_reading_order() -> None:
    head = find(
        [
            line("Parallel Nonlinear Analysis of Weighted", y=15, size=85, bold=True),
            line("Gray and White Matter Images", y=94, size=85, bold=True),
            line("Anna Berg, Carl Dunn, and Eva Fox", y=250, size=41),
        ]
        + body_text(500)
    )
    assert head.text == "Parallel Nonlinear Analysis of Weighted Gray and White Matter Images"


def test_title_lines_above_the_largest_are_joined_too() -> None:
    """OCR sizes vary within one title: the seed may be its second line."""
    page = [
        line("INSCRIPTIONS ON MORE THAN ONE", y=67, size=55, bold=True),
        line("FACE: AN EPIGRAPHIC DATABASE", y=130, size=62, bold=True),
    ] + body_text(600)
    page = sorted(page, key=lambda t: t.y)
    head = header.find(page, 2800, BODY, size_tolerance=0.25)
    assert head.text == "INSCRIPTIONS ON MORE THAN ONE FACE: AN EPIGRAPHIC DATABASE"


def test_same_size_text_far_below_is_not_part_of_the_title() -> None:
    head = find(
        [line("Graph methods for reefs", y=50, size=60), line("Big Numbers Panel Here", y=900, size=60)]
        + body_text(300)
    )
    assert head.text == "Graph methods for reefs"


def test_subtitle_under_the_title_joins_after_a_colon() -> None:
    head = find(
        [
            line("Predictability in Highly Stochastic Systems", y=110, size=110),
            line("Measles in Small, Heterogeneous Populations", y=235, size=70),
            line("Quentin CAUDRON, Ayesha MAHMUD, Bryan GRENFELL", y=330, size=35),
        ]
        + body_text(600)
    )
    assert (
        head.text
        == "Predictability in Highly Stochastic Systems: Measles in Small, Heterogeneous Populations"
    )


def test_subtitle_after_a_title_ending_in_punctuation_joins_with_a_space() -> None:
    head = find(
        [
            line("La Lettera e il Leone.", y=57, size=102),
            line("A New Epigraphic Database of Venetian Inscriptions", y=162, size=72),
        ]
        + body_text(600)
    )
    assert head.text == "La Lettera e il Leone. A New Epigraphic Database of Venetian Inscriptions"


def test_change_of_case_within_the_title_block_starts_the_subtitle() -> None:
    head = find(
        [
            line("ESTÁGIO DE BACKEND NA OPTIPLY", y=107, size=80, bold=True),
            line("Apresentação do Estágio Académico", y=200, size=84, bold=True, italic=True),
        ]
        + body_text(600)
    )
    assert head.text == "ESTÁGIO DE BACKEND NA OPTIPLY: Apresentação do Estágio Académico"


def test_a_name_under_the_title_is_never_its_subtitle() -> None:
    head = find(
        [
            line("Estruturas de dados cinéticas", y=55, size=51, bold=True),
            line("Marcos Siolin Martins", y=126, size=36, bold=True),
        ]
        + body_text(400)
    )
    assert head.subtitle == [] and [z.text for z in head.zone] == ["Marcos Siolin Martins"]


def test_event_line_poster_number_quotation_and_contact_are_never_the_title() -> None:
    page = [
        line("ISMB 2024 Conference, Montreal, July 12 2024", y=20, size=90),
        line("Poster #P-042", x=1500, y=20, size=90),
        line("“Science is organised knowledge”", y=150, size=90),
        line("contact: anna.berg@example.org", y=260, size=90),
        line("Graph methods for reefs", y=400, size=70),
    ] + body_text(700)
    assert find(page).text == "Graph methods for reefs"


def test_a_heading_style_that_recurs_is_not_the_title() -> None:
    """On a poster whose banner is a picture, the biggest text may be its section headings."""
    page = [
        line("Tiny banner caption line of the poster", y=20, size=24),
        line("Motivation", x=100, y=300, size=80, bold=True),
        line("Approach", x=900, y=300, size=80, bold=True),
        line("Outcomes", x=100, y=1200, size=80, bold=True),
    ] + body_text(1500)
    assert find(page).text != "Motivation"


def test_banner_ends_at_a_recurring_heading_not_at_a_large_byline() -> None:
    page = [
        line("Context matters: evaluation of naming", y=140, size=74, bold=True),
        line("Nikolai Ilinykh and Simon Dobnik", y=330, size=51, bold=True),
        line("University of Gothenburg, Sweden", y=400, size=43),
    ] + body_text(600)
    head = find(page)
    assert [z.text for z in head.zone] == [
        "Nikolai Ilinykh and Simon Dobnik",
        "University of Gothenburg, Sweden",
    ]
    assert 500 < head.body_top <= 600


def test_lone_large_name_under_the_title_does_not_end_the_banner() -> None:
    page = [
        line("Evaluating Large Language Models for Epigraphy", y=65, size=72, bold=True),
        line("Jun Ogawa（The University of Tokyo）", y=260, size=48),
    ] + body_text(400)
    head = find(page)
    assert [z.text for z in head.zone] == ["Jun Ogawa（The University of Tokyo）"]


def test_standard_section_name_in_title_size_ends_the_banner() -> None:
    page = [
        line("A study of things", x=200, y=100, size=60, bold=True),
        line("Anna Berg, Carl Dunn, Eva Fox", x=200, y=200, size=40),
        line("INTRODUCTION", x=200, y=300, size=60, bold=True),
        line("RESULTS", x=1000, y=300, size=60, bold=True),
        line("body words here and more words", x=200, y=380, size=BODY),
    ]
    head = header.find(page, 3000, BODY)
    assert [ln.text for ln in head.zone] == ["Anna Berg, Carl Dunn, Eva Fox"]
    assert head.body_top < 300


def test_zone_ends_where_the_title_column_starts_its_body() -> None:
    """A column beside the title may start its sections higher than the title's own column."""
    page = [
        line("Predictability in Highly Stochastic Systems", x=100, y=110, size=110),
        line("Quentin CAUDRON, Ayesha MAHMUD", x=100, y=330, size=35),
        line("Ecology and Evolutionary Biology", x=100, y=385, size=35),
        line("Results", x=2750, y=370, size=45, bold=True),
        line("the model fits every town we tried it on and more", x=2750, y=420, size=30),
    ] + body_text(550)
    head = find(page)
    assert "Ecology and Evolutionary Biology" in [z.text for z in head.zone]
    assert head.body_top < 370


def test_panel_beside_a_left_title_is_a_side_region_not_the_zone() -> None:
    page = [
        line("A study of things and stuff", x=90, y=90, size=40),
        line("FIGURE 1: model schematic", x=1300, y=95, size=24),
        line("Anna Berg, Carl Dunn, Eva Fox", x=90, y=200, size=26),
    ] + body_text(400, x=90)
    head = find(page)
    assert [ln.text for ln in head.zone] == ["Anna Berg, Carl Dunn, Eva Fox"]
    assert "FIGURE 1: model schematic" in [ln.text for ln in head.side]
    assert head.beside(head.side[0])


def test_lines_above_the_title_are_a_region_of_their_own() -> None:
    page = [
        line("Institut für Informationswissenschaft", x=100, y=50, size=190),
        line("Frederik Arnold", x=100, y=350, size=140),
        line("A study of things and more", x=200, y=700, size=240),
    ] + body_text(1500)
    head = find(page, height=7000)
    assert [ln.text for ln in head.above] == ["Institut für Informationswissenschaft", "Frederik Arnold"]


def test_margin_marker_on_an_affiliation_row_joins_the_zone() -> None:
    page = [
        line("Sizing the effects of temperature on fish", x=500, y=70, size=71, bold=True),
        line("Philipp Neubauer^{1}, Ken Andersen^{2}", x=860, y=184, size=40),
        line("1.", x=10, y=278, size=40),
        line("Dragonfly Data Science, Wellington", x=767, y=278, size=40),
    ] + body_text(450)
    head = find(page)
    assert "1." in [z.text for z in head.zone]


# --- Whole pages through the pipeline: where the authors are found ----------------------------


def creators_of(page_lines: list, height: float = 2800.0) -> list[str]:
    doc = pipeline.build(page_of(sorted(page_lines, key=lambda t: (t.y, t.x)), height=height))
    return [c.get("familyName", c["name"]) for c in doc.get("creators", [])]


def test_authors_above_the_title_in_the_banner() -> None:
    page = [
        line("Javier Andreu Pintado", x=2150, y=115, size=49),
        line("Universidad de Navarra", x=2158, y=176, size=30),
        line("VALETE VOS VIATORES: tools for teaching", x=700, y=430, size=98),
    ] + body_text(800)
    assert creators_of(page, height=4000) == ["Pintado"]


def test_authors_in_a_side_panel_beside_the_title() -> None:
    page = [
        line("A study of coral reef recovery", x=100, y=100, size=70),
        line("Anna Berg^{1}, Carl Dunn^{2}", x=1500, y=100, size=30),
        line("^{1} University of Oslo, ^{2} Karolinska Institutet", x=1500, y=140, size=22),
    ] + body_text(400)
    assert creators_of(page) == ["Berg", "Dunn"]


def test_authors_in_a_labelled_block_anywhere() -> None:
    page = (
        [line("A study of coral reef recovery", x=100, y=100, size=70)]
        + body_text(300)
        + [
            line("Authors:", x=100, y=2000, size=24, bold=True, block=9),
            line("Anna Berg, Carl Dunn", x=100, y=2030, size=22, block=9),
        ]
    )
    assert creators_of(page) == ["Berg", "Dunn"]


def test_authors_at_the_foot() -> None:
    page = (
        [line("A study of coral reef recovery", x=100, y=100, size=70)]
        + body_text(300)
        + [
            line("Remi Gau^{1}, Marco Barilari^{1}, Ceren Battal^{2}", x=100, y=2500, size=30),
            line("^{1} UCLouvain, Belgium; ^{2} KU Leuven, Belgium", x=100, y=2540, size=24),
        ]
    )
    assert creators_of(page) == ["Gau", "Barilari", "Battal"]


def test_poster_without_authors_gets_none_and_a_warning() -> None:
    page = page_of(
        sorted(
            [line("A study of coral reef recovery", x=100, y=100, size=70)] + body_text(300),
            key=lambda t: t.y,
        )
    )
    doc, notes = pipeline.assemble(pipeline.analyse(page))
    assert "creators" not in doc
    assert any(n.field == "creators" and "no authors" in n.message for n in notes)


def test_title_lines_shaped_like_names_stay_in_the_title() -> None:
    """ "Energy Poverty and Respiratory Health" reads like two names, but its block is a title."""
    head = find(
        [
            line("Diversidad de Murciélagos en Paisajes Cafetaleros", y=64, size=62),
            line("del Sur de Colombia", y=140, size=62),
            line("Ana Ruiz^{1}, Luis Pardo^{2}", y=260, size=40),
        ]
        + body_text(600)
    )
    assert head.text == "Diversidad de Murciélagos en Paisajes Cafetaleros del Sur de Colombia"


def test_subtitle_set_far_under_the_title() -> None:
    """A title page sets the subtitle a title-size gap under the title."""
    head = find(
        [
            line("Effects of Mindfulness Training on", y=150, size=124, bold=True),
            line("Burnout in Nursing Staff", y=307, size=124, bold=True),
            line("Toward an Open Benchmark", y=556, size=50, bold=True),
            line("Tendai Otieno, Aiko Hasegawa, and Max Schäfer", y=649, size=50),
        ]
        + body_text(1000)
    )
    assert (
        head.text == "Effects of Mindfulness Training on Burnout in Nursing Staff: Toward an Open Benchmark"
    )


def test_a_line_continuing_an_entry_does_not_end_the_banner() -> None:
    page = [
        line("Kognitive Belastung beim Programmieren", y=67, size=88, bold=True),
        line("Dr. Anna Schäfer, Institut für Ökologie, Universität Innsbruck,", y=390, size=44, bold=True),
        line("Österreich", y=446, size=44, bold=True),
        line("Lukas Brandt, RWTH Aachen University", y=502, size=44, bold=True),
    ] + body_text(700)
    head = find(page)
    assert "Lukas Brandt, RWTH Aachen University" in [z.text for z in head.zone]


def test_names_in_a_bold_heading_style_do_not_end_the_banner() -> None:
    page = [
        line("Assessing the Reproducibility of Notebooks", x=80, y=67, size=80, bold=True),
        line("Rania Haddad", x=460, y=460, size=32, bold=True),
        line("Emre Aydogan", x=1530, y=460, size=32, bold=True),
        line("Zeynep Karaca", x=450, y=503, size=32, bold=True),
        line("Department of Oceanography, Dalhousie University", x=160, y=543, size=24),
    ] + body_text(700)
    head = find(page)
    assert {"Rania Haddad", "Zeynep Karaca"} <= {z.text for z in head.zone}


def test_role_event_and_institution_lines_never_end_the_banner() -> None:
    """OCR sizes can make them look like headings; they still belong to the banner."""
    page = [
        line("Estruturas de dados cinéticas", x=690, y=54, size=38),
        line("Marcos Siolin Martins", x=350, y=126, size=33),
        line("Orientadora: Profª. Drª. Cristina Gomes Fernandes", x=860, y=129, size=29, bold=True),
        line("ENCODE 2023", x=1880, y=135, size=29, bold=True),
        line("Departamento de Computação, Universidade de São Paulo", x=250, y=193, size=29, bold=True),
    ] + body_text(400)
    head = header.find(sorted(page, key=lambda t: t.y), 2800, BODY, size_tolerance=0.25, heading_ratio=1.3)
    assert "Departamento de Computação, Universidade de São Paulo" in [z.text for z in head.zone]


def test_a_logo_word_at_the_banner_edge_does_not_end_the_zone() -> None:
    page = [
        line("Hybrid Spoken Term Discovery System", x=380, y=33, size=61, bold=True),
        line("Roland Thiollière^{*}, Ewan Dunbar^{*}", x=570, y=196, size=55),
        line("ENS", x=1795, y=213, size=44, bold=True),
        line("Maarten Versteegh^{*}, Emmanuel Dupoux^{*}", x=690, y=243, size=48),
        line("^{*} LSCP, École Normale Supérieure, Paris", x=640, y=300, size=40),
        line("ERC", x=1795, y=600, size=44, bold=True),
    ] + body_text(700)
    head = find(page)
    assert any("Maarten Versteegh" in z.text for z in head.zone)
    assert any("LSCP" in z.text for z in head.zone)


def test_an_ocr_box_cut_from_a_byline_is_not_the_title() -> None:
    """OCR may cut "Horea-Ioan Ioanas¹,², Bechara Saab², …" into two boxes at a marker."""
    page = [
        line("Opto-fMRI of Monoaminergic Systems and", x=360, y=18, size=72),
        line("Psychotropic Drugs", x=1150, y=83, size=72),
        line("Horea-Ioan Ioanasí,2,", x=560, y=150, size=60),
        line("Bechara Saab^{2}, Markus Rudin^{1}", x=1180, y=150, size=60),
    ] + body_text(500)
    head = header.find(sorted(page, key=lambda t: t.y), 2800, BODY, size_tolerance=0.25)
    assert head.text == "Opto-fMRI of Monoaminergic Systems and Psychotropic Drugs"
