"""posterx extraction: poster PDFs and images to poster-json-schema v0.2.

A pure library: nothing here imports the service (database, Celery, Flask). The one public
entry point is `extract(path, engine="layout") -> dict`.
"""

from extraction.api import ENGINES, extract
from extraction.errors import ExtractionError

__all__ = ["ENGINES", "ExtractionError", "extract"]
