"""Sections stage on hand-made lines: captions, including ones opened by an icon glyph."""

from __future__ import annotations

from extraction.model import Word
from extraction.stages import sections
from extraction.stages.lines import TextLine


def line(y: float, text: str, size: float = 20.0, bold: bool = False, block: int = 0) -> TextLine:
    words = [
        Word(text=t, x=50 + 60 * i, y=y, w=50, h=size, font_size=size, bold=bold)
        for i, t in enumerate(text.split())
    ]
    return TextLine(words=words, x=50, y=y, w=60 * len(words), h=size, size=size, bold=bold, block=block)


def test_caption_opened_by_a_private_use_icon_is_a_caption() -> None:
    ordered = [
        line(0, "Results", size=30, bold=True),
        line(40, "The cells grew as expected in every condition we tried so far."),
        line(80, "\uf0df Figure 1. A) Differentiation protocol B) Staining", block=3),
        line(104, "of multiple cell types.", block=3),
    ]
    secs, caps = sections.split(ordered, 20.0)
    assert [c.text for c in caps] == [
        "Figure 1. A) Differentiation protocol B) Staining of multiple cell types."
    ]
    assert caps[0].kind == "figure" and caps[0].number == "1"
    assert secs[0].title == "Results" and "Figure" not in secs[0].content


def test_tagged_line_starts_an_unlabelled_caption_with_its_block() -> None:
    from extraction.stages.figures import CAPTION_TAG

    cap_first = line(80, "Black points represent nightly means", block=5)
    cap_first.tags.add(CAPTION_TAG)
    ordered = [
        line(0, "Results", size=30, bold=True),
        line(40, "The cells grew as expected in every condition we tried so far.", block=4),
        cap_first,
        line(104, "of the observations.", block=5),
    ]
    secs, caps = sections.split(ordered, 20.0)
    assert [c.text for c in caps] == ["Black points represent nightly means of the observations."]
    assert caps[0].kind == "figure"
    assert "Black" not in secs[0].content


def test_group_heading_takes_its_smaller_sub_sections() -> None:
    ordered = [
        line(0, "Methods", size=50, bold=True),
        line(60, "Language models", size=40, bold=True),
        line(110, "BEREL and AlephBERT were adapted on medieval texts for this task."),
        line(140, "Fine-tuning", size=40, bold=True),
        line(190, "Each model was fine-tuned for metaphor detection on our data set."),
        line(230, "Results", size=50, bold=True),
        line(290, "BEREL shows the best results of all the models we compared here."),
    ]
    secs, _ = sections.split(ordered, 20.0)
    assert [s.title for s in secs] == ["Methods", "Results"]
    assert secs[0].content.startswith("Language models\n\nBEREL and AlephBERT")
    assert "Fine-tuning\n\nEach model" in secs[0].content


def test_no_nesting_when_headings_come_from_colour() -> None:
    ordered = [
        line(0, "Algorithmus", size=100, bold=True),
        line(60, "Weitere Schritte", size=86, bold=True),
        line(110, "Tokenisierung und weitere Schritte der Vorverarbeitung folgen hier."),
    ]
    secs, _ = sections.split(ordered, 49.0, emphasis_only=True)
    assert [s.title for s in secs] == ["Weitere Schritte"]
    assert secs[0].lead == ["Algorithmus"]


def test_inset_sub_heading_bars_nest_on_colour_headed_pages() -> None:
    def bar(y: float, text: str, x: float, right: float) -> TextLine:
        ln = line(y, text, size=100, bold=True)
        ln.x, ln.w = x, right - x
        return ln

    ordered = [
        bar(0, "Algorithmus", 270, 2350),
        bar(300, "Positionen erfassen", 510, 2210),
        line(450, "Wortfolge und Startpositionen werden in einer Tabelle erfasst.", size=80),
        bar(700, "Weitere Schritte", 2490, 3960),
        line(850, "Tokenisierung und weitere Schritte der Vorverarbeitung folgen hier.", size=80),
    ]
    secs, _ = sections.split(ordered, 49.0, emphasis_only=True)
    assert [s.title for s in secs] == ["Algorithmus", "Weitere Schritte"]
    assert secs[0].content.startswith("Positionen erfassen\n\nWortfolge")


def test_small_type_paragraph_after_a_gap_is_its_own_section() -> None:
    ordered = [
        line(0, "Conclusions", size=36, bold=True),
        line(50, "Co-culturing has little effect on the cellular composition.", size=24, block=1),
        line(80, "It increases the expression of cytokines in both models.", size=24, block=1),
        line(140, "This research was supported by the Dutch Ministry of Agriculture", size=20, block=2),
        line(165, "and received funding from the European Union.", size=20, block=2),
    ]
    secs, _ = sections.split(ordered, 24.0)
    assert [s.title for s in secs] == ["Conclusions", ""]
    assert secs[1].content.startswith("This research was supported")


def test_run_in_heading_opens_a_section_on_its_own_line() -> None:
    ordered = [
        line(0, "Discussion", size=30, bold=True),
        line(40, "Our analyses show that the regimens are cost-effective in this setting.", block=1),
        line(100, "REFERENCES: 1. Johnson DE, et al. Nat Rev Dis Primers.", size=12, block=2),
        line(115, "2020;6:93; 2. Other A, et al.", size=12, block=2),
        line(140, "ABBREVIATIONS: CE, cost effectiveness; CT, chemotherapy.", size=12, block=3),
    ]
    secs, _ = sections.split(ordered, 20.0)
    assert [s.title for s in secs] == ["Discussion", "REFERENCES", "ABBREVIATIONS"]
    assert secs[1].content.startswith("1. Johnson DE")
    assert secs[2].content == "CE, cost effectiveness; CT, chemotherapy."


def test_run_in_needs_capitals_or_bold() -> None:
    ordered = [
        line(0, "Methods", size=30, bold=True),
        line(40, "Results: the assay worked in all twelve runs.", block=1),
    ]
    secs, _ = sections.split(ordered, 20.0)
    assert [s.title for s in secs] == ["Methods"]


def test_footer_band_starts_its_own_section() -> None:
    from extraction.stages.reading_order import FOOTER_TAG

    footer = line(200, "Oliver Hahn E-Mail: o.hahn@example.org", block=9)
    footer.tags.add(FOOTER_TAG)
    ordered = [
        line(0, "Acknowledgements", size=30, bold=True),
        line(40, "We wish to thank the Ministry for funding our research project.", block=1),
        footer,
        line(225, "Address: Some Street 120, Kiel, Germany", block=9),
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
        line(0, "RESULTS", size=40, bold=True),
        line(60, "1. Size-exclusion chromatography", size=36, bold=True),
        line(100, "nsp14 and nsp10 eluted apart from each other here.", block=1),
        line(60, "4. Enzymatic activity curve", size=36, bold=True),
        line(140, "2. pH dose-dependent", size=36, bold=True),
        line(240, "3. MgCl2 dose-dependent", size=36, bold=True),
        line(400, "CONCLUSIONS", size=40, bold=True),
        line(460, "The assay is sensitive and reproducible for the complex."),
    ]
    secs, _ = sections.split(ordered, 20.0)
    assert [s.title for s in secs] == ["RESULTS", "CONCLUSIONS"]
    numbers = [p[:2] for p in secs[0].content.split("\n\n") if p[:1].isdigit()]
    assert numbers == ["1.", "2.", "3.", "4."]


def test_text_after_a_picture_starts_an_untitled_passage() -> None:
    from extraction.stages.figures import AFTER_PICTURE_TAG

    after = line(300, "SMARTS time is available on the telescope for a fee.", block=2)
    after.tags.add(AFTER_PICTURE_TAG)
    ordered = [
        line(0, "The Program", size=30, bold=True),
        line(40, "We study nearby red dwarfs.", block=1),
        after,
    ]
    secs, _ = sections.split(ordered, 20.0)
    assert [s.title for s in secs] == ["The Program", ""]


def test_caption_opened_by_a_bullet_or_an_arrow_is_a_caption() -> None:
    """Designers set a bullet or an arrow before a caption label as often as an icon glyph."""
    ordered = [
        line(0, "Results", size=30, bold=True),
        line(40, "The cells grew as expected in every condition we tried so far."),
        line(80, "➤ Table 2: Growth rates per condition", block=3),
        line(104, "in three replicates.", block=3),
    ]
    secs, caps = sections.split(ordered, 20.0)
    assert [(c.kind, c.number, c.text) for c in caps] == [
        ("table", "2", "Table 2: Growth rates per condition in three replicates.")
    ]
    assert "Growth" not in secs[0].content


def test_a_list_item_that_mentions_a_figure_stays_text() -> None:
    ordered = [
        line(0, "Progress", size=30, bold=True),
        line(40, "● Fig. 3 illustrates the approach of the subgroup working on metadata.", block=2),
    ]
    secs, caps = sections.split(ordered, 20.0)
    assert caps == [] and "Fig. 3 illustrates" in secs[0].content
