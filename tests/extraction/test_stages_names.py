"""Personal names: the evidence a chunk of a byline needs, and how a name splits."""

from __future__ import annotations

import pytest

from extraction.stages import names


@pytest.mark.parametrize(
    "chunk",
    ["Evelien de Graaf", "Saskia Peels-Matthey", "Ken H. Andersen", "Quentin CAUDRON", "Jun Ogawa",
     "Seiied-Mohammad-Javad Razavian", "Michèle MacLean", "A Paul Vos", "Ivanyi P", "April Lee"],
)  # fmt: skip
def test_name_shapes_are_people(chunk: str) -> None:
    assert names.parse(chunk) is not None, chunk


@pytest.mark.parametrize(
    "chunk",
    [
        "University of Bologna",  # an organisation
        "Pattern Recognition",  # a field of study names a department, not a person
        "April 24 2023",  # digits and a date
        "Leuven April",  # a month after a place
        "Results and Discussion",  # function words
        "Associate Professor",  # a job title
        "de Navarra",  # a particle cannot open a name
        "john smith",  # names are capitalised
        "rolthiolliere@gmail.com",
        "J. K.",  # initials alone
    ],
)
def test_other_chunks_are_not_people(chunk: str) -> None:
    assert names.parse(chunk) is None, chunk


def test_honorifics_degrees_and_student_numbers_are_stripped() -> None:
    """Honorifics lead ("Profª. Drª."), degrees trail ("PhD, MLS"), numbers follow ("Nº 17440")."""
    assert names.parse("Profª. Drª. Cristina Gomes Fernandes").text == "Cristina Gomes Fernandes"
    assert names.parse("Alisa Surkis, PhD, MLS").text == "Alisa Surkis"
    assert names.parse("Brian L. Schmidt, DDS, MD, PhD").family == "Schmidt"
    assert names.parse("Gonçalo Candeias Amaro, Nº 17440").text == "Gonçalo Candeias Amaro"
    assert names.parse("John Smith MD").text == "John Smith"
    assert names.is_degree("PhD") and names.is_degree("MD, MPH") and not names.is_degree("Smith")


def test_split_family_comma_given() -> None:
    assert names.split("Smith, John") == ("John", "Smith")


def test_split_name_vancouver_initials_last() -> None:
    """Biomedical posters print "Family Initials": a real word then capital initials."""
    assert names.split("Ivanyi P") == ("P", "Ivanyi")
    assert names.split("Colombo GL") == ("GL", "Colombo")
    # A trailing all-capitals word after a single word is initials, not a degree.
    assert names.parse("Pescott CP").family == "Pescott"


def test_split_name_particles_and_double_surnames() -> None:
    assert names.split("Meike van der Zande") == ("Meike", "van der Zande")
    assert names.split("Evelien de Graaf") == ("Evelien", "de Graaf")
    assert names.split("John A. van Dyke") == ("John A.", "van Dyke")
    # Words after a middle initial are all family name (a double surname).
    assert names.split("Maria M. Perez Madrigal") == ("Maria M.", "Perez Madrigal")
    assert names.split("Saskia Peels-Matthey") == ("Saskia", "Peels-Matthey")


def test_split_name_keeps_western_order_and_middle_names() -> None:
    assert names.split("Loes PM Duivenvoorde") == ("Loes PM", "Duivenvoorde")
    assert names.split("Marta Maria Cara") == ("Marta Maria", "Cara")
    assert names.split("D. M. Crenshaw") == ("D. M.", "Crenshaw")


def test_split_capitalised_particles_and_family_names_in_capitals() -> None:
    assert names.split("Giulia Lo Giudice") == ("Giulia", "Lo Giudice")
    assert names.split("Ana De Luca") == ("Ana", "De Luca")
    assert names.split("Ben Smith") == ("Ben", "Smith")  # a given name that is also a particle
    assert names.split("Carmen QUISPE MAMANI") == ("Carmen", "QUISPE MAMANI")
    assert names.split("Quentin CAUDRON") == ("Quentin", "CAUDRON")


def test_articles_open_phrases_not_names() -> None:
    assert names.parse("A Randomised Controlled Trial") is None
    assert names.parse("The Survey Team Lead") is None
    assert names.parse("A Paul Vos") is not None  # "A" is an initial before two words


def test_lenient_reading_keeps_a_name_the_text_layer_cut() -> None:
    """A marker vouches for "Zsófia Sz őke", whose accented letter was split off."""
    assert names.parse("Zsófia Sz őke") is None
    assert names.parse("Zsófia Sz őke", lenient=True) is not None
