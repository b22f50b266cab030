"""The corpus metrics, checked by hand on tiny documents (they gate CI, so they must be right)."""

from __future__ import annotations

import pytest

from extraction import metrics


def doc(text: str, title: str = "A Title", families=("Doe",), captions=()) -> dict:
    return {
        "titles": [{"title": title}],
        "creators": [{"name": f"{f}, J", "familyName": f} for f in families],
        "content": {"sections": [{"sectionTitle": "S", "sectionContent": text}]},
        "imageCaptions": [{"id": f"fig{i + 1}", "caption": c} for i, c in enumerate(captions)],
    }


def test_normalise_folds_unicode_forms():
    assert metrics.normalise("“x”–y\u00a0z²") == '"x"-y z2'


def test_word_capture_is_share_of_reference_words():
    ref = doc("alpha beta gamma delta")
    gen = doc("alpha beta")
    # ref words: a title doe j s alpha beta gamma delta -> gen lacks gamma, delta
    assert metrics.word_capture(gen, ref) == pytest.approx(1 - 2 / len(metrics.words(metrics.all_text(ref))))


def test_number_capture_rules():
    assert metrics.numbers("in 2021 we saw 12 of 1500 and 3.5 and 250000") == {"12", "1500", "3.5"}
    ref = doc("p = 0.05 with 17 sites, doi 10.1234/abc.5")
    assert metrics.number_capture(doc("17 sites p 0.05"), ref) == 1.0
    assert metrics.number_capture(doc("none"), doc("nothing numeric")) == 1.0
    assert metrics.number_capture(doc("17"), ref) == 0.5


def test_field_proportion_counts_dicts_and_lists():
    # a: 1; b: 1 + its child c; d: 1 (plain strings in a list carry no fields of their own); e: empty.
    assert metrics.count_fields({"a": "x", "b": {"c": "y"}, "d": ["p", "q"], "e": ""}) == 4
    assert metrics.count_fields({"l": [{"x": "1", "y": "2"}, {"x": "3"}]}) == 1 + 3
    assert metrics.field_proportion({"a": "x"}, {"a": "x", "b": "y"}) == 0.5


def test_title_creators_and_captions():
    ref = doc("t", title="Graph Methods: A Study", families=("Lopez", "Smith"), captions=["Figure 1. Sites."])
    gen = doc("t", title="Graph methods a study", families=("Lopez", "Tanaka"), captions=["Figure 1. Sites"])
    assert metrics.title_similarity(gen, ref) == 1.0
    assert metrics.creator_f1(gen, ref) == 0.5
    assert metrics.caption_recall(gen, ref) == 1.0


def test_rouge_takes_the_better_of_global_and_sections():
    ref = doc("the reef recovered quickly after the storm")
    assert metrics.rouge_l(ref, ref) == pytest.approx(1.0)
    other = doc("entirely different words here")
    assert metrics.rouge_l(other, ref) < 0.6 < metrics.rouge_l(doc("the reef recovered after the storm"), ref)


def test_pass_rule():
    ref = doc("alpha beta 12")
    assert metrics.score(ref, ref)["pass"] is True
    assert metrics.score(doc("x"), ref)["pass"] is False


def test_names_match_by_long_words_in_any_order() -> None:
    assert metrics.names_match("J. Smith", "John Smith")
    assert metrics.names_match("Smith, John", "John Smith")
    assert metrics.names_match("Michèle MacLean", "Michele Maclean")
    assert metrics.names_match("Jeanne Caron-Guyon", "Jeanne Caron Guyon")
    assert not metrics.names_match("Jane Smith", "John Smith")


def test_truth_scores_title_creators_and_affiliations() -> None:
    truth = {
        "title": "Graph Methods: A Study",
        "creators": [
            {"name": "Maria Lopez", "affiliations": ["University of Testing"]},
            {"name": "John Smith", "affiliations": ["Institute of Examples", "University of Testing"]},
        ],
    }
    gen = {
        "titles": [{"title": "Graph methods a study"}],
        "creators": [
            {"name": "Lopez, Maria", "givenName": "Maria", "familyName": "Lopez",
             "affiliation": [{"name": "University of Testing, USA"}]},
            {"name": "Tanaka, Aiko", "familyName": "Tanaka"},
            {"name": "Smith, J.", "givenName": "J.", "familyName": "Smith",
             "affiliation": [{"name": "Institute of Examples"}]},
        ],
    }  # fmt: skip
    s = metrics.score_truth(gen, truth)
    assert s["title"] == 1.0
    assert s["creators"] == pytest.approx(2 * (2 / 3) * 1 / (2 / 3 + 1))
    assert s["affiliations"] == pytest.approx(2 / 3)  # 2 of the 3 true (creator, affiliation) pairs


def test_truth_with_no_creators_rewards_none() -> None:
    assert (
        metrics.score_truth({"titles": [{"title": "T"}]}, {"title": "T", "creators": []})["creators"] == 1.0
    )
    missing = metrics.score_truth({}, {"title": "T", "creators": [{"name": "A B", "affiliations": ["U"]}]})
    assert missing["creators"] == 0.0 and missing["affiliations"] == 0.0
