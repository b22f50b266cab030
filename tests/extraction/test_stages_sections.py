"""Sections stage on hand-made lines: captions, including ones opened by an icon glyph."""

from __future__ import annotations

from extraction.stages import sections
from extraction.stages.lines import TextLine
from tests.factories import line


def test_caption_opened_by_a_private_use_icon_is_a_caption() -> None:
    ordered = [
        line("Results", y=0, size=30, bold=True, x=50),
        line("The cells grew as expected in every condition we tried so far.", y=40, x=50),
        line("\uf0df Figure 1. A) Differentiation protocol B) Staining", y=80, block=3, x=50),
        line("of multiple cell types.", y=104, block=3, x=50),
    ]
    secs, caps = sections.split(ordered, 20.0)
    assert [c.text for c in caps] == [
        "Figure 1. A) Differentiation protocol B) Staining of multiple cell types."
    ]
    assert caps[0].kind == "figure" and caps[0].number == "1"
    assert secs[0].title == "Results" and "Figure" not in secs[0].content


def test_tagged_line_starts_an_unlabelled_caption_with_its_block() -> None:
    from extraction.stages.figures import CAPTION_TAG

    cap_first = line("Black points represent nightly means", y=80, block=5, x=50)
    cap_first.tags.add(CAPTION_TAG)
    ordered = [
        line("Results", y=0, size=30, bold=True, x=50),
        line("The cells grew as expected in every condition we tried so far.", y=40, block=4, x=50),
        cap_first,
        line("of the observations.", y=104, block=5, x=50),
    ]
    secs, caps = sections.split(ordered, 20.0)
    assert [c.text for c in caps] == ["Black points represent nightly means of the observations."]
    assert caps[0].kind == "figure"
    assert "Black" not in secs[0].content


def test_group_heading_takes_its_smaller_sub_sections() -> None:
    ordered = [
        line("Methods", y=0, size=50, bold=True, x=50),
        line("Language models", y=60, size=40, bold=True, x=50),
        line("BEREL and AlephBERT were adapted on medieval texts for this task.", y=110, x=50),
        line("Fine-tuning", y=140, size=40, bold=True, x=50),
        line("Each model was fine-tuned for metaphor detection on our data set.", y=190, x=50),
        line("Results", y=230, size=50, bold=True, x=50),
        line("BEREL shows the best results of all the models we compared here.", y=290, x=50),
    ]
    secs, _ = sections.split(ordered, 20.0)
    assert [s.title for s in secs] == ["Methods", "Results"]
    assert secs[0].content.startswith("Language models\n\nBEREL and AlephBERT")
    assert "Fine-tuning\n\nEach model" in secs[0].content


def test_no_nesting_when_headings_come_from_colour() -> None:
    ordered = [
        line("Algorithmus", y=0, size=100, bold=True, x=50),
        line("Weitere Schritte", y=60, size=86, bold=True, x=50),
        line("Tokenisierung und weitere Schritte der Vorverarbeitung folgen hier.", y=110, x=50),
    ]
    secs, _ = sections.split(ordered, 49.0, emphasis_only=True)
    assert [s.title for s in secs] == ["Weitere Schritte"]
    assert secs[0].lead == ["Algorithmus"]


def test_inset_sub_heading_bars_nest_on_colour_headed_pages() -> None:
    def bar(y: float, text: str, x: float, right: float) -> TextLine:
        ln = line(text, y=y, size=100, bold=True, x=50)
        ln.x, ln.w = x, right - x
        return ln

    ordered = [
        bar(0, "Algorithmus", 270, 2350),
        bar(300, "Positionen erfassen", 510, 2210),
        line("Wortfolge und Startpositionen werden in einer Tabelle erfasst.", y=450, size=80, x=50),
        bar(700, "Weitere Schritte", 2490, 3960),
        line("Tokenisierung und weitere Schritte der Vorverarbeitung folgen hier.", y=850, size=80, x=50),
    ]
    secs, _ = sections.split(ordered, 49.0, emphasis_only=True)
    assert [s.title for s in secs] == ["Algorithmus", "Weitere Schritte"]
    assert secs[0].content.startswith("Positionen erfassen\n\nWortfolge")


def test_small_type_paragraph_after_a_gap_is_its_own_section() -> None:
    ordered = [
        line("Conclusions", y=0, size=36, bold=True, x=50),
        line("Co-culturing has little effect on the cellular composition.", y=50, size=24, block=1, x=50),
        line("It increases the expression of cytokines in both models.", y=80, size=24, block=1, x=50),
        line(
            "This research was supported by the Dutch Ministry of Agriculture", y=140, size=20, block=2, x=50
        ),
        line("and received funding from the European Union.", y=165, size=20, block=2, x=50),
    ]
    secs, _ = sections.split(ordered, 24.0)
    assert [s.title for s in secs] == ["Conclusions", ""]
    assert secs[1].content.startswith("This research was supported")


def test_run_in_heading_opens_a_section_on_its_own_line() -> None:
    ordered = [
        line("Discussion", y=0, size=30, bold=True, x=50),
        line("Our analyses show that the regimens are cost-effective in this setting.", y=40, block=1, x=50),
        line("REFERENCES: 1. Johnson DE, et al. Nat Rev Dis Primers.", y=100, size=12, block=2, x=50),
        line("2020;6:93; 2. Other A, et al.", y=115, size=12, block=2, x=50),
        line("ABBREVIATIONS: CE, cost effectiveness; CT, chemotherapy.", y=140, size=12, block=3, x=50),
    ]
    secs, _ = sections.split(ordered, 20.0)
    assert [s.title for s in secs] == ["Discussion", "REFERENCES", "ABBREVIATIONS"]
    assert secs[1].content.startswith("1. Johnson DE")
    assert secs[2].content == "CE, cost effectiveness; CT, chemotherapy."


def test_run_in_needs_capitals_or_bold() -> None:
    ordered = [
        line("Methods", y=0, size=30, bold=True, x=50),
        line("Results: the assay worked in all twelve runs.", y=40, block=1, x=50),
    ]
    secs, _ = sections.split(ordered, 20.0)
    assert [s.title for s in secs] == ["Methods"]


def test_footer_band_starts_its_own_section() -> None:
    from extraction.stages.reading_order import FOOTER_TAG

    footer = line("Oliver Hahn E-Mail: o.hahn@example.org", y=200, block=9, x=50)
    footer.tags.add(FOOTER_TAG)
    ordered = [
        line("Acknowledgements", y=0, size=30, bold=True, x=50),
        line("We wish to thank the Ministry for funding our research project.", y=40, block=1, x=50),
        footer,
        line("Address: Some Street 120, Kiel, Germany", y=225, block=9, x=50),
    ]
    secs, _ = sections.split(ordered, 20.0)
    assert [s.title for s in secs] == ["Acknowledgements", ""]
    assert secs[1].content.startswith("Oliver Hahn")


def test_dehyphenate_only_when_the_joined_word_is_printed() -> None:
    vocab = sections.vocabulary(["45 Interpretationstexte der Judenbuche", "ArguLit-Projekt"])
    assert sections.dehyphenate("52 Interpretations-texte", vocab) == "52 Interpretationstexte"
    assert sections.dehyphenate("co-cultured cells", vocab) == "co-cultured cells"


def test_numbered_sub_sections_follow_their_numbers() -> None:
    ordered = [
        line("RESULTS", y=0, size=40, bold=True, x=50),
        line("1. Size-exclusion chromatography", y=60, size=36, bold=True, x=50),
        line("nsp14 and nsp10 eluted apart from each other here.", y=100, block=1, x=50),
        line("4. Enzymatic activity curve", y=60, size=36, bold=True, x=50),
        line("2. pH dose-dependent", y=140, size=36, bold=True, x=50),
        line("3. MgCl2 dose-dependent", y=240, size=36, bold=True, x=50),
        line("CONCLUSIONS", y=400, size=40, bold=True, x=50),
        line("The assay is sensitive and reproducible for the complex.", y=460, x=50),
    ]
    secs, _ = sections.split(ordered, 20.0)
    assert [s.title for s in secs] == ["RESULTS", "CONCLUSIONS"]
    numbers = [p[:2] for p in secs[0].content.split("\n\n") if p[:1].isdigit()]
    assert numbers == ["1.", "2.", "3.", "4."]


def test_text_after_a_picture_starts_an_untitled_passage() -> None:
    from extraction.stages.figures import AFTER_PICTURE_TAG

    after = line("SMARTS time is available on the telescope for a fee.", y=300, block=2, x=50)
    after.tags.add(AFTER_PICTURE_TAG)
    ordered = [
        line("The Program", y=0, size=30, bold=True, x=50),
        line("We study nearby red dwarfs.", y=40, block=1, x=50),
        after,
    ]
    secs, _ = sections.split(ordered, 20.0)
    assert [s.title for s in secs] == ["The Program", ""]


def test_caption_opened_by_a_bullet_or_an_arrow_is_a_caption() -> None:
    """Designers set a bullet or an arrow before a caption label as often as an icon glyph."""
    ordered = [
        line("Results", y=0, size=30, bold=True, x=50),
        line("The cells grew as expected in every condition we tried so far.", y=40, x=50),
        line("➤ Table 2: Growth rates per condition", y=80, block=3, x=50),
        line("in three replicates.", y=104, block=3, x=50),
    ]
    secs, caps = sections.split(ordered, 20.0)
    assert [(c.kind, c.number, c.text) for c in caps] == [
        ("table", "2", "Table 2: Growth rates per condition in three replicates.")
    ]
    assert "Growth" not in secs[0].content


def test_a_list_item_that_mentions_a_figure_stays_text() -> None:
    ordered = [
        line("Progress", y=0, size=30, bold=True, x=50),
        line("● Fig. 3 illustrates the approach of the subgroup working on metadata.", y=40, block=2, x=50),
    ]
    secs, caps = sections.split(ordered, 20.0)
    assert caps == [] and "Fig. 3 illustrates" in secs[0].content
