"""`extract()`: the one function the CLI and the worker both call.

Everything it may be tuned by comes in one `ExtractOptions` value, passed down to the backends
and the LLM step: the library reads no environment variable.

It wires the three layers docling-style: a backend turns the file into a `Page`, the layout
pipeline turns the page into poster-json, and (engine `hybrid`) the LLM adds only the
abstractive fields. Everything the caller may want to know about *how* the result was made
goes into the private `_extraction` key, which the service strips before storing.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from extraction import backends, llm, pipeline, validate
from extraction.options import ENGINES, ExtractOptions

__version__ = "1.0.0"
__all__ = ["ENGINES", "ExtractOptions", "extract", "resolve_engine", "warm_up"]


def resolve_engine(options: ExtractOptions) -> str:
    """`auto` means hybrid only when a CUDA GPU and the configured model are both usable."""
    if options.engine == "auto":
        return "hybrid" if llm.gpu_ready(options) else "layout"
    return options.engine


def extract(path: str | Path, options: ExtractOptions | None = None) -> dict[str, Any]:
    """Extract poster-json v0.2 from a PDF, image or office file, as `options` say (defaults:
    `ExtractOptions()`, the layout engine).

    Raises `extraction.errors.ExtractionError` (with a user-facing message) for inputs that
    cannot be read; never for a field it could not find, which becomes a warning instead.
    """
    started = time.perf_counter()
    if options is None:
        options = ExtractOptions()
    elif not isinstance(options, ExtractOptions):
        raise TypeError(f"extract() takes ExtractOptions, not {type(options).__name__}")
    resolved = resolve_engine(options)
    path = Path(path)
    page = backends.load_page(path, options)
    layout = pipeline.analyse(page)
    meta: dict[str, Any] = {"engine": resolved}
    if options.banner_ocr and not layout.typographic_title and page.source == "pdfalto":
        # No text line qualifies as the headline: it is drawn as graphics (a wordmark or outlined
        # letters). The banner strip alone is read by OCR and the page analysed again.
        ocr_started = time.perf_counter()
        banner = backends.ocr_banner(path, page)
        if banner is not None:
            page = banner
            layout = pipeline.analyse(page)
        meta["banner_ocr_seconds"] = round(time.perf_counter() - ocr_started, 4)
    doc, notes = pipeline.assemble(layout)
    if layout.authors.contacts:
        meta["contacts"] = layout.authors.contacts
    filled: set[str] = set()
    llm_warnings: list[str] = []
    if resolved == "hybrid":
        doc, llm_info = llm.enrich(doc, page, options)
        # A required field the LLM filled is no longer "left out".
        filled = set(llm_info.get("llm_fields", []))
        llm_warnings = llm_info.pop("warnings", [])
        meta.update(llm_info)
    warnings = list(page.warnings) + [n.message for n in notes if n.field not in filled] + llm_warnings
    warnings.extend(validate.problems(doc))
    doc["_extraction"] = {
        **meta,
        "version": __version__,
        "seconds": round(time.perf_counter() - started, 4),
        "source": page.source,
        "warnings": warnings,
    }
    return doc


def warm_up() -> None:
    """Load what the first extraction would otherwise pay for (imports, the language model).

    Called once per worker process after fork, so the first job is as fast as the rest.
    """
    import pypdfium2  # noqa: F401
    import yake  # noqa: F401

    from extraction.backends import pdf  # noqa: F401
    from extraction.stages import metadata

    metadata.language("A short English sentence about posters, to load the language model once.")
