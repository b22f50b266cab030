"""Office files: which format a ZIP or OLE container holds, whether it is safe to open, and its
conversion to PDF by LibreOffice.

PowerPoint, Word, OpenDocument and Keynote files are ZIP containers; old and password-protected
Office files are OLE containers. What they hold is told by their member names, so the format is
decided from the container's directory, never from the file name. The directory is also what lets
a ZIP bomb be refused before anything is inflated: every member declares its size, and Python's
`zipfile` never inflates a member past the size it declares (a lying header ends in a CRC error,
not in gigabytes).

LibreOffice (`soffice`) is optional. Where it is installed, the formats without a native backend
are converted to PDF by it: headless, in a temporary profile, under a time and memory limit, in a
process group that is killed whole. Where it is not, they are refused with a message that names the
format and asks for a PDF.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from extraction.errors import (
    CorruptFileError,
    EncryptedFileError,
    InputTooLargeError,
    UnsupportedFormatError,
)
from extraction.sandbox import child_env, run_limited

# A poster file is at most MAX_FILE_MB (50) compressed; its pictures barely compress and its XML
# rarely passes a few MB, so anything unpacking past this is a bomb, not a poster.
MAX_UNZIPPED_MB = 256
MAX_MEMBERS = 5000
# An XML part's prolog (declaration, comments) is read this far looking for a DTD.
PROLOG_BYTES = 65536
SOFFICE_TIMEOUT_S = 120.0
SOFFICE_MEMORY_MB = 2048
ASK_FOR_PDF = "export the poster as PDF and upload it again"
PASSWORD = (
    "the file is password-protected; remove the password (in PowerPoint: File > Info > Protect "
    "Presentation > Encrypt with Password, then clear it) and upload it again, or upload a PDF"
)


@dataclass(frozen=True)
class OfficeFormat:
    """An office format: its key, how a person calls it, and the LibreOffice PDF filter (None:
    never converted, e.g. spreadsheets, which are not posters)."""

    key: str
    name: str
    pdf_filter: str | None


FORMATS = {
    f.key: f
    for f in (
        OfficeFormat("pptx", "a PowerPoint presentation (.pptx)", "impress_pdf_Export"),
        OfficeFormat("ppt", "a PowerPoint 97-2003 presentation (.ppt)", "impress_pdf_Export"),
        OfficeFormat("odp", "an OpenDocument presentation (.odp)", "impress_pdf_Export"),
        OfficeFormat("key", "a Keynote presentation (.key)", "impress_pdf_Export"),
        OfficeFormat("odg", "an OpenDocument drawing (.odg)", "draw_pdf_Export"),
        OfficeFormat("docx", "a Word document (.docx)", "writer_pdf_Export"),
        OfficeFormat("doc", "a Word 97-2003 document (.doc)", "writer_pdf_Export"),
        OfficeFormat("odt", "an OpenDocument text (.odt)", "writer_pdf_Export"),
        OfficeFormat("xlsx", "an Excel spreadsheet (.xlsx)", None),
        OfficeFormat("xls", "an Excel 97-2003 spreadsheet (.xls)", None),
        OfficeFormat("ods", "an OpenDocument spreadsheet (.ods)", None),
    )
}

# The member that names an OOXML package's kind (ECMA-376 part names as Office writes them).
_OOXML_MAIN = (("ppt/presentation.xml", "pptx"), ("word/document.xml", "docx"), ("xl/workbook.xml", "xlsx"))
# The first member of an OpenDocument package, `mimetype`, holds its media type (ODF 1.2, 3.3).
_ODF_TYPES = {
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/vnd.oasis.opendocument.presentation-template": "odp",
    "application/vnd.oasis.opendocument.graphics": "odg",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
# OLE streams that name an old Office file's kind, and the one an encrypted OOXML file has
# ([MS-OFFCRYPTO] 2.3.4: EncryptionInfo + EncryptedPackage).
_OLE_STREAMS = (("PowerPoint Document", "ppt"), ("WordDocument", "doc"), ("Workbook", "xls"), ("Book", "xls"))


def identify_zip(path: Path) -> OfficeFormat:
    """The office format of a ZIP file, after the bomb checks; refuses ZIPs that are no poster format."""
    try:
        with zipfile.ZipFile(path) as zf:
            check_zip(zf)
            names = set(zf.namelist())
            for member, key in _OOXML_MAIN:
                if member in names:
                    return FORMATS[key]
            if "mimetype" in names:
                kind = zf.read("mimetype")[:200].decode("ascii", "replace").strip()
                if kind in _ODF_TYPES:
                    return FORMATS[_ODF_TYPES[kind]]
            # Keynote 6+ stores its document as IWA archives under Index/; older ones as index.apxl.
            if any(n.startswith("Index/") and n.endswith(".iwa") for n in names) or any(
                n.rsplit("/", 1)[-1] in ("index.apxl", "index.apxl.gz") for n in names
            ):
                return FORMATS["key"]
    except zipfile.BadZipFile as exc:
        raise CorruptFileError(
            f"the file is a damaged or truncated ZIP-based document and cannot be opened; {ASK_FOR_PDF}"
        ) from exc
    raise UnsupportedFormatError(
        "the file is a ZIP archive, not a poster (PDF, image, or a PowerPoint, OpenDocument or Keynote "
        f"presentation); {ASK_FOR_PDF}"
    )


def check_zip(zf: zipfile.ZipFile) -> None:
    """Refuse a ZIP bomb (too many members, or too many bytes once inflated) and an encrypted ZIP,
    from the central directory alone, before any member is inflated."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise InputTooLargeError(
            f"the file holds {len(infos)} parts, more than the {MAX_MEMBERS} accepted for a poster; "
            f"it is probably a ZIP bomb: {ASK_FOR_PDF}"
        )
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED_MB * 1024 * 1024:
        raise InputTooLargeError(
            f"the file would unpack to {total / 1048576:.0f} MB, over the {MAX_UNZIPPED_MB} MB accepted for a "
            f"poster; it is probably a ZIP bomb: {ASK_FOR_PDF}"
        )
    if any(i.flag_bits & 0x1 for i in infos):
        raise EncryptedFileError(PASSWORD)


def check_xml_parts(zf: zipfile.ZipFile) -> None:
    """Refuse XML parts that declare a DTD. Office never writes one, and a DTD is how entity
    expansion ("billion laughs") and external entities get in; the parser that reads the parts
    also has entities off, this makes the refusal explicit."""
    for info in zf.infolist():
        if not info.filename.endswith((".xml", ".rels")):
            continue
        with zf.open(info) as fh:
            head = fh.read(PROLOG_BYTES)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            head = head.decode("utf-16", "replace").encode("utf-8")
        root = _root_start(head)
        prolog = head if root < 0 else head[:root]
        if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog or (root < 0 and len(head) == PROLOG_BYTES):
            raise CorruptFileError(
                f"the file's part {info.filename} declares an XML document type (DTD), which Office never "
                f"writes; the file was altered and is not read: {ASK_FOR_PDF}"
            )


def _root_start(head: bytes) -> int:
    """Offset of the root element's start tag, skipping the declaration, comments and PIs."""
    i = 0
    while True:
        i = head.find(b"<", i)
        if i < 0 or i + 1 >= len(head):
            return -1
        nxt = head[i + 1 : i + 2]
        if nxt == b"?":
            end = head.find(b"?>", i)
        elif head.startswith(b"<!--", i):
            end = head.find(b"-->", i)
        elif nxt == b"!":
            return len(head)  # a declaration (DOCTYPE): the caller sees it in the prolog
        else:
            return i
        if end < 0:
            return -1
        i = end + 2


def identify_ole(path: Path) -> OfficeFormat:
    """The format of an OLE file; a password-protected Office file (any kind) is refused as such."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            if ole.exists("EncryptedPackage"):
                raise EncryptedFileError(PASSWORD)
            for stream, key in _OLE_STREAMS:
                if ole.exists(stream):
                    return FORMATS[key]
    except OSError as exc:  # olefile's error for a damaged container
        raise CorruptFileError(
            f"the file is a damaged old-style Microsoft Office document and cannot be opened; {ASK_FOR_PDF}"
        ) from exc
    raise UnsupportedFormatError(
        f"the file is an old-style Microsoft Office document of an unknown kind; {ASK_FOR_PDF}"
    )


# --- LibreOffice ------------------------------------------------------------------------------

_SOFFICE_PLACES = (
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
)


def soffice_binary(configured: str = "") -> str | None:
    """LibreOffice's `soffice`: `configured` (`ExtractOptions.soffice_path`) when set (a path that
    is not an executable means "not installed", which is how tests and operators switch it off),
    else the one on PATH or in the usual install places, else None."""
    configured = configured.strip()
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    return next((p for p in _SOFFICE_PLACES if os.access(p, os.X_OK)), None)


def refuse_without_soffice(fmt: OfficeFormat) -> UnsupportedFormatError:
    return UnsupportedFormatError(
        f"the file is {fmt.name}; this format is read through LibreOffice, which is not installed on this "
        f"server: {ASK_FOR_PDF}"
    )


def convert_to_pdf(
    path: Path, fmt: OfficeFormat, out_dir: Path, *, soffice_path: str = "", page: int = 1
) -> Path:
    """Page (or slide) `page` of `path` as a one-page PDF in `out_dir`, made by LibreOffice.

    Only that page is exported, so a long document costs no more than a poster. The input is
    copied under a plain name first: LibreOffice names its output after the input, and picks its
    import filter partly by extension.
    """
    binary = soffice_binary(soffice_path)
    if binary is None:
        raise refuse_without_soffice(fmt)
    if fmt.pdf_filter is None:
        raise UnsupportedFormatError(f"the file is {fmt.name}, not a poster; {ASK_FOR_PDF}")
    with tempfile.TemporaryDirectory(prefix="posterx-soffice-") as tmp:
        work = Path(tmp)
        src = work / f"poster.{fmt.key}"
        shutil.copyfile(path, src)
        options = json.dumps({"PageRange": {"type": "string", "value": str(page)}}, separators=(",", ":"))
        cmd = [
            binary,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            f"pdf:{fmt.pdf_filter}:{options}",
            "--outdir",
            str(out_dir),
            str(src),
        ]
        env = child_env(HOME=str(work), SAL_USE_VCLPLUGIN="svp")
        try:
            proc = run_limited(
                cmd, timeout_s=SOFFICE_TIMEOUT_S, memory_mb=SOFFICE_MEMORY_MB, what="LibreOffice", env=env
            )
        except OSError as exc:  # the binary vanished or is not executable
            raise refuse_without_soffice(fmt) from exc
    out = out_dir / "poster.pdf"
    if not out.exists() or out.stat().st_size == 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [
            f"exit code {proc.returncode}"
        ]
        raise CorruptFileError(
            f"LibreOffice could not convert {fmt.name} to PDF ({detail[0][:200]}); the file is probably damaged: "
            f"{ASK_FOR_PDF}"
        )
    return out


# Where packages keep the preview picture their application saved with them (OOXML: the package
# thumbnail relationship's usual target; ODF: Thumbnails/thumbnail.png).
EMBEDDED_THUMBNAILS = ("docProps/thumbnail.jpeg", "docProps/thumbnail.jpg", "docProps/thumbnail.png",
                       "Thumbnails/thumbnail.png")  # fmt: skip
MAX_THUMBNAIL_BYTES = 10 * 1024 * 1024


def embedded_thumbnail(path: Path) -> bytes | None:
    """The preview picture saved inside an office file, or None when it has none."""
    with zipfile.ZipFile(path) as zf:
        check_zip(zf)
        names = set(zf.namelist())
        for name in EMBEDDED_THUMBNAILS:
            if name in names and zf.getinfo(name).file_size <= MAX_THUMBNAIL_BYTES:
                return zf.read(name)
    return None
