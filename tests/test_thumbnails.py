"""Thumbnails of office files: LibreOffice renders the poster slide when it is installed; the
file's embedded preview stands in otherwise, and the note for the attempt says so. The picture
comes from the public `extraction.render_preview()`; `app.thumbnails` only stores and links it."""

from __future__ import annotations

import io
import zipfile

import pytest

from app.thumbnails import MAX_WIDTH, ThumbnailError, render
from extraction import ExtractOptions
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
def no_soffice() -> ExtractOptions:
    return ExtractOptions(soffice_path="/nonexistent/soffice")


def test_without_libreoffice_the_embedded_preview_is_used_and_noted(tmp_path, no_soffice):
    path = fx.small_deck(tmp_path / "deck.pptx")
    with zipfile.ZipFile(path) as zf:
        embedded = zf.read("docProps/thumbnail.jpeg")
    thumb = render(path, no_soffice)
    assert size_of(thumb.jpeg) == size_of(embedded)
    assert thumb.note == "the file's embedded preview; LibreOffice is not installed"
    assert thumb.source == "embedded preview"


def test_without_libreoffice_or_a_preview_it_says_both(tmp_path, no_soffice):
    path = fx.small_deck(tmp_path / "deck.pptx")
    bare = tmp_path / "bare.pptx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bare, "w") as dst:
        for info in src.infolist():
            if info.filename != "docProps/thumbnail.jpeg":
                dst.writestr(info, src.read(info))
    with pytest.raises(
        ThumbnailError,
        match="could not render the thumbnail \\(LibreOffice is not installed, and the file has no embedded preview",
    ):
        render(bare, no_soffice)


def test_a_broken_libreoffice_falls_back_to_the_preview(tmp_path):
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    thumb = render(fx.small_deck(tmp_path / "deck.pptx"), ExtractOptions(soffice_path=str(fake)))
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
    assert thumb.note == "" and thumb.source == "libreoffice"
    assert size_of(thumb.jpeg) == (MAX_WIDTH, 675)  # 960 x 540 pt
    # Slide 2 is dense small print: far more dark pixels than slide 1's title and one bullet.
    with Image.open(io.BytesIO(thumb.jpeg)) as img:
        dark = sum(img.convert("L").histogram()[:128])
    assert dark > 12_000  # slide 1 renders about 4,000


# --- the public preview, and what app/thumbnails.py may use of the extraction ----------------------


def test_render_preview_is_public_and_takes_a_path_or_bytes(tmp_path):
    from extraction import render_preview
    from tests.factories import poster_pdf

    pdf = poster_pdf(tmp_path / "poster.pdf")  # 1200 x 1600 pt
    png = render_preview(pdf)
    assert png.data.startswith(b"\x89PNG\r\n\x1a\n") and png.format == "PNG" and png.source == "pdf"
    assert (png.width, png.height) == (1200, 1600) and png.note == ""
    small = render_preview(pdf.read_bytes(), 300, image_format="JPEG", quality=60)
    assert small.data.startswith(b"\xff\xd8\xff") and (small.width, small.height) == (300, 400)
    assert size_of(small.data) == (300, 400)
    again = render_preview(small.data, 200)  # an image (sniffed from its bytes) is shrunk the same way
    assert again.source == "image" and (again.width, again.height) == (200, 267)


def test_render_preview_checks_inputs_as_the_extraction_does(tmp_path):
    from extraction import render_preview
    from extraction.errors import InputTooLargeError, UnsupportedFormatError
    from tests.factories import png_header_only

    with pytest.raises(InputTooLargeError, match="megapixels"):
        render_preview(png_header_only(tmp_path / "huge.png", 30000, 30000))
    with pytest.raises(UnsupportedFormatError, match="HTML web page"):
        render_preview(b"<!DOCTYPE html><html><body>Forbidden</body></html>")
    with pytest.raises(InputTooLargeError, match="MAX_FILE_MB"):
        render_preview(b"%PDF-1.4\n" + bytes(2 * 1024 * 1024), options=ExtractOptions(max_file_mb=1))


def test_the_service_uses_only_the_public_preview():
    """app/thumbnails.py neither reaches into the private backends nor repeats what they know."""
    import ast

    from tests.support import REPO

    tree = ast.parse((REPO / "app" / "thumbnails.py").read_text(encoding="utf-8"))
    modules, names = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            modules.add(node.module or "")
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.Import):
            modules.update(a.name for a in node.names)
        elif isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
    assert not [m for m in modules if m.startswith(("extraction.", "PIL", "pypdfium2"))], modules
    assert "extraction" in modules and "render_preview" in names
    for private in ("sniff", "MAX_PIXELS", "render_page", "soffice_binary", "embedded_thumbnail", "draft"):
        assert private not in names, private


# --- one publish path, one structured outcome ------------------------------------------------------


def _settings():
    from app.settings import Settings

    return Settings(
        database_url="postgresql://posterx:db-s3cret@127.0.0.1:5432/posters",
        bunny_storage_zone="zone",
        bunny_access_key="bunny-key-123",
    )


def test_a_failed_thumbnail_is_an_outcome_with_a_scrubbed_reason():
    from app.thumbnails import ThumbnailError, publish

    def produce():
        raise ThumbnailError(
            "could not store the thumbnail (PUT https://user:pw@storage.example/zone/t.jpeg?AccessKey=bunny-key-123 "
            "failed; token=abc123; db-s3cret)"
        )

    outcome = publish(_settings(), None, 7, produce, trigger="regenerate")
    assert not outcome.ok and outcome.trigger == "regenerate" and outcome.path is None and outcome.url is None
    assert outcome.record.startswith("failed: could not store the thumbnail (PUT https://user:***@")
    for secret in ("bunny-key-123", "db-s3cret", ":pw@", "abc123"):
        assert secret not in outcome.record, outcome.record
    assert outcome.to_dict()["record"] == outcome.record


def test_outcome_records_are_what_the_attempts_table_always_held():
    from app.thumbnails import ThumbnailOutcome

    path = "thumbnails/7/0b6a.jpeg"
    assert ThumbnailOutcome(ok=True, trigger="extraction", path=path).record == path
    fallback = ThumbnailOutcome(ok=True, trigger="extraction", path=path,
                                reason="the file's embedded preview; LibreOffice is not installed")  # fmt: skip
    assert fallback.record == f"{path} (the file's embedded preview; LibreOffice is not installed)"
    failed = ThumbnailOutcome(ok=False, trigger="extraction", reason="x" * 900)
    assert failed.record.startswith("failed: x") and len(failed.record) == 500


def test_the_pipeline_hands_a_render_failure_to_the_same_publish(tmp_path):
    """Rendered in the extract task, published in the upsert task: a render failure, or a file
    that is not on this worker, ends as the same kind of outcome as any other failure."""
    from app.thumbnails import from_prepared, prepare, publish

    html = tmp_path / "poster.pdf"
    html.write_text("<!DOCTYPE html><html><body>Forbidden</body></html>")
    handle = prepare(html)
    assert set(handle) == {"error"}
    outcome = publish(_settings(), None, 7, lambda: from_prepared(handle), trigger="extraction")
    assert outcome.record.startswith("failed: could not render the thumbnail (the file is an HTML web page")
    gone = publish(
        _settings(), None, 7, lambda: from_prepared({"file": str(tmp_path / "gone.jpeg")}), "extraction"
    )
    assert gone.record == "failed: the rendered thumbnail was not on this worker (the upsert ran elsewhere)"


def test_prepare_keeps_the_rendered_jpeg_and_how_it_was_made(tmp_path, no_soffice):
    from app.thumbnails import from_prepared, prepare

    handle = prepare(fx.small_deck(tmp_path / "deck.pptx"), no_soffice)
    try:
        thumb = from_prepared(handle)
        assert size_of(thumb.jpeg)[0] <= MAX_WIDTH
        assert (thumb.source, thumb.note) == (
            "embedded preview",
            "the file's embedded preview; LibreOffice is not installed",
        )
    finally:
        import os

        os.unlink(handle["file"])
