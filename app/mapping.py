"""poster-json v0.2 → "PosterMetadata" columns.

A column with no value is left out of the upsert, so it keeps its default ('[]' for jsonb)
or, on a re-extraction, its previous value is replaced only where the poster said something.
Keys starting with '_' (such as `_extraction`) are never stored. Every value written is one the
frontend's editor accepts (app/editor.py).
"""

from __future__ import annotations

from typing import Any

from app import editor


def public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def to_columns(doc: dict[str, Any]) -> dict[str, Any]:
    doc = public(doc)
    cols: dict[str, Any] = {}
    if doc.get("content"):
        cols["posterContent"] = {"sections": doc["content"].get("sections", [])}
    for key in (
        "imageCaptions",
        "tableCaptions",
        "creators",
        "identifiers",
        "fundingReferences",
        "relatedIdentifiers",
        "dates",
    ):
        if doc.get(key):
            cols[key] = doc[key]
    # What the editor would refuse to save is rewritten or left out (app/editor.py).
    if cols.get("creators"):
        cols["creators"] = editor.creators(cols["creators"])
    if cols.get("identifiers"):
        cols["identifiers"] = editor.identifiers(cols["identifiers"])
    if cols.get("relatedIdentifiers"):
        cols["relatedIdentifiers"] = editor.related_identifiers(cols["relatedIdentifiers"])
    # `doi` is the poster's own DOI (the frontend cites it as the previous version of a new
    # one): the extraction lists only that one under `identifiers`; cited DOIs are related ones.
    doi = next(
        (
            i["identifier"]
            for i in doc.get("identifiers") or []
            if i.get("identifierType", "").upper() == "DOI"
        ),
        None,
    )
    if doi:
        cols["doi"] = doi
    subjects = [s["subject"] for s in doc.get("subjects") or [] if isinstance(s, dict) and s.get("subject")]
    if subjects:
        cols["subjects"] = subjects
    if doc.get("language"):
        cols["language"] = doc["language"]
    if isinstance(doc.get("publicationYear"), int):
        cols["publicationYear"] = doc["publicationYear"]
    publisher = doc.get("publisher")
    if isinstance(publisher, dict) and publisher.get("name"):
        cols["publisher"] = publisher["name"]
    conf = doc.get("conference") or {}
    for key, value in conf.items():
        if key.startswith("conference") and value not in (None, ""):
            cols[key] = int(value) if key == "conferenceYear" and str(value).isdigit() else value
    if doc.get("researchField"):
        cols["domain"] = doc["researchField"]
    mime = next((m for m in (editor.mime_type(str(f)) for f in doc.get("formats") or []) if m), None)
    if mime:
        cols["format"] = mime
    # `license` is an SPDX id or nothing: a licence printed without a version ("CC BY") is kept
    # in poster-json's `rights` only, never offered to the editor's SPDX select.
    spdx = next((editor.spdx(r.get("rightsIdentifier")) for r in doc.get("rightsList") or []), None)
    if spdx:
        cols["license"] = spdx
    if doc.get("version"):
        cols["version"] = str(doc["version"])
    sizes = doc.get("sizes") or []
    if sizes:
        cols["size"] = str(sizes[0])
    return cols


def poster_fields(doc: dict[str, Any]) -> dict[str, str]:
    """What "Poster" shows in lists: the first title and the abstract (or first description)."""
    out: dict[str, str] = {}
    titles = doc.get("titles") or []
    if titles and titles[0].get("title"):
        out["title"] = titles[0]["title"]
    descriptions = doc.get("descriptions") or []
    abstract = next((d for d in descriptions if d.get("descriptionType") == "Abstract"), None)
    chosen = abstract or (descriptions[0] if descriptions else None)
    if chosen and chosen.get("description"):
        out["description"] = chosen["description"]
    return out
