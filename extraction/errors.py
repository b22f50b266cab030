"""Exceptions for inputs that cannot be extracted.

Each message is written for the person who uploaded the poster: the worker copies it into the
job's `error` column as is, so it says what is wrong and what to do, never how the code failed.
"""


class ExtractionError(Exception):
    """Base class: `str(exc)` is a complete, user-facing sentence."""


class UnsupportedFormatError(ExtractionError):
    """The file is no format we read (HTML, a spreadsheet), or an office format that needs
    LibreOffice where it is not installed."""


class EmptyFileError(ExtractionError):
    """The file has no bytes."""


class CorruptFileError(ExtractionError):
    """The file claims a format but cannot be parsed (truncated or damaged)."""


class EncryptedPdfError(ExtractionError):
    """The PDF is password-protected."""


class EncryptedFileError(ExtractionError):
    """An office file is password-protected (Office wraps an encrypted package in an OLE file)."""


class InputTooLargeError(ExtractionError):
    """Too many pages, pixels or bytes to be a poster; refused before any heavy work."""


class ExtractionTimeoutError(ExtractionError):
    """A subprocess (pdfalto) or OCR ran past its time or memory limit and was killed."""


class NoTextError(ExtractionError):
    """Neither the text layer nor OCR found any text on the page."""


class EngineUnavailableError(ExtractionError):
    """A tool the engine needs (pdfalto binary, OCR models) is missing or broken."""
