"""Configuration, read once from the environment (and a `.env` file, if present).

Every variable the service reads is declared here, so the README's table can be checked
against one place. A missing required variable is a start-up error naming that variable,
never a failure deep inside a request.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache

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

    def secrets(self) -> list[str]:
        """Values that must never appear in a log line, an error or a health response."""
        out = [self.bunny_access_key, self.api_key, db_password(self.database_url)]
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


def load(env: dict[str, str] | None = None) -> Settings:
    """Build settings from `env` (default: os.environ after loading .env)."""
    if env is None:
        from dotenv import load_dotenv

        load_dotenv(override=False)
        env = dict(os.environ)
    missing = [name for name in REQUIRED if not env.get(name, "").strip()]
    if missing:
        raise ConfigError(f"missing required setting {missing[0]} (set it in the environment or in .env)")
    engine = env.get("EXTRACTION_ENGINE", "auto") or "auto"
    if engine not in ("layout", "hybrid", "auto"):
        raise ConfigError(f"setting EXTRACTION_ENGINE must be layout, hybrid or auto, got {engine!r}")
    for name in ("POLL_BATCH", "CLAIM_DEPTH"):
        if _num(env, name, 1, int) < 1:
            raise ConfigError(f"setting {name} must be at least 1, got {env[name]!r}")
    return Settings(
        database_url=env["DATABASE_URL"].strip(),
        bunny_storage_zone=env["BUNNY_STORAGE_ZONE"].strip(),
        bunny_access_key=env["BUNNY_ACCESS_KEY"].strip(),
        bunny_region=env.get("BUNNY_REGION", "").strip(),
        bunny_storage_url=env.get("BUNNY_STORAGE_URL", "").strip(),
        private_storage_url=env.get("PRIVATE_STORAGE_URL", "").strip(),
        poll_interval_seconds=_num(env, "POLL_INTERVAL_SECONDS", 30.0),
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
        max_file_mb=_num(env, "MAX_FILE_MB", 50.0),
        download_connect_timeout=_num(env, "DOWNLOAD_CONNECT_TIMEOUT", 5.0),
        download_read_timeout=_num(env, "DOWNLOAD_READ_TIMEOUT", 30.0),
        download_retries=_num(env, "DOWNLOAD_RETRIES", 4, int),
        extraction_engine=engine,
        extract_time_limit=_num(env, "EXTRACT_TIME_LIMIT", 900, int),
        api_key=env.get("API_KEY", ""),
        cors_origins=env.get("CORS_ORIGINS", "*") or "*",
        log_format=env.get("LOG_FORMAT", "text") or "text",
    )


@lru_cache(maxsize=1)
def get() -> Settings:
    """The process-wide settings, loaded on first use."""
    return load()


def exit_on_config_error(exc: ConfigError) -> None:
    """One clear line on stderr and exit status 2: what a start-up script shows the operator."""
    import sys

    print(f"posterx: {exc}", file=sys.stderr)
    raise SystemExit(2)
