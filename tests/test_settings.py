"""app/settings.py: the one configuration source, `.env` from the working directory, clear errors,
and the container guard against loopback URLs."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import settings as config

BASE = {
    "DATABASE_URL": "postgresql://u:pw@db:5432/x",
    "BUNNY_STORAGE_ZONE": "z",
    "BUNNY_ACCESS_KEY": "key-123",
}


def _clean_env() -> dict[str, str]:
    """The environment without any setting, so only what a test gives counts."""
    names = {f.name.upper() for f in dataclasses.fields(config.Settings)} | {"POSTERX_CONTAINER"}
    return {
        k: v for k, v in os.environ.items() if k not in names and not k.startswith(("POSTERX_", "CELERY"))
    }


def test_dotenv_in_the_working_directory_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "DATABASE_URL=postgresql://u:pw@db:5432/x\nBUNNY_STORAGE_ZONE=from-dotenv\nBUNNY_ACCESS_KEY=k-dotenv\n"
        "POLL_INTERVAL_SECONDS=7\nEXTRACT_TIME_LIMIT=100\nMAX_FILE_MB=12.5\n"
    )
    code = (
        "from app.settings import get_or_exit; s = get_or_exit(); "
        "print(s.bunny_storage_zone, s.poll_interval_seconds, s.extract_time_limit, s.max_file_mb)"
    )
    env = {**_clean_env(), "BUNNY_STORAGE_ZONE": "from-env"}
    res = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=60)  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["from-env", "7.0", "100", "12.5"]


def test_get_or_exit_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    res = subprocess.run([sys.executable, "-c", "from app.settings import get_or_exit; get_or_exit()"],
                         cwd=tmp_path, env=_clean_env(), capture_output=True, text=True, timeout=60)  # fmt: skip
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [
        "posterx: missing required setting DATABASE_URL (set it in the environment or in .env)"
    ]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("EXTRACTION_ENGINE", "gpt", "EXTRACTION_ENGINE must be layout, hybrid or auto"),
        ("MAX_FILE_MB", "fifty", "MAX_FILE_MB must be a number"),
        ("MAX_FILE_MB", "0", "MAX_FILE_MB must be positive"),
        ("EXTRACT_TIME_LIMIT", "0", "EXTRACT_TIME_LIMIT must be a positive number"),
        ("POLL_INTERVAL_SECONDS", "-1", "POLL_INTERVAL_SECONDS must be positive"),
    ],
)
def test_bad_values_name_the_setting(name: str, value: str, message: str) -> None:
    with pytest.raises(config.ConfigError, match=message):
        config.load({**BASE, name: value})


def test_engine_and_size_are_parsed_once_here() -> None:
    s = config.load({**BASE, "EXTRACTION_ENGINE": " Hybrid ", "MAX_FILE_MB": "20"})
    assert s.extraction_engine == "hybrid"
    assert s.max_file_mb == 20.0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BUNNY_STORAGE_URL", "http://127.0.0.1:9000"),
        ("REDIS_URL", "redis://localhost:6379/0"),
        ("DATABASE_URL", "postgresql://postgres:pw@127.0.0.1:5432/posterx"),
        ("DATABASE_URL", "postgresql://postgres@[::1]:5432/posterx"),
    ],
)
def test_a_container_refuses_loopback_urls(name: str, value: str) -> None:
    env = {**BASE, name: value}
    assert config.load(env)  # on the host (make run) these are fine
    with pytest.raises(config.ConfigError) as err:
        config.load({**env, "POSTERX_CONTAINER": "1"})
    assert f"setting {name} points at" in str(err.value)
    assert "inside a container is the container itself" in str(err.value)
    assert "pw" not in str(err.value)


def test_a_container_accepts_service_names() -> None:
    s = config.load({**BASE, "POSTERX_CONTAINER": "1", "REDIS_URL": "redis://redis:6379/0",
                     "BUNNY_STORAGE_URL": "http://storage:9000"})  # fmt: skip
    assert s.posterx_container and s.bunny_base_url == "http://storage:9000"


def test_flower_password_is_a_secret() -> None:
    s = config.load({**BASE, "FLOWER_BASIC_AUTH": "admin:flower-pw-77"})
    assert "flower-pw-77" in s.secrets()
    assert "flower-pw-77" not in repr(s)
    assert config.scrub("login admin:flower-pw-77", s.secrets()) == "login admin:***"
