"""poster-json v0.2 → "PosterMetadata" columns.

A column with no value is left out of the upsert, so it keeps its default ('[]' for jsonb)
or, on a re-extraction, its previous value is replaced only where the poster said something.
Keys starting with '_' (such as `_extraction`) are never stored.
"""

from __future__ import annotations

from typing import Any


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
    if doc.get("formats"):
        cols["format"] = doc["formats"][0]
    rights = doc.get("rightsList") or []
    if rights:
        first = rights[0]
        cols["license"] = first.get("rightsIdentifier") or first.get("rights")
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
