"""docker-compose.yml: Compose accepts it, and it keeps the deployment promises made in issue 2.

There is no Docker engine on the development and CI machines, so nothing is built or started here.
`docker-compose config` validates and interpolates the file without an engine; the resolved YAML it
prints is then read to check what a reviewer would otherwise have to check by eye: healthchecks,
the broker's durability, the GPU worker's shape, Flower's login, beat's writable schedule, and that
the commands are the ones `make run` starts (app/run.py), so the two ways of running cannot drift.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "docker-compose.yml"

# The variables the file marks required (`${VAR:?...}`); test values only.
REQUIRED_ENV = {
    "FLOWER_BASIC_AUTH": "admin:compose-test-password",
    "BUNNY_STORAGE_ZONE": "compose-test-zone",
    "BUNNY_ACCESS_KEY": "compose-test-access-key",
}
ONE_SHOT = {"init"}


def _compose_command() -> list[str] | None:
    """Debian's docker-compose v1 (what CI installs), else the `docker compose` plugin if it works."""
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=60)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


COMPOSE = _compose_command()
needs_compose = pytest.mark.skipif(
    COMPOSE is None,
    reason="neither `docker-compose` nor `docker compose` is installed (apt-get install docker-compose)",
)


def _run_config(
    tmp_dir: Path, env: dict[str, str], *args: str, dotenv: str = "", profile: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run `config` hermetically: only `env`, and `dotenv` (default empty) as the .env file instead of
    a developer's."""
    assert COMPOSE is not None
    env_file = tmp_dir / "compose.env"
    env_file.write_text(dotenv)
    full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_dir), **env}
    profiles = ["--profile", profile] if profile else []
    cmd = [*COMPOSE, "--env-file", str(env_file), *profiles, "-f", str(COMPOSE_FILE), "config", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=full_env, cwd=REPO, timeout=120)


@pytest.fixture(scope="module")
def resolved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The file as Compose resolves it (anchors merged, variables interpolated with defaults)."""
    yaml = pytest.importorskip("yaml", reason="PyYAML is needed to read the resolved compose file")
    if COMPOSE is None:
        pytest.skip(
            "neither `docker-compose` nor `docker compose` is installed (apt-get install docker-compose)"
        )
    proc = _run_config(tmp_path_factory.mktemp("compose"), REQUIRED_ENV)
    assert proc.returncode == 0, proc.stderr
    return yaml.safe_load(proc.stdout)


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    """The file as written (variables not interpolated): where a hardcoded secret would show."""
    yaml = pytest.importorskip("yaml", reason="PyYAML is needed to read the compose file")
    return yaml.safe_load(COMPOSE_FILE.read_text())


def _services(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return doc["services"]


def _seconds(duration: str | int | float) -> float:
    """Compose durations ('16m', '1m30s', '960s', '16m0s') in seconds."""
    if isinstance(duration, int | float):
        return float(duration)
    parts = re.findall(r"(\d+(?:\.\d+)?)(h|ms|us|m|s)", duration)
    assert parts, f"not a duration: {duration!r}"
    scale = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, "us": 0.000001}
    return sum(float(n) * scale[u] for n, u in parts)


def _command(service: dict[str, Any]) -> list[str]:
    cmd = service["command"]
    return cmd.split() if isinstance(cmd, str) else [str(c) for c in cmd]


def _healthcheck_text(service: dict[str, Any]) -> str:
    test = service["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(str(t) for t in test)


def _run_py_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """What `make run` starts; app/run.py creates var/ in the working directory, so run it in tmp."""
    from app import run

    monkeypatch.chdir(tmp_path)
    return run.commands(SimpleNamespace(host="127.0.0.1", port=8000, flower_port=5555, bunny_storage_url=""))


def _after(cmd: list[str], word: str) -> list[str]:
    """The arguments from the Celery subcommand on (`-A tasks` and `-A tasks.celery` name one app)."""
    return cmd[cmd.index(word) :]


@needs_compose
def test_compose_config_accepts_the_file(tmp_path: Path) -> None:
    proc = _run_config(tmp_path, REQUIRED_ENV, "-q")
    assert proc.returncode == 0, proc.stderr


@needs_compose
def test_flower_password_is_required(tmp_path: Path) -> None:
    env = {k: v for k, v in REQUIRED_ENV.items() if k != "FLOWER_BASIC_AUTH"}
    proc = _run_config(tmp_path, env, "-q")
    assert proc.returncode != 0
    assert "FLOWER_BASIC_AUTH" in proc.stderr


def test_every_long_running_service_has_a_healthcheck(resolved: dict[str, Any]) -> None:
    services = _services(resolved)
    assert {"postgres", "redis", "init", "api", "beat", "gpu-worker", "flower"} <= set(services)
    for name, service in services.items():
        if name in ONE_SHOT:
            assert str(service.get("restart", "no")) == "no", name
            continue
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"


def test_postgres_and_redis(resolved: dict[str, Any]) -> None:
    services = _services(resolved)
    assert services["postgres"]["image"] == "postgres:16"
    assert "pg_isready" in _healthcheck_text(services["postgres"])
    assert services["postgres"].get("volumes")

    redis = services["redis"]
    assert redis["image"] == "redis:7"
    cmd = _command(redis)
    assert cmd[cmd.index("--maxmemory-policy") + 1] == "noeviction"
    assert cmd[cmd.index("--appendonly") + 1] == "yes"
    assert "ping" in _healthcheck_text(redis)
    assert any(str(v).split(":")[1].startswith("/data") for v in _volume_strings(redis))


def _volume_strings(service: dict[str, Any]) -> list[str]:
    """Volumes as 'source:target[:mode]', whether Compose printed the short or the long syntax."""
    out = []
    for v in service.get("volumes", []):
        if isinstance(v, str):
            out.append(v)
        else:
            mode = ":ro" if v.get("read_only") else ""
            out.append(f"{v.get('source', '')}:{v['target']}{mode}")
    return out


def test_api_runs_gunicorn_after_db_init(resolved: dict[str, Any]) -> None:
    services = _services(resolved)
    assert _command(services["init"]) == ["posterx", "db", "init"]
    api = services["api"]
    cmd = _command(api)
    assert cmd[0] == "gunicorn" and cmd[-1] == "app.wsgi:app"
    assert cmd[cmd.index("-b") + 1] == f"0.0.0.0:{api['environment']['PORT']}"
    assert "/up" in _healthcheck_text(api)
    deps = api["depends_on"]
    assert deps["init"]["condition"] == "service_completed_successfully"
    assert deps["postgres"]["condition"] == "service_healthy"
    assert deps["redis"]["condition"] == "service_healthy"


def test_beat_has_a_writable_schedule_volume(resolved: dict[str, Any]) -> None:
    beat = _services(resolved)["beat"]
    cmd = _command(beat)
    schedule_dir = str(Path(cmd[cmd.index("-s") + 1]).parent)
    mounts = [v.split(":") for v in _volume_strings(beat)]
    match = [m for m in mounts if m[1] == schedule_dir]
    assert match, f"no volume at {schedule_dir}"
    assert "ro" not in match[0][2:], "beat's schedule volume must be writable"
    assert match[0][0] in resolved.get("volumes", {}), "the schedule should live in a named volume"


def test_gpu_worker_shape(resolved: dict[str, Any]) -> None:
    worker = _services(resolved)["gpu-worker"]
    cmd = _command(worker)
    assert cmd[cmd.index("-c") + 1] == "1"
    assert cmd[cmd.index("-P") + 1] == "prefork"
    assert cmd[cmd.index("-Q") + 1] == "gpu,poll"

    devices = worker["deploy"]["resources"]["reservations"]["devices"]
    nvidia = [d for d in devices if d.get("driver") == "nvidia"]
    assert nvidia and "gpu" in nvidia[0]["capabilities"]
    assert int(nvidia[0].get("count", 0)) == 1 or len(nvidia[0].get("device_ids", [])) == 1

    env = worker["environment"]
    limit = float(env["EXTRACT_TIME_LIMIT"])
    assert _seconds(worker["stop_grace_period"]) > limit, "a running extraction must be allowed to finish"
    assert str(env["HF_HUB_OFFLINE"]) == "1"
    model_mounts = [v.split(":") for v in _volume_strings(worker)]
    assert [env["JSON_MODEL_PATH"], "ro"] in [m[1:3] for m in model_mounts], "model must be mounted read-only"
    assert "inspect ping" in _healthcheck_text(worker)


def test_flower_requires_basic_auth(resolved: dict[str, Any]) -> None:
    flower = _services(resolved)["flower"]
    assert flower["environment"]["FLOWER_BASIC_AUTH"] == REQUIRED_ENV["FLOWER_BASIC_AUTH"]
    # The password reaches Flower through its environment, not its command line (visible in `ps`).
    assert REQUIRED_ENV["FLOWER_BASIC_AUTH"] not in " ".join(_command(flower))
    assert _after(_command(flower), "flower")[0] == "flower"


def test_commands_match_make_run(
    resolved: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = _run_py_commands(tmp_path, monkeypatch)
    services = _services(resolved)
    assert _after(_command(services["gpu-worker"]), "worker") == _after(local["worker"], "worker")
    compose_beat = _after(_command(services["beat"]), "beat")
    local_beat = _after(local["beat"], "beat")
    # Same arguments; only the schedule's path differs (var/ locally, a volume in Compose).
    assert [a for i, a in enumerate(compose_beat) if i != compose_beat.index("-s") + 1] == [
        a for i, a in enumerate(local_beat) if i != local_beat.index("-s") + 1
    ]
    api = _command(services["api"])
    assert api[api.index("-w") :] == local["api"][local["api"].index("-w") :]


def test_no_secret_is_written_in_the_file(raw: dict[str, Any]) -> None:
    secretish = re.compile(r"PASSWORD|ACCESS_KEY|API_KEY|BASIC_AUTH|SECRET|TOKEN")

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if secretish.search(str(key)) and isinstance(value, str) and value:
                    assert value.startswith("${"), f"{path}.{key} is hardcoded"
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{path}[{i}]")

    walk(raw, "")


# The services that run posterx's own code (app/settings.py reads their environment).
POSTERX_SERVICES = {"init", "api", "beat", "gpu-worker", "flower", "storage", "worker"}
DEV_PROFILE = {"storage", "worker"}


def test_every_posterx_container_is_marked_and_gets_the_whole_configuration(resolved: dict[str, Any]) -> None:
    """Beat and flower load the same settings as the API now (celeryconfig.py): each container gets
    the required variables, and POSTERX_CONTAINER=1 turns on the loopback guard."""
    services = _services(resolved)
    assert set(services) >= POSTERX_SERVICES
    for name in POSTERX_SERVICES:
        env = services[name]["environment"]
        assert str(env["POSTERX_CONTAINER"]) == "1", name
        for key in ("DATABASE_URL", "REDIS_URL", "BUNNY_STORAGE_ZONE", "BUNNY_ACCESS_KEY", "EXTRACT_TIME_LIMIT",
                    "POLL_INTERVAL_SECONDS"):  # fmt: skip
            assert env.get(key), f"{name} lacks {key}"
        assert env["REDIS_URL"] == "redis://redis:6379/0"


def test_dev_profile_is_a_local_stack(resolved: dict[str, Any]) -> None:
    services = _services(resolved)
    for name, service in services.items():
        assert (service.get("profiles") == ["dev"]) == (name in DEV_PROFILE), name
    storage = services["storage"]
    cmd = _command(storage)
    assert cmd[:3] == ["python", "-m", "app.devstorage"]
    assert cmd[cmd.index("--host") + 1] == "0.0.0.0" and cmd[cmd.index("--port") + 1] == "9000"
    root = cmd[cmd.index("--root") + 1]
    mounts = [v.split(":") for v in _volume_strings(storage)]
    assert any(root.startswith(m[1]) and m[0] in resolved["volumes"] for m in mounts), (
        "storage needs a volume"
    )
    worker = services["worker"]
    assert worker["environment"]["EXTRACTION_ENGINE"] == "layout"
    assert "deploy" not in worker, "the dev worker needs no GPU"
    wcmd = _command(worker)
    assert wcmd[wcmd.index("-Q") + 1] == "gpu,poll"


@needs_compose
def test_dev_profile_config_is_accepted_and_its_storage_url_passes(tmp_path: Path) -> None:
    from app.settings import load

    yaml = pytest.importorskip("yaml")
    proc = _run_config(
        tmp_path, REQUIRED_ENV, dotenv="BUNNY_STORAGE_URL=http://storage:9000\n", profile="dev"
    )
    assert proc.returncode == 0, proc.stderr
    services = yaml.safe_load(proc.stdout)["services"]
    for name in POSTERX_SERVICES:
        env = {k: str(v) for k, v in services[name]["environment"].items()}
        assert load(env).bunny_base_url == "http://storage:9000", name


def _refusal(tmp_path: Path, dotenv: str, service: str) -> subprocess.CompletedProcess[str]:
    """Run `service`'s own command, here, with the environment Compose resolves for it from `dotenv`.

    The container would fail the same way: the command stops while loading its settings, before it
    connects to anything."""
    yaml = pytest.importorskip("yaml")
    proc = _run_config(tmp_path, REQUIRED_ENV, dotenv=dotenv)
    assert proc.returncode == 0, proc.stderr
    resolved_service = yaml.safe_load(proc.stdout)["services"][service]
    env = {k: str(v) for k, v in resolved_service["environment"].items()}
    bin_dir = Path(sys.executable).parent
    env.update(PATH=f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}", HOME=str(tmp_path))
    cmd = _command(resolved_service)
    cmd = [str(bin_dir / cmd[0]) if (bin_dir / cmd[0]).exists() else cmd[0], *cmd[1:]]
    if "beat" in cmd:  # the image's schedule directory does not exist here
        cmd[cmd.index("-s") + 1] = str(tmp_path / "celerybeat-schedule")
    return subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


@needs_compose
@pytest.mark.parametrize(
    ("dotenv", "service", "named"),
    [
        ("BUNNY_STORAGE_URL=http://127.0.0.1:9000\n", "init", "BUNNY_STORAGE_URL"),
        ("BUNNY_STORAGE_URL=http://localhost:9000\n", "beat", "BUNNY_STORAGE_URL"),
        ("POSTGRES_HOST=localhost\n", "init", "DATABASE_URL"),
        ("POSTGRES_HOST=127.0.0.1\n", "api", "DATABASE_URL"),
    ],
)
def test_a_loopback_dotenv_is_refused_in_the_containers(
    tmp_path: Path, dotenv: str, service: str, named: str
):
    res = _refusal(tmp_path, dotenv, service)
    assert res.returncode != 0
    assert f"posterx: setting {named} points at" in res.stderr, res.stderr
    assert "inside a container is the container itself" in res.stderr


@needs_compose
def test_redis_and_database_urls_in_dotenv_never_reach_the_containers(tmp_path: Path) -> None:
    yaml = pytest.importorskip("yaml")
    dotenv = "REDIS_URL=redis://127.0.0.1:6379/0\nDATABASE_URL=postgresql://postgres@127.0.0.1:5432/posterx\n"
    proc = _run_config(tmp_path, REQUIRED_ENV, dotenv=dotenv)
    assert proc.returncode == 0, proc.stderr
    services = yaml.safe_load(proc.stdout)["services"]
    for name in POSTERX_SERVICES:
        env = services[name]["environment"]
        assert env["REDIS_URL"] == "redis://redis:6379/0", name
        assert "@postgres:5432/" in env["DATABASE_URL"], name
