"""The corpus quality metrics, exactly as `shared/corpus/README.md` defines them.

They are the posters.science pipeline's published metrics (word capture, ROUGE-L, number
capture, field proportion) plus field-level checks (title similarity, creator F1, caption
recall), so our figures compare with its table.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import Any

_SUPER = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉", "01234567890123456789")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"'})
_DASHES = re.compile(r"[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]")
_SPACES = re.compile(r"[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]")
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_NUM = re.compile(r"\d+\.?\d*")


def normalise(text: str) -> str:
    text = text.translate(_SUPER)
    text = unicodedata.normalize("NFKD", text)
    text = _SPACES.sub(" ", text)
    text = text.translate(_QUOTES)
    text = _DASHES.sub("-", text)
    return text


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def all_text(doc: dict) -> str:
    return normalise(" ".join(_strings(doc)))


def sections(doc: dict) -> list[str]:
    content = doc.get("content") or doc.get("posterContent") or {}
    out = [
        normalise(s.get("sectionContent", "")) for s in (content.get("sections") or []) if isinstance(s, dict)
    ]
    for key in ("imageCaptions", "tableCaptions"):
        for cap in doc.get(key) or []:
            if isinstance(cap, dict) and isinstance(cap.get("caption"), str):
                out.append(normalise(cap["caption"]))
            elif isinstance(cap, str):
                out.append(normalise(cap))
    return [s for s in out if s.strip()]


def words(text: str) -> set[str]:
    return set(re.sub(r"[^a-zA-Z0-9\s]", "", text).lower().split())


def word_capture(gen: dict, ref: dict) -> float:
    r = words(all_text(ref))
    return len(words(all_text(gen)) & r) / len(r) if r else 1.0


_scorer = None


def _rouge(a: str, b: str) -> float:
    global _scorer
    if _scorer is None:
        from rouge_score import rouge_scorer

        _scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    return _scorer.score(a, b)["rougeL"].fmeasure


def rouge_l(gen: dict, ref: dict) -> float:
    glob = _rouge(all_text(ref), all_text(gen))
    ref_secs, gen_secs = sections(ref), sections(gen)
    if ref_secs and gen_secs:
        avg = sum(max(_rouge(r, g) for g in gen_secs) for r in ref_secs) / len(ref_secs)
    else:
        avg = 0.0
    return max(glob, avg)


def numbers(text: str) -> set[str]:
    text = _DOI.sub(" ", text)
    out: set[str] = set()
    for tok in _NUM.findall(text):
        if "." in tok:
            out.add(tok)
            continue
        value = int(tok)
        if value < 1000 or (not 2010 <= value <= 2030 and value < 100000):
            out.add(tok)
    return out


def number_capture(gen: dict, ref: dict) -> float:
    r = numbers(all_text(ref))
    return len(numbers(all_text(gen)) & r) / len(r) if r else 1.0


def count_fields(value: Any, depth: int = 0) -> int:
    """Non-empty values: a dict value counts 1 plus its children; lists count their items' fields."""
    if depth > 10:
        return 0
    total = 0
    if isinstance(value, dict):
        for v in value.values():
            if _empty(v):
                continue
            total += 1
            if isinstance(v, (dict, list)):
                total += count_fields(v, depth + 1)
    elif isinstance(value, list):
        for item in value:
            total += count_fields(item, depth + 1)
    return total


def _empty(v: Any) -> bool:
    return v is None or v == "" or v == [] or v == {}


def field_proportion(gen: dict, ref: dict) -> float:
    r = count_fields(ref)
    return count_fields(gen) / r if r else 1.0


def title_similarity(gen: dict, ref: dict) -> float:
    def first(d: dict) -> str:
        titles = d.get("titles") or []
        t = titles[0].get("title", "") if titles and isinstance(titles[0], dict) else ""
        return re.sub(r"[^a-z0-9]", "", normalise(t).lower())

    return difflib.SequenceMatcher(None, first(gen), first(ref)).ratio()


def _families(d: dict) -> set[str]:
    out: set[str] = set()
    for c in d.get("creators") or []:
        fam = c.get("familyName") or (c.get("name", "").split(",")[0] if c.get("name") else "")
        if fam:
            out.add(normalise(fam).strip().lower())
    return out


def creator_f1(gen: dict, ref: dict) -> float:
    g, r = _families(gen), _families(ref)
    if not g and not r:
        return 1.0
    tp = len(g & r)
    if tp == 0:
        return 0.0
    p, rec = tp / len(g), tp / len(r)
    return 2 * p * rec / (p + rec)


def caption_recall(gen: dict, ref: dict) -> float:
    def caps(d: dict) -> list[str]:
        return [
            normalise(c.get("caption", ""))
            for k in ("imageCaptions", "tableCaptions")
            for c in d.get(k) or []
        ]

    ref_caps, gen_caps = caps(ref), caps(gen)
    if not ref_caps:
        return 1.0
    hit = sum(
        1 for rc in ref_caps if any(difflib.SequenceMatcher(None, rc, gc).ratio() >= 0.8 for gc in gen_caps)
    )
    return hit / len(ref_caps)


def score(gen: dict, ref: dict) -> dict[str, float | bool]:
    gen = {k: v for k, v in gen.items() if not k.startswith("_")}
    s: dict[str, float | bool] = {
        "w": word_capture(gen, ref),
        "r": rouge_l(gen, ref),
        "n": number_capture(gen, ref),
        "f": field_proportion(gen, ref),
        "title": title_similarity(gen, ref),
        "creators": creator_f1(gen, ref),
        "captions": caption_recall(gen, ref),
    }
    s["pass"] = s["w"] >= 0.75 and s["r"] >= 0.75 and s["n"] >= 0.75 and 0.5 <= s["f"] <= 2.0
    return s


# --- truth.json folders (corpus `wild/`): title, creators and affiliations only -------------


def _name_words(name: str) -> set[str]:
    """Words longer than one letter of a personal name, read "Given Family" order-free.

    The corpus README's rule: NFKD, accents stripped, lower case, split on spaces, dots and
    hyphens; a "Family, Given" name is read as "Given Family" (order does not matter for sets).
    """
    if "," in name:
        family, _, given = name.partition(",")
        name = f"{given} {family}"
    folded = unicodedata.normalize("NFKD", normalise(name)).encode("ascii", "ignore").decode().lower()
    return {w for w in re.split(r"[\s.\-]+", folded) if len(w) > 1}


def names_match(a: str, b: str) -> bool:
    """One name's long words are all among the other's ("J. Smith" ~ "John Smith")."""
    wa, wb = _name_words(a), _name_words(b)
    return bool(wa and wb) and (wa <= wb or wb <= wa)


def _creator_name(c: dict) -> str:
    if c.get("givenName") or c.get("familyName"):
        return f"{c.get('givenName', '')} {c.get('familyName', '')}".strip()
    return c.get("name", "")


def _affiliation_names(c: dict) -> list[str]:
    out = []
    for a in c.get("affiliation") or c.get("affiliations") or []:
        out.append(a.get("name", "") if isinstance(a, dict) else str(a))
    return [a for a in out if a]


def match_creators(gen: list[dict], truth: list[dict]) -> list[tuple[int, int]]:
    """One-to-one (gen index, truth index) pairs, greedily in printed order."""
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    for ti, t in enumerate(truth):
        for gi, g in enumerate(gen):
            if gi not in used and names_match(_creator_name(g), t.get("name", "")):
                pairs.append((gi, ti))
                used.add(gi)
                break
    return pairs


def _alnum(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", normalise(text).lower())


def score_truth(gen: dict, truth: dict) -> dict[str, float]:
    """Title similarity, creator F1 and affiliation recall against a `truth.json`."""
    gen = {k: v for k, v in gen.items() if not k.startswith("_")}
    titles = gen.get("titles") or []
    got = titles[0].get("title", "") if titles and isinstance(titles[0], dict) else ""
    title = difflib.SequenceMatcher(None, _alnum(got), _alnum(truth.get("title", ""))).ratio()
    g_creators = [c for c in gen.get("creators") or [] if isinstance(c, dict)]
    t_creators = truth.get("creators") or []
    pairs = match_creators(g_creators, t_creators)
    if not g_creators and not t_creators:
        f1 = 1.0
    elif not pairs:
        f1 = 0.0
    else:
        p, r = len(pairs) / len(g_creators), len(pairs) / len(t_creators)
        f1 = 2 * p * r / (p + r)
    total = hit = 0
    for gi, ti in pairs:
        predicted = [_alnum(a) for a in _affiliation_names(g_creators[gi])]
        for aff in t_creators[ti].get("affiliations") or []:
            total += 1
            want = _alnum(aff)
            if any(difflib.SequenceMatcher(None, want, p).ratio() >= 0.6 for p in predicted):
                hit += 1
    has_any = any(t.get("affiliations") for t in t_creators)
    # No creator matched while the truth prints affiliations: nothing was recalled.
    affiliations = hit / total if total else (0.0 if has_any else 1.0)
    return {"extracted": 1.0, "title": title, "creators": f1, "affiliations": affiliations}
