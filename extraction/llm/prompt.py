"""The one prompt: what the layout engine read, and the small JSON object we want back.

The model is asked only for the abstractive fields. The verbatim text is already in the
layout result, so it goes in as context (capped) and never comes back out, which keeps the
answer to a few hundred tokens.
"""

from __future__ import annotations

from typing import Any

from extraction.llm.parse import DOMAINS

MIN_TEXT_CHARS = 200  # below this the model sees too little of the poster to summarise it
PREFILL = "{"

# The keys in the order `answer.SCHEMA` makes a constrained model write them.
INSTRUCTIONS = (
    "You read the text of a scientific poster and answer with exactly one JSON object and nothing else:\n"
    f'{{"researchField": one of {", ".join(DOMAINS)}, '
    '"subjects": [3 to 5 short keywords], '
    '"description": "a summary of the poster in 2 or 3 sentences", '
    '"creators_check": "ok", or one sentence if the authors or affiliations below look wrongly assigned}'
)


def _cap(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    return cut[: cut.rfind(" ")] if " " in cut else cut


def poster_context(doc: dict[str, Any], limit: int) -> str:
    """Title, authors, section titles and the section text capped at `limit` characters (at
    least MIN_TEXT_CHARS: `ExtractOptions.llm_prompt_chars`), as plain lines."""
    limit = max(MIN_TEXT_CHARS, limit)
    parts: list[str] = []
    titles = [t.get("title", "") for t in doc.get("titles", []) if t.get("title")]
    if titles:
        parts.append("Title: " + " / ".join(titles))
    authors = []
    for c in doc.get("creators", []):
        affs = "; ".join(a.get("name", "") for a in c.get("affiliation", []) if a.get("name"))
        authors.append(c.get("name", "") + (f" ({affs})" if affs else ""))
    if authors:
        parts.append("Authors: " + ", ".join(a for a in authors if a))
    sections = doc.get("content", {}).get("sections", [])
    if sections:
        parts.append("Sections: " + "; ".join(s.get("sectionTitle", "") for s in sections))
        body = "\n\n".join(f"{s.get('sectionTitle', '')}\n{s.get('sectionContent', '')}" for s in sections)
        parts.append("Text:\n" + _cap(body, limit))
    return "\n".join(parts)


def build(tokenizer: Any, doc: dict[str, Any], text_chars: int, prefill: str = PREFILL) -> tuple[str, bool]:
    """The full prompt string ending in `prefill`, and whether it already holds special tokens.

    Instruction-tuned models get their chat template (which adds BOS itself); a bare model gets
    plain text. Prefilling `{` makes the first generated token part of the object; constrained
    decoding passes `""`, because its grammar forces the `{` anyway.
    """
    context = poster_context(doc, text_chars)
    if getattr(tokenizer, "chat_template", None):
        messages = [{"role": "system", "content": INSTRUCTIONS}, {"role": "user", "content": context}]
        text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return text + prefill, True
    return f"{INSTRUCTIONS}\n\n{context}\n\nJSON: {prefill}", False
