"""The chart-label filter of the pipeline: labels go, printed data values stay."""

from __future__ import annotations

from extraction import pipeline
from extraction.model import Word
from extraction.stages.lines import TextLine


def line(text: str, size: float) -> TextLine:
    words = [Word(text=t, x=0, y=0, w=10, h=size, font_size=size) for t in text.split()]
    return TextLine(words=words, x=0, y=0, w=10, h=size, size=size, bold=False, block=0)


def test_label_only_size_is_dropped_but_data_values_are_kept() -> None:
    lines = [line("Running text of the poster body goes here at length", 30) for _ in range(5)]
    lines += [line("0", 25.7), line("24.5", 25.7), line("Axis", 25.7), line("48.3", 25.7)]
    labels = pipeline.label_sizes(lines)
    assert 26 in labels
    assert pipeline.figure_text(line("Axis", 25.7), 30, labels)
    assert not pipeline.figure_text(line("48.3", 25.7), 30, labels)
    assert pipeline.figure_text(line("x", 30), 30, labels)
