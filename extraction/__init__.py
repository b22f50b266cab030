"""posterx extraction: poster PDFs, images and office files to poster-json-schema v0.2.

A pure library: nothing here imports the service (database, Celery, Flask), and nothing here
reads an environment variable. The public entry points are `extract(path, options) -> dict`
and `render_preview(path_or_bytes, max_width, options) -> Preview`, both tuned by one frozen
`ExtractOptions` value.
"""

from extraction.api import ENGINES, extract
from extraction.errors import ExtractionError
from extraction.options import ExtractOptions
from extraction.preview import Preview, render_preview

__all__ = ["ENGINES", "ExtractOptions", "ExtractionError", "Preview", "extract", "render_preview"]
