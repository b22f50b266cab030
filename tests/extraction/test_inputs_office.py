"""Office files: hostile ones fail fast with a message a person can act on; formats without a
native backend go through LibreOffice when it is installed and are refused by name when not."""

from __future__ import annotations

import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from extraction import ExtractOptions, extract
from extraction.backends import office
from extraction.errors import (
    CorruptFileError,
    EncryptedFileError,
    ExtractionTimeoutError,
    InputTooLargeError,
    UnsupportedFormatError,
)
from tests import factories
from tests import factories_pptx as fx
from tests.extraction.test_inputs import fails

HAS_SOFFICE = office.soffice_binary() is not None
needs_soffice = pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) is not installed here")


@pytest.fixture
def no_soffice() -> ExtractOptions:
    """Options pointing the lookup at a binary that does not exist: LibreOffice is "not installed"."""
    options = ExtractOptions(soffice_path="/nonexistent/soffice")
    assert office.soffice_binary(options.soffice_path) is None
    return options


@pytest.fixture(scope="module")
def deck(tmp_path_factory) -> Path:
    return fx.small_deck(tmp_path_factory.mktemp("deck") / "deck.pptx")


@pytest.fixture(scope="module")
def poster(tmp_path_factory) -> Path:
    return fx.poster_pptx(tmp_path_factory.mktemp("office") / "poster.pptx")


# Hostile files


def test_zip_bomb_is_refused_from_its_directory_before_inflating(tmp_path, deck, monkeypatch):
    """300 MB of zeros deflated to 300 KB: refused from the declared sizes; no member is read."""
    bomb = tmp_path / "bomb.pptx"
    shutil.copyfile(deck, bomb)
    with (
        zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as zf,
        zf.open("ppt/media/image9.png", "w", force_zip64=True) as fh,
    ):
        chunk = bytes(1 << 20)
        for _ in range(300):
            fh.write(chunk)
    assert bomb.stat().st_size < 2_000_000

    def inflate(*_a, **_k):
        raise AssertionError("a member was inflated")

    monkeypatch.setattr(zipfile.ZipExtFile, "read", inflate)
    fails(bomb, InputTooLargeError, "would unpack to 300 MB", "ZIP bomb", within=2)


def test_too_many_members_is_refused(tmp_path, deck):
    many = fx.rewrite(
        deck, tmp_path / "many.pptx", {}, {f"junk/{i}.xml": b"<a/>" for i in range(office.MAX_MEMBERS)}
    )
    fails(many, InputTooLargeError, "parts", "ZIP bomb")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<p:sld xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
 xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"><p:cSld><p:spTree>
<p:sp><p:nvSpPr><p:cNvPr id="2" name="t"/><p:cNvSpPr txBox="1"/><p:nvPr/></p:nvSpPr>
<p:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="9144000" cy="914400"/></a:xfrm></p:spPr>
<p:txBody><a:bodyPr/><a:p><a:r><a:t>&lol9;</a:t></a:r></a:p></p:txBody></p:sp>
</p:spTree></p:cSld></p:sld>"""


def test_xml_entity_expansion_is_refused(tmp_path, deck):
    laughs = fx.rewrite(deck, tmp_path / "laughs.pptx", {"ppt/slides/slide1.xml": BILLION_LAUGHS})
    fails(laughs, CorruptFileError, "document type (DTD)", "ppt/slides/slide1.xml", within=2)


def test_the_part_parser_never_expands_entities():
    """Defence in depth: python-pptx's parser, which reads every part, has entities off (and
    libxml2 refuses runaway amplification outright)."""
    from lxml import etree
    from pptx.oxml import parse_xml

    started = time.perf_counter()
    try:
        root = parse_xml(BILLION_LAUGHS)
    except etree.XMLSyntaxError as exc:
        assert "amplification" in str(exc)
    else:
        text = "".join(
            t.text or "" for t in root.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}t")
        )
        assert "lol" not in text
    assert time.perf_counter() - started < 1


def test_absurd_shape_count_is_refused(tmp_path, deck):
    with zipfile.ZipFile(deck) as zf:
        slide = zf.read("ppt/slides/slide1.xml")
    start, end = slide.index(b"<p:sp>"), slide.index(b"</p:sp>") + len(b"</p:sp>")
    crowded = slide[:end] + slide[start:end] * 12_000 + slide[end:]
    path = fx.rewrite(deck, tmp_path / "crowded.pptx", {"ppt/slides/slide1.xml": crowded})
    fails(path, InputTooLargeError, "12001 shapes", "10000", within=10)


def test_absurd_text_volume_is_refused(tmp_path, deck):
    """Within the XML size cap, one text box can still hold 100,000 paragraphs: refused before layout."""
    with zipfile.ZipFile(deck) as zf:
        slide = zf.read("ppt/slides/slide1.xml")
    start, end = slide.index(b"<a:p>"), slide.index(b"</a:p>") + len(b"</a:p>")
    wordy = slide[:end] + slide[start:end] * 100_000 + slide[end:]
    path = fx.rewrite(deck, tmp_path / "wordy.pptx", {"ppt/slides/slide1.xml": wordy})
    fails(path, InputTooLargeError, "paragraphs and text runs", "20000", within=10)


def test_oversized_xml_part_is_refused_before_parsing(tmp_path, deck):
    with zipfile.ZipFile(deck) as zf:
        slide = zf.read("ppt/slides/slide1.xml")
    padded = slide.replace(b"<p:cSld>", b"<p:cSld>" + b"<!--" + b" " * (17 * 1024 * 1024) + b"-->", 1)
    path = fx.rewrite(deck, tmp_path / "padded.pptx", {"ppt/slides/slide1.xml": padded})
    fails(path, InputTooLargeError, "MB of XML", "16 MB", within=5)


def test_password_protected_pptx(tmp_path, deck):
    from msoffcrypto.format.ooxml import OOXMLFile

    locked = tmp_path / "locked.pptx"
    with deck.open("rb") as plain, locked.open("wb") as out:
        OOXMLFile(plain).encrypt("secret", out)
    msg = fails(locked, EncryptedFileError, "the file is password-protected")
    assert "secret" not in msg


def test_encrypted_zip_members_are_password_protected(tmp_path, deck):
    path = tmp_path / "zipcrypto.pptx"
    shutil.copyfile(deck, path)
    data = bytearray(path.read_bytes())
    # Set the "encrypted" flag of every member, as a ZIP tool's password option does.
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = data.find(sig)
        while i >= 0:
            data[i + offset] |= 0x01
            i = data.find(sig, i + 4)
    path.write_bytes(bytes(data))
    fails(path, EncryptedFileError, "the file is password-protected")


def test_truncated_pptx(tmp_path, poster):
    cut = tmp_path / "cut.pptx"
    cut.write_bytes(poster.read_bytes()[: poster.stat().st_size // 2])
    fails(cut, CorruptFileError, "damaged or truncated")


def test_damaged_part_is_reported_as_damage(tmp_path, deck):
    broken = fx.rewrite(deck, tmp_path / "broken.pptx", {"ppt/presentation.xml": b"<p:presentation"})
    fails(broken, CorruptFileError, "damaged")


def test_deck_of_many_slides_is_refused(tmp_path):
    prs = fx.new_deck(fx.SCREEN_SIZE)
    for i in range(51):
        fx.presentation_slide(prs, f"Slide {i}", ["x"])
    path = tmp_path / "long.pptx"
    prs.save(str(path))
    fails(path, InputTooLargeError, "51 slides", "upload the poster slide alone")


def test_spreadsheet_is_not_a_poster(tmp_path):
    path = tmp_path / "poster.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    fails(path, UnsupportedFormatError, "Excel spreadsheet (.xlsx)", "PDF")


def test_plain_zip_archive(tmp_path):
    path = tmp_path / "poster.pdf"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("poster.pdf", "%PDF-1.4")
    fails(path, UnsupportedFormatError, "ZIP archive", "export the poster as PDF")


# Other office formats


def odp(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.presentation")
        zf.writestr("content.xml", "<office:document-content/>")
    return path


def keynote(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Index/Document.iwa", b"\x00" * 16)
        zf.writestr("Metadata/Properties.plist", b"")
    return path


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (odp, "OpenDocument presentation (.odp)"),
        (keynote, "Keynote presentation (.key)"),
        (factories.docx, "Word document (.docx)"),
    ],
)
def test_other_office_formats_without_libreoffice_are_refused_by_name(tmp_path, no_soffice, make, name):
    path = make(tmp_path / "poster.bin")
    msg = fails(
        path,
        UnsupportedFormatError,
        name,
        "LibreOffice",
        "export the poster as PDF",
        within=2,
        options=no_soffice,
    )
    assert "not installed" in msg


def test_pptx_needs_no_libreoffice(no_soffice, poster):
    assert extract(poster, no_soffice)["titles"][0]["title"] == factories.PosterSpec().title


@needs_soffice
def test_odp_is_converted_by_libreoffice(tmp_path, poster):
    made = subprocess.run(
        [office.soffice_binary(), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "odp", "--outdir", str(tmp_path), str(poster)],
        capture_output=True, timeout=180, check=False,
    )  # fmt: skip
    converted = tmp_path / "poster.odp"
    assert converted.exists(), made.stderr
    doc = extract(converted)
    assert doc["titles"][0]["title"] == factories.PosterSpec().title
    assert doc["formats"] == ["ODP"]
    assert "LibreOffice" in doc["_extraction"]["source"]
    assert any("OpenDocument presentation" in w for w in doc["_extraction"]["warnings"])


@needs_soffice
def test_a_document_libreoffice_cannot_read_fails_clearly(tmp_path):
    fails(
        factories.docx(tmp_path / "poster.docx"),
        CorruptFileError,
        "LibreOffice could not convert",
        within=150,
    )


def test_libreoffice_runs_under_a_time_limit_and_is_killed_whole(tmp_path, monkeypatch):
    """A converter that hangs, and leaves a child behind, is stopped at its limit with its
    whole process group: no LibreOffice process outlives a job."""
    pidfile = tmp_path / "child.pid"
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {pidfile}\nwait\n")
    fake.chmod(0o755)
    monkeypatch.setattr(office, "SOFFICE_TIMEOUT_S", 1.0)
    fails(
        odp(tmp_path / "slow.odp"),
        ExtractionTimeoutError,
        "LibreOffice took longer than 1 s",
        within=10,
        options=ExtractOptions(soffice_path=str(fake)),
    )
    child = int(pidfile.read_text())
    time.sleep(0.2)
    assert not Path(f"/proc/{child}").exists() or "Z" in Path(f"/proc/{child}/stat").read_text().split()[2]
