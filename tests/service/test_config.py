"""One configuration source for every process, observed on real beat and worker processes.

Each process runs in a directory that holds only a `.env`; none of the settings is exported. What
the processes really use is read back from them: beat's ticks in its log, the worker's pool time
limits and broker options through `celery inspect`, and the queues its heartbeat names.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from app.settings import Settings
from tests.support import ACCESS_KEY, Proc, RedisServer, beat_cmd, bin_path, service_env, wait_for, worker_cmd

pytestmark = pytest.mark.e2e

SETTING_NAMES = {f.name.upper() for f in dataclasses.fields(Settings)} | {"POSTERX_CONTAINER"}


def _bare_env() -> dict[str, str]:
    """The environment with no posterx setting in it: the processes must find them in .env."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in SETTING_NAMES and not k.startswith(("POSTERX_", "CELERY"))
    }
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _celery(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([bin_path("celery"), "-A", "tasks", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=90)  # fmt: skip


def _inspect(what: str, node: str, cwd: Path, env: dict[str, str]) -> dict:
    res = _celery(["inspect", what, "-d", node, "--json", "--timeout", "10"], cwd, env)
    assert res.returncode == 0, res.stdout + res.stderr
    return json.loads(res.stdout)[node]


def _tick_times(log: str) -> list[datetime]:
    stamps = re.findall(r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): INFO/MainProcess\] Scheduler: Sending due task "
                        r"poll-pending-jobs", log)  # fmt: skip
    return [datetime.strptime(s, "%Y-%m-%d %H:%M:%S,%f") for s in stamps]


def test_beat_and_worker_use_the_dotenv_of_their_directory(tmp_path, database_url, redis_server, bunny):
    (tmp_path / ".env").write_text(
        f"DATABASE_URL={database_url}\nREDIS_URL={redis_server.url}\nBUNNY_STORAGE_ZONE={bunny.zone}\n"
        f"BUNNY_ACCESS_KEY={ACCESS_KEY}\nBUNNY_STORAGE_URL={bunny.url}\nEXTRACTION_ENGINE=layout\n"
        "POLL_INTERVAL_SECONDS=3\nEXTRACT_TIME_LIMIT=100\n"
    )
    env = _bare_env()
    node = f"cfg-{os.getpid()}@{os.uname().nodename}"
    worker = Proc("cfg-worker", [*worker_cmd("x")[:-2], "-n", node], env, tmp_path, cwd=tmp_path)
    beat = Proc("cfg-beat", beat_cmd(tmp_path / "celerybeat-schedule"), env, tmp_path, cwd=tmp_path)
    try:
        # Beat: ticks three seconds apart (the default would be 30 s).
        ticks = wait_for(lambda: (t := _tick_times(beat.output())) and len(t) >= 3 and t, 40,
                         what="three beat ticks")  # fmt: skip
        gaps = [(b - a).total_seconds() for a, b in zip(ticks, ticks[1:], strict=False)]
        assert all(2.0 <= g <= 4.5 for g in gaps), gaps

        # Worker: the pool enforces the limits of EXTRACT_TIME_LIMIT=100 (soft 30 s earlier).
        wait_for(lambda: "ready." in worker.output(), 60, what="the worker to be ready")
        stats = _inspect("stats", node, tmp_path, env)
        assert stats["pool"]["timeouts"] == [70, 100]
        conf = _inspect("conf", node, tmp_path, env)
        assert conf["task_time_limit"] == 100 and conf["task_soft_time_limit"] == 70
        assert conf["broker_transport_options"]["visibility_timeout"] == 700
        assert conf["beat_schedule"]["poll-pending-jobs"]["schedule"] == 3.0
    finally:
        beat.stop()
        worker.stop()


def test_a_process_with_a_bad_dotenv_stops_with_one_line(tmp_path):
    (tmp_path / ".env").write_text("DATABASE_URL=postgresql://x@db/x\nBUNNY_ACCESS_KEY=k\n")
    for args in (["worker", "-Q", "gpu,poll", "--loglevel=INFO"], ["beat", "-s", str(tmp_path / "s")]):
        res = _celery(args, tmp_path, _bare_env())
        assert res.returncode == 2, (args, res.stdout, res.stderr)
        assert "posterx: missing required setting BUNNY_STORAGE_ZONE" in res.stderr, res.stderr


def _health(settings: Settings) -> tuple[int, dict]:
    from app.api import create_app

    resp = create_app(settings).test_client().get("/health")
    return resp.status_code, resp.get_json()


def test_heartbeats_name_the_queues_consumed_and_health_needs_gpu(tmp_path, settings, database_url, bunny):
    """A poll-only worker keeps /health unhealthy; once its consumer also takes `gpu`
    (`celery control add_consumer`), its heartbeat says so and /health is healthy."""
    redis = RedisServer().start()  # its own broker: no other test's worker heartbeats here
    env = service_env(database_url, redis.url, bunny)
    node = f"pollonly-{os.getpid()}@{os.uname().nodename}"
    worker = Proc("poll-only", [*worker_cmd("x", queues="poll")[:-2], "-n", node], env, tmp_path)
    here = replace(settings, redis_url=redis.url)
    client = redis.client()

    def reports() -> list[dict]:
        return [json.loads(client.get(k) or "{}") for k in client.scan_iter(match="posterx:worker:*")]

    try:
        wait_for(
            lambda: any(r.get("queues") == ["poll"] for r in reports()), 60, what="a poll-only heartbeat"
        )
        code, body = _health(here)
        assert code == 503 and body["status"] == "unhealthy", body
        assert body["checks"]["worker"] == "error: no worker consumes the gpu queue"
        assert body["checks"]["database"] == "ok" and body["checks"]["broker"] == "ok"

        res = _celery(["control", "add_consumer", "gpu", "-d", node, "--timeout", "10"], tmp_path, env)
        assert res.returncode == 0, res.stdout + res.stderr
        wait_for(lambda: any(r.get("queues") == ["gpu", "poll"] for r in reports()), 30,
                 what="a heartbeat naming gpu")  # fmt: skip
        code, body = _health(here)
        assert code == 200 and body["status"] == "healthy", body
    finally:
        worker.stop()
        redis.stop()
