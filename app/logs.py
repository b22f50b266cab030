"""Logging for every process: readable text by default, one JSON object a line with
`LOG_FORMAT=json` (for log shippers), carrying `job_id` and `poster_id` where they apply.

Secrets are scrubbed in the formatter, the last point before a line leaves the process, so a
secret inside an exception message from a library cannot leak either.
"""

from __future__ import annotations

import json
import logging
import sys
import time

from app.settings import scrub

CONTEXT_KEYS = ("job_id", "poster_id", "task_id", "task_name")


class JsonFormatter(logging.Formatter):
    def __init__(self, secrets: list[str], process: str) -> None:
        super().__init__()
        self.secrets = secrets
        self.process = process

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "process": self.process,
            "pid": record.process,
            "message": scrub(record.getMessage(), self.secrets),
        }
        for key in CONTEXT_KEYS:
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info), self.secrets)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self, secrets: list[str], fmt: str | None = None) -> None:
        super().__init__(fmt or "[%(asctime)s: %(levelname)s/%(processName)s] %(name)s: %(message)s")
        self.secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        context = " ".join(
            f"{k}={getattr(record, k)}" for k in ("job_id", "poster_id") if getattr(record, k, None)
        )
        line = super().format(record)
        return scrub(f"{line} [{context}]" if context else line, self.secrets)


def formatter(log_format: str, secrets: list[str], process: str, fmt: str | None = None) -> logging.Formatter:
    return JsonFormatter(secrets, process) if log_format == "json" else TextFormatter(secrets, fmt)


def configure(process: str, level: int = logging.INFO) -> None:
    """Root logger to stderr with our formatter (API, CLI); idempotent."""
    from app.settings import ConfigError, get

    try:
        settings = get()
        log_format, secrets = settings.log_format, settings.secrets()
    except ConfigError:
        log_format, secrets = "text", []
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, "_posterx", False):
            return
    handler = logging.StreamHandler(sys.stderr)
    handler._posterx = True  # type: ignore[attr-defined]
    handler.setFormatter(formatter(log_format, secrets, process))
    root.addHandler(handler)
    root.setLevel(level)


def restyle(logger: logging.Logger, process: str) -> None:
    """Put our formatter on handlers someone else set up (Celery's, gunicorn's)."""
    from app.settings import ConfigError, get

    try:
        settings = get()
    except ConfigError:
        return
    if settings.log_format != "json":
        return  # text: keep Celery's and gunicorn's own layouts
    for handler in logger.handlers:
        handler.setFormatter(JsonFormatter(settings.secrets(), process))
