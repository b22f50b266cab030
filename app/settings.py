"""Configuration, read once from the environment (and a `.env` file, if present).

Every variable the service reads is declared here, so the README's table can be checked
against one place. A missing required variable is a start-up error naming that variable,
never a failure deep inside a request.

This is the one configuration source of every process: the API, the CLI, `make run`, and Celery
beat and workers (celeryconfig.py builds Celery's settings from `get_or_exit()`). `.env` is read
the same way for all of them: from the working directory, never overriding the environment.
"""

from __future__ import annotations

import ipaddress
import os
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

REQUIRED = ("DATABASE_URL", "BUNNY_STORAGE_ZONE", "BUNNY_ACCESS_KEY")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    bunny_storage_zone: str
    bunny_access_key: str = field(repr=False)
    bunny_region: str = ""
    bunny_storage_url: str = ""
    private_storage_url: str = ""
    poll_interval_seconds: float = 30.0
    poll_batch: int = 10
    claim_depth: int = 2
    port: int = 8000
    host: str = "0.0.0.0"
    redis_url: str = "redis://localhost:6379/0"
    job_pending_status: str = "pending-extraction"
    max_attempts: int = 3
    lease_seconds: int = 600
    flower_port: int = 5555
    service_db_schema: str = "posterx"
    max_file_mb: float = 50.0
    download_connect_timeout: float = 5.0
    download_read_timeout: float = 30.0
    download_retries: int = 4
    extraction_engine: str = "auto"
    extract_time_limit: int = 900
    api_key: str = field(default="", repr=False)
    cors_origins: str = "*"
    log_format: str = "text"
    api_url: str = ""
    flower_basic_auth: str = field(default="", repr=False)
    posterx_container: bool = False
    # The extraction's tunables (see `extract_options()`); empty strings mean the library's default.
    pdfalto_path: str = ""
    soffice_path: str = ""
    json_model_id: str = ""
    json_model_path: str = ""
    json_model_gguf_file: str = ""
    json_model_quant: str = ""
    llm_constrained: bool = True
    llm_max_new_tokens: int = 512
    llm_timeout_seconds: float = 120.0
    llm_prompt_chars: int = 4000

    @property
    def bunny_base_url(self) -> str:
        """Where Bunny Edge Storage answers: an explicit URL, a regional host, or the main one."""
        if self.bunny_storage_url:
            return self.bunny_storage_url.rstrip("/")
        if self.bunny_region:
            return f"https://{self.bunny_region}.storage.bunnycdn.com"
        return "https://storage.bunnycdn.com"

    @property
    def frontend_storage_url(self) -> str:
        """The frontend's NUXT_BUNNY_PRIVATE_STORAGE: the prefix of every `Poster.imageUrl` we write.

        Why a setting of its own: the frontend serves a thumbnail only when `imageUrl` starts with
        exactly its own storage URL, which may name another host than the one posterx reaches
        Bunny through (a regional endpoint, or a local look-alike in development).
        """
        if self.private_storage_url:
            return self.private_storage_url.rstrip("/")
        return f"{self.bunny_base_url}/{self.bunny_storage_zone}"

    def extract_options(self):
        """The `extraction.ExtractOptions` every extraction and thumbnail of the service runs with.

        Why here: the extraction library reads no environment; the service's configuration is
        read once, in this module, and handed to the library as one explicit value. A value the
        options refuse is a start-up error naming the variable (`load()` builds them once).
        """
        from extraction.options import ExtractOptions

        return ExtractOptions(
            engine=self.extraction_engine,
            max_file_mb=self.max_file_mb,
            pdfalto_path=self.pdfalto_path,
            soffice_path=self.soffice_path,
            model_id=self.json_model_id,
            model_path=self.json_model_path,
            model_gguf_file=self.json_model_gguf_file,
            model_quant=self.json_model_quant,
            llm_constrained=self.llm_constrained,
            llm_max_new_tokens=self.llm_max_new_tokens,
            llm_timeout_seconds=self.llm_timeout_seconds,
            llm_prompt_chars=self.llm_prompt_chars,
        )

    def secrets(self) -> list[str]:
        """Values that must never appear in a log line, an error or a health response."""
        flower_password = self.flower_basic_auth.partition(":")[2]
        out = [self.bunny_access_key, self.api_key, db_password(self.database_url), flower_password]
        return [s for s in out if s and len(s) >= 3]


def db_password(url: str) -> str:
    m = re.match(r"^[a-z0-9+]+://[^:/@]+:([^@]*)@", url)
    return m.group(1) if m else ""


def scrub(text: str, secrets: list[str] | None = None) -> str:
    """Replace every known secret, and any URL password, by '***'."""
    if secrets is None:
        try:
            secrets = get().secrets()
        except ConfigError:
            secrets = []
    for s in secrets:
        text = text.replace(s, "***")
    return re.sub(r"(://[^:/@\s]+:)[^@\s]+@", r"\1***@", text)


def _num(env: dict[str, str], name: str, default: float, kind=float):
    raw = env.get(name, "")
    if raw.strip() == "":
        return default
    try:
        return kind(raw)
    except ValueError as exc:
        raise ConfigError(f"setting {name} must be a number, got {raw!r}") from exc


ENGINES = ("layout", "hybrid", "auto")
# URLs a container must not be given: inside a container the loopback address is the container
# itself, not the host where `make run`'s PostgreSQL, Redis or development storage listen.
CONTAINER_URLS = ("DATABASE_URL", "REDIS_URL", "BUNNY_STORAGE_URL")


def is_loopback(host: str | None) -> bool:
    """Whether a URL's host is this machine: localhost, 127.0.0.0/8, ::1 (or 0.0.0.0)."""
    if not host:
        return False
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _check_container_urls(env: dict[str, str]) -> None:
    """In a container (POSTERX_CONTAINER=1, set by docker-compose.yml), refuse a loopback URL.

    Why: `.env` is written for `make run`, where 127.0.0.1 is the host. A container given the same
    value would talk to itself and fail later, job by job, with "connection refused".
    """
    for name in CONTAINER_URLS:
        value = env.get(name, "").strip()
        if value and is_loopback(urlsplit(value).hostname):
            hint = (
                "use http://storage:9000 (docker compose --profile dev) or leave it empty for Bunny"
                if name == "BUNNY_STORAGE_URL"
                else "use the compose service or a host the container can reach"
            )
            raise ConfigError(
                f"setting {name} points at {urlsplit(value).hostname}, which inside a container is the "
                f"container itself; {hint}"
            )


def _flag(env: dict[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def dotenv_path() -> Path:
    """The `.env` every process reads: the one in the working directory (as the README says)."""
    return Path.cwd() / ".env"


def load(env: dict[str, str] | None = None) -> Settings:
    """Build settings from `env` (default: os.environ after loading ./.env into it).

    `.env` is loaded into os.environ, without overriding what is set, so that child processes
    (`make run`'s) and libraries that read their own variables see the same values.
    """
    if env is None:
        from dotenv import load_dotenv

        if dotenv_path().is_file():
            load_dotenv(dotenv_path(), override=False)
        env = dict(os.environ)
    missing = [name for name in REQUIRED if not env.get(name, "").strip()]
    if missing:
        raise ConfigError(f"missing required setting {missing[0]} (set it in the environment or in .env)")
    engine = (env.get("EXTRACTION_ENGINE", "") or "auto").strip().lower()
    if engine not in ENGINES:
        raise ConfigError(f"setting EXTRACTION_ENGINE must be layout, hybrid or auto, got {engine!r}")
    in_container = _flag(env, "POSTERX_CONTAINER")
    if in_container:
        _check_container_urls(env)
    limit = _num(env, "EXTRACT_TIME_LIMIT", 900, int)
    if limit < 1:
        raise ConfigError(f"setting EXTRACT_TIME_LIMIT must be a positive number of seconds, got {limit}")
    interval = _num(env, "POLL_INTERVAL_SECONDS", 30.0)
    if interval <= 0:
        raise ConfigError(f"setting POLL_INTERVAL_SECONDS must be positive, got {interval:g}")
    max_mb = _num(env, "MAX_FILE_MB", 50.0)
    if max_mb <= 0:
        raise ConfigError(f"setting MAX_FILE_MB must be positive, got {max_mb:g}")
    for name in ("POLL_BATCH", "CLAIM_DEPTH"):
        if _num(env, name, 1, int) < 1:
            raise ConfigError(f"setting {name} must be at least 1, got {env[name]!r}")
    settings = Settings(
        database_url=env["DATABASE_URL"].strip(),
        bunny_storage_zone=env["BUNNY_STORAGE_ZONE"].strip(),
        bunny_access_key=env["BUNNY_ACCESS_KEY"].strip(),
        bunny_region=env.get("BUNNY_REGION", "").strip(),
        bunny_storage_url=env.get("BUNNY_STORAGE_URL", "").strip(),
        private_storage_url=env.get("PRIVATE_STORAGE_URL", "").strip(),
        poll_interval_seconds=interval,
        poll_batch=_num(env, "POLL_BATCH", 10, int),
        claim_depth=_num(env, "CLAIM_DEPTH", 2, int),
        port=_num(env, "PORT", 8000, int),
        host=env.get("HOST", "0.0.0.0") or "0.0.0.0",
        redis_url=env.get("REDIS_URL", "redis://localhost:6379/0") or "redis://localhost:6379/0",
        job_pending_status=env.get("JOB_PENDING_STATUS", "") or "pending-extraction",
        max_attempts=_num(env, "MAX_ATTEMPTS", 3, int),
        lease_seconds=_num(env, "LEASE_SECONDS", 600, int),
        flower_port=_num(env, "FLOWER_PORT", 5555, int),
        service_db_schema=env.get("SERVICE_DB_SCHEMA", "posterx") or "posterx",
        max_file_mb=max_mb,
        download_connect_timeout=_num(env, "DOWNLOAD_CONNECT_TIMEOUT", 5.0),
        download_read_timeout=_num(env, "DOWNLOAD_READ_TIMEOUT", 30.0),
        download_retries=_num(env, "DOWNLOAD_RETRIES", 4, int),
        extraction_engine=engine,
        extract_time_limit=limit,
        api_key=env.get("API_KEY", ""),
        cors_origins=env.get("CORS_ORIGINS", "*") or "*",
        log_format=env.get("LOG_FORMAT", "text") or "text",
        api_url=env.get("API_URL", "").strip(),
        flower_basic_auth=env.get("FLOWER_BASIC_AUTH", "").strip(),
        posterx_container=in_container,
        **_extraction_settings(env),
    )
    try:
        settings.extract_options()
    except ValueError as exc:
        raise ConfigError(f"setting {_option_variable(str(exc))}") from exc
    return settings


# ExtractOptions field → the variable that sets it, for start-up errors.
_OPTION_VARIABLES = {
    "max_file_mb": "MAX_FILE_MB",
    "llm_max_new_tokens": "LLM_MAX_NEW_TOKENS",
    "llm_timeout_seconds": "LLM_TIMEOUT_SECONDS",
    "llm_prompt_chars": "LLM_PROMPT_CHARS",
}


def _option_variable(message: str) -> str:
    for field_name, variable in _OPTION_VARIABLES.items():
        message = message.replace(f"extraction option {field_name} ", f"{variable} ")
    return message


def _extraction_settings(env: dict[str, str]) -> dict:
    """The extraction's variables (the same names and meanings as the `posterx` extraction
    commands read in extraction/cli.py; tests/extraction/test_options.py checks they agree)."""
    from extraction.options import parse_flag

    return dict(
        pdfalto_path=env.get("PDFALTO_PATH", "").strip(),
        soffice_path=env.get("SOFFICE_PATH", "").strip(),
        json_model_id=env.get("JSON_MODEL_ID", "").strip(),
        json_model_path=env.get("JSON_MODEL_PATH", "").strip(),
        json_model_gguf_file=env.get("JSON_MODEL_GGUF_FILE", "").strip(),
        json_model_quant=env.get("JSON_MODEL_QUANT", "").strip().lower(),
        llm_constrained=parse_flag(env.get("LLM_CONSTRAINED", "")),
        llm_max_new_tokens=_num(env, "LLM_MAX_NEW_TOKENS", 512, int),
        llm_timeout_seconds=_num(env, "LLM_TIMEOUT_SECONDS", 120.0),
        llm_prompt_chars=_num(env, "LLM_PROMPT_CHARS", 4000, int),
    )


@lru_cache(maxsize=1)
def get() -> Settings:
    """The process-wide settings, loaded on first use."""
    return load()


def get_or_exit(status: int = 2) -> Settings:
    """The settings, or one clear line on stderr and exit with `status` (2 by default).

    Every entry point (API, CLI, `make run`, development storage, Celery beat and workers through
    celeryconfig.py) starts with this, so a bad configuration reads the same everywhere. gunicorn
    passes 4 (its "app failed to load"), so its master stops instead of respawning workers forever.
    """
    try:
        return get()
    except ConfigError as exc:
        print(f"posterx: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(status) from None
