"""Thumbnails of office files: LibreOffice renders the poster slide when it is installed; the
file's embedded preview stands in otherwise, and the note for the attempt says so."""

from __future__ import annotations

import io
import zipfile

import pytest

from app.thumbnails import MAX_WIDTH, render
from extraction.backends import office
from tests import factories_pptx as fx

needs_soffice = pytest.mark.skipif(
    office.soffice_binary() is None, reason="LibreOffice (soffice) is not installed here"
)


def size_of(jpeg: bytes) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(jpeg)) as img:
        assert img.format == "JPEG"
        return img.size


@pytest.fixture
def no_soffice(monkeypatch):
    monkeypatch.setenv("SOFFICE_PATH", "/nonexistent/soffice")


def test_without_libreoffice_the_embedded_preview_is_used_and_noted(tmp_path, no_soffice):
    path = fx.small_deck(tmp_path / "deck.pptx")
    with zipfile.ZipFile(path) as zf:
        embedded = zf.read("docProps/thumbnail.jpeg")
    thumb = render(path)
    assert size_of(thumb.jpeg) == size_of(embedded)
    assert thumb.note == "the file's embedded preview; LibreOffice is not installed"


def test_without_libreoffice_or_a_preview_it_says_both(tmp_path, no_soffice):
    path = fx.small_deck(tmp_path / "deck.pptx")
    bare = tmp_path / "bare.pptx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bare, "w") as dst:
        for info in src.infolist():
            if info.filename != "docProps/thumbnail.jpeg":
                dst.writestr(info, src.read(info))
    with pytest.raises(
        ValueError, match="LibreOffice is not installed, and the file has no embedded preview"
    ):
        render(bare)


def test_a_broken_libreoffice_falls_back_to_the_preview(tmp_path, monkeypatch):
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("SOFFICE_PATH", str(fake))
    thumb = render(fx.small_deck(tmp_path / "deck.pptx"))
    assert thumb.note.startswith(
        "the file's embedded preview; LibreOffice failed: LibreOffice could not convert"
    )


@needs_soffice
def test_libreoffice_renders_the_poster_slide(tmp_path):
    """A screen-sized talk whose poster is slide 2: the thumbnail is slide 2, not slide 1."""
    from PIL import Image

    prs = fx.new_deck(fx.SCREEN_SIZE)
    fx.presentation_slide(prs, "Welcome", ["a talk"])
    fx.dense_slide(prs, "The Poster Slide")
    path = tmp_path / "talk.pptx"
    prs.save(str(path))
    thumb = render(path)
    assert thumb.note == ""
    assert size_of(thumb.jpeg) == (MAX_WIDTH, 675)  # 960 x 540 pt
    # Slide 2 is dense small print: far more dark pixels than slide 1's title and one bullet.
    with Image.open(io.BytesIO(thumb.jpeg)) as img:
        dark = sum(img.convert("L").histogram()[:128])
    assert dark > 12_000  # slide 1 renders about 4,000
