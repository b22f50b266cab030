"""Fault injection with real processes: Celery workers and beat, a private Redis, PostgreSQL,
and the Bunny look-alike. Every test checks the same promises: each job ends `completed` or
`failed` with a clear error, none is stuck, none is written twice, and the worker goes on.

Fault hooks (inert in production): POSTERX_FAULT_SLEEP_SECONDS holds each extraction open so
a test can strike mid-run; POSTERX_FAULT_KILL_ON SIGKILLs the pool process whenever the job's
file name contains the marker (a poison job).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from app import broker, db, jobs
from app.db import attempts_table, extraction_job, poster
from tests.service.conftest import add_job, job_row, upload
from tests.support import (
    ACCESS_KEY,
    ALL_LOGS,
    DB_PASSWORD,
    REPO,
    PrivatePostgres,
    Proc,
    api_cmd,
    beat_cmd,
    free_port,
    service_env,
    wait_for,
    worker_cmd,
)

pytestmark = pytest.mark.faults

FINAL = ("completed", "failed")


@pytest.fixture
def cluster(env, settings, tmp_path):
    """Start workers and beat on demand (`cluster("worker", **env)`); all are stopped at the end."""
    started: list[Proc] = []

    def start(kind: str, **extra: str) -> Proc:
        e = {**env, **extra}
        n = len(started)
        if kind == "worker":
            p = Proc("worker", worker_cmd(f"w{n}"), e, tmp_path)
            wait_for(lambda: "ready." in p.output(), 60, what="the worker to be ready")
        elif kind == "beat":
            p = Proc("beat", beat_cmd(tmp_path / f"beat-{n}"), e, tmp_path)
        else:
            port = free_port()
            p = Proc("api", api_cmd(port), {**e, "PORT": str(port)}, tmp_path)
            p.url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
            wait_for(lambda: requests.get(p.url + "/", timeout=1).ok, 30, what="api")  # type: ignore[attr-defined]
        started.append(p)
        return p

    yield start
    for p in started:
        p.stop()


def attempts(eng, job_id: str) -> list:
    att = attempts_table()
    with eng.connect() as conn:
        return conn.execute(sa.select(att).where(att.c.job_id == job_id).order_by(att.c.id)).all()


def starts(eng, job_id: str) -> int:
    return sum(a.starts for a in attempts(eng, job_id))


def writes(eng, job_id: str) -> int:
    return sum(1 for a in attempts(eng, job_id) if a.metadata_written)


def wait_end(eng, job_id: str, timeout: float = 90, procs: list[Proc] | None = None):
    try:
        return wait_for(
            lambda: (j := job_row(eng, job_id)).status in FINAL and j, timeout, what=f"job {job_id}"
        )
    except AssertionError:
        logs = "\n".join(p.output()[-2500:] for p in procs or [])
        raise AssertionError(
            f"job {job_id} did not end: {job_row(eng, job_id)}\n{attempts(eng, job_id)}\n{logs}"
        ) from None


def assert_completed_once(eng, job_id: str, procs: list[Proc] | None = None, timeout: float = 90):
    row = wait_end(eng, job_id, timeout, procs)
    assert row.status == "completed", f"{row.error} / {attempts(eng, job_id)}"
    assert row.completed is True and row.error is None
    assert writes(eng, job_id) == 1, attempts(eng, job_id)
    return row


def pool_children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def new_job(eng, bunny, data: bytes, name: str = "poster.pdf") -> str:
    job_id, poster_id = add_job(eng, file_name=name)
    upload(bunny, poster_id, data, name)
    return job_id


# 1. Pool process SIGKILLed mid-extraction; whole worker SIGKILLed and replaced.


def test_pool_process_killed_mid_extraction_completes_exactly_once(cluster, eng, bunny, sample_pdf):
    job = new_job(eng, bunny, sample_pdf)
    worker = cluster("worker", POSTERX_FAULT_SLEEP_SECONDS="3")
    cluster("beat")
    wait_for(lambda: starts(eng, job) >= 1, 30, what="the extraction to start")
    killed_at = time.time()
    (child,) = pool_children(worker.pid)
    os.kill(child, signal.SIGKILL)
    assert_completed_once(eng, job, [worker])
    assert starts(eng, job) == 2  # the killed run, then the redelivered one
    print(f"\nFAULT pool-kill: 1 job, completed once, recovered in {time.time() - killed_at:.1f} s")


def test_whole_worker_killed_then_replaced(cluster, eng, bunny, sample_pdf):
    job = new_job(eng, bunny, sample_pdf)
    first = cluster("worker", POSTERX_FAULT_SLEEP_SECONDS="3")
    cluster("beat")
    wait_for(lambda: starts(eng, job) >= 1, 30, what="the extraction to start")
    killed_at = time.time()
    os.killpg(first.pid, signal.SIGKILL)
    first.proc.wait(10)
    second = cluster("worker")
    assert_completed_once(eng, job, [first, second], timeout=120)
    states = [a.state for a in attempts(eng, job)]
    assert states[0] == "lost" and states[-1] == "completed", states
    print(f"\nFAULT worker-kill: 1 job, completed once on a new worker after {time.time() - killed_at:.1f} s")


# 2. Redis flushed, and restarted, while jobs are claimed and queued.


@pytest.mark.parametrize("how", ["flush", "restart"])
def test_redis_loses_queued_messages(how, cluster, eng, bunny, sample_pdf, redis_server):
    ids = [new_job(eng, bunny, sample_pdf, f"p{i}.pdf") for i in range(3)]
    worker = cluster("worker", POSTERX_FAULT_SLEEP_SECONDS="2")
    beat = cluster("beat")
    wait_for(lambda: starts(eng, ids[0]) >= 1, 30, what="the first extraction to start")
    struck = time.time()
    if how == "flush":
        redis_server.client().flushall()
    else:
        redis_server.stop()
        time.sleep(1)
        redis_server.start()
    for job in ids:
        assert_completed_once(eng, job, [worker, beat], timeout=150)
    lost = sum(a.state == "lost" for job in ids for a in attempts(eng, job))
    print(f"\nFAULT redis-{how}: 3 jobs, all completed once, {lost} lost attempts reclaimed, "
          f"last done {time.time() - struck:.1f} s after the fault")  # fmt: skip


# 4. Bunny failures, seen through the worker.


def test_storage_failures_end_each_job_clearly(cluster, eng, bunny, sample_pdf):
    flaky = new_job(eng, bunny, sample_pdf, "flaky.pdf")
    stall = new_job(eng, bunny, sample_pdf, "stall.pdf")
    cut = new_job(eng, bunny, sample_pdf, "cut.pdf")
    missing, _ = add_job(eng, file_name="missing.pdf")
    denied = new_job(eng, bunny, sample_pdf, "denied.pdf")
    for job, actions in ((flaky, [503, 503]), (stall, ["stall:3"]), (cut, ["cut"]), (denied, [401])):
        row = job_row(eng, job)
        bunny.fail[f"{row.filePath}/{row.fileName}"] = actions
    worker = cluster("worker")
    cluster("beat")
    for job in (flaky, stall, cut):
        assert_completed_once(eng, job, [worker])
    row = wait_end(eng, missing)
    assert row.status == "failed" and "file not found in storage: uploads/" in row.error
    row = wait_end(eng, denied)
    assert row.status == "failed" and "storage rejected the access key" in row.error
    assert ACCESS_KEY not in row.error


def test_storage_connection_refused_fails_with_message(cluster, eng, bunny, sample_pdf):
    job = new_job(eng, bunny, sample_pdf)
    worker = cluster("worker", BUNNY_STORAGE_URL=f"http://127.0.0.1:{free_port()}")
    cluster("beat")
    row = wait_end(eng, job, procs=[worker])
    assert row.status == "failed"
    assert "could not connect to storage" in row.error and "gave up after" in row.error, row.error


# 5. The poster row is deleted mid-run.


def test_poster_deleted_mid_run_is_dropped_and_worker_goes_on(cluster, eng, bunny, sample_pdf):
    doomed = new_job(eng, bunny, sample_pdf, "doomed.pdf")
    worker = cluster("worker", POSTERX_FAULT_SLEEP_SECONDS="2")
    cluster("beat")
    wait_for(lambda: starts(eng, doomed) >= 1, 30, what="the extraction to start")
    poster_id = job_row(eng, doomed).posterId
    with eng.begin() as conn:
        conn.execute(poster.delete().where(poster.c.id == poster_id))  # cascades to the job
    after = new_job(eng, bunny, sample_pdf, "after.pdf")
    assert_completed_once(eng, after, [worker])
    assert job_row(eng, doomed) is None
    assert not any(a.metadata_written for a in attempts(eng, doomed))
    assert worker.proc.poll() is None


# 6. Load: many jobs, racing pollers, beat running.


def test_load_each_job_done_exactly_once(cluster, eng, bunny, sample_pdf, settings):
    n = int(os.environ.get("POSTERX_LOAD_JOBS", "300"))
    ids = [new_job(eng, bunny, sample_pdf, f"load-{i}.pdf") for i in range(n)]
    workers = [cluster("worker", POLL_BATCH="25") for _ in range(2)]
    cluster("beat", POLL_BATCH="25")
    started = time.time()
    # Four racing pollers, each its own process (as replicas of the API or beat would be),
    # released at the same instant after their imports.
    start_at = time.time() + 4
    code = (
        "import time; from tasks.poll import poll; "
        f"time.sleep(max(0, {start_at} - time.time())); "
        "[poll.run() for _ in range(3)]"
    )
    pollers = [
        subprocess.Popen([sys.executable, "-c", code], env={**os.environ, "POLL_BATCH": "25"}, cwd=REPO)
        for _ in range(4)
    ]
    assert [p.wait(120) for p in pollers] == [0, 0, 0, 0], "a racing poller failed"
    wait_for(lambda: all(job_row(eng, j).status in FINAL for j in ids), 600, interval=1, what="all jobs")
    elapsed = time.time() - started
    att = attempts_table()
    with eng.connect() as conn:
        rows = conn.execute(
            sa.select(att.c.job_id, att.c.claimed_at, att.c.finished_at, att.c.metadata_written).where(
                att.c.state == "completed")
        ).all()  # fmt: skip
        statuses = conn.execute(
            sa.select(extraction_job.c.status, sa.func.count()).group_by(extraction_job.c.status)
        ).all()
        errors = conn.execute(
            sa.select(extraction_job.c.error, sa.func.count()).where(extraction_job.c.error.is_not(None))
            .group_by(extraction_job.c.error)
        ).all()  # fmt: skip
    assert dict(statuses) == {"completed": n}, (statuses, errors)
    per_job = {}
    for r in rows:
        per_job[r.job_id] = per_job.get(r.job_id, 0) + int(r.metadata_written)
    assert len(per_job) == n and set(per_job.values()) == {1}
    latencies = sorted((r.finished_at - r.claimed_at).total_seconds() for r in rows)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"\nLOAD {n} jobs, 4 racing pollers + beat, 2 workers -c 1: {n / elapsed * 60:.0f} jobs/min; "
          f"claim→completion p50 {statistics.median(latencies):.1f} s, p95 {p95:.1f} s")  # fmt: skip
    for w in workers:
        assert w.proc.poll() is None


# 7. A poison job fails after MAX_ATTEMPTS; the next job still runs.


def test_poison_job_fails_after_max_attempts(cluster, eng, bunny, sample_pdf):
    poison = new_job(eng, bunny, sample_pdf, "poison.pdf")
    good = new_job(eng, bunny, sample_pdf, "good.pdf")
    worker = cluster("worker", MAX_ATTEMPTS="2", POSTERX_FAULT_KILL_ON="poison")
    cluster("beat", MAX_ATTEMPTS="2")
    row = wait_end(eng, poison, 120, [worker])
    assert row.status == "failed"
    assert "gave up after 2 attempts (MAX_ATTEMPTS)" in row.error
    assert starts(eng, poison) == 2
    assert_completed_once(eng, good, [worker])


# 8. SIGTERM: the running extraction finishes, no attempt is burned.


def test_sigterm_finishes_running_extraction(cluster, eng, bunny, sample_pdf):
    job = new_job(eng, bunny, sample_pdf)
    worker = cluster("worker", POSTERX_FAULT_SLEEP_SECONDS="3")
    cluster("beat")
    wait_for(lambda: starts(eng, job) >= 1, 30, what="the extraction to start")
    os.kill(worker.pid, signal.SIGTERM)  # what `docker stop` sends to the main process
    worker.proc.wait(60)
    replacement = cluster("worker")
    assert_completed_once(eng, job, [worker, replacement])
    assert starts(eng, job) == 1


# Reliability details from the service issue.


def test_idle_worker_starts_a_polled_job_within_two_seconds(cluster, eng, bunny, sample_pdf, settings):
    cluster("worker")
    time.sleep(1)
    job = new_job(eng, bunny, sample_pdf)
    sent = time.time()
    assert broker.request_poll(settings)
    wait_for(lambda: starts(eng, job) >= 1, 10, interval=0.05, what="the job to start")
    assert time.time() - sent < 2.0
    assert_completed_once(eng, job)


def test_polls_sent_while_busy_expire_instead_of_piling_up(cluster, eng, bunny, sample_pdf, settings):
    job = new_job(eng, bunny, sample_pdf)
    worker = cluster("worker", POSTERX_FAULT_SLEEP_SECONDS="6")
    assert broker.request_poll(settings)
    wait_for(lambda: starts(eng, job) >= 1, 10, what="the job to start")
    client = broker.celery_client(settings.redis_url)
    for _ in range(20):
        client.send_task("posterx.poll", queue="poll", expires=2)
    assert_completed_once(eng, job, [worker])
    time.sleep(2)
    ran = sum("posterx.poll[" in line and "succeeded" in line for line in worker.output().splitlines())
    assert ran <= 2, f"{ran} polls ran; the 20 sent while busy should have expired"


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory, sample_pdf) -> dict[str, bytes]:
    """name → bytes for every hostile input of the fault suite (built small, once)."""
    from tests import factories

    d = tmp_path_factory.mktemp("hostile")
    src = d / "src.pdf"
    src.write_bytes(sample_pdf)
    return {
        "empty.pdf": b"",
        "random.pdf": random.Random(7).randbytes(4096),
        "page.pdf": b"<!DOCTYPE html><html><body>Not found</body></html>",
        "big.pdf": b"%PDF-1.4\n" + b"0" * (4 * 1024 * 1024),
        "locked.pdf": factories.encrypted_pdf(d / "locked.pdf", src).read_bytes(),
        "book.pdf": factories.many_pages_pdf(d / "book.pdf", 500).read_bytes(),
        "huge.png": factories.png_header_only(d / "huge.png", 30000, 30000).read_bytes(),
        "bomb.pdf": factories.stream_bomb_pdf(d / "bomb.pdf", 1024).read_bytes(),
    }


HOSTILE_ERRORS = {
    "empty.pdf": "empty (0 bytes)",
    "random.pdf": "not a format we recognise",
    "page.pdf": "HTML web page",
    "big.pdf": "MAX_FILE_MB",
    "locked.pdf": "password-protected",
    "book.pdf": "500 pages",
    "huge.png": "too many pixels",
    "bomb.pdf": "stopped by its resource limits",
}


def test_bad_inputs_fail_clearly_and_worker_goes_on(cluster, eng, bunny, sample_pdf, hostile_files):
    ids = {name: new_job(eng, bunny, data, name) for name, data in hostile_files.items()}
    escapes = {
        path: add_job(eng, file_name="x.pdf", file_path=path)[0]
        for path in ("uploads/../../other-zone", "uploads/%2e%2e/%2e%2e/other", "//evil.example/x",
                     "http://evil.example/x", "/etc/passwd")
    }  # fmt: skip
    odd = new_job(eng, bunny, sample_pdf, "Poster “final” d'été; $(touch pwned) v2.pdf")
    worker = cluster("worker", MAX_FILE_MB="3")
    cluster("beat")
    for name, job in ids.items():
        row = wait_end(eng, job, timeout=150, procs=[worker])
        assert row.status == "failed", name
        assert row.error.startswith(("the poster could not be read: ", "download failed: ")), row.error
        assert HOSTILE_ERRORS[name].lower() in row.error.lower(), (name, row.error)
    for path, job in escapes.items():
        row = wait_end(eng, job)
        assert row.status == "failed" and "invalid storage path" in row.error, (path, row.error)
    assert not any(p and ("other" in p or "evil" in p or "passwd" in p) for _, p in bunny.requests)
    assert_completed_once(eng, odd, [worker])
    assert not (Path.cwd() / "pwned").exists()
    assert worker.proc.poll() is None


def test_api_poll_burst_without_a_key_is_coalesced(cluster, eng, settings):
    """The frontend sends no credentials: with API_KEY set, a burst of anonymous polls still
    reaches the worker as at most one poll a second, while reading a job needs the key."""
    worker = cluster("worker")
    api = cluster("api", API_KEY="k-123")
    url = api.url  # type: ignore[attr-defined]
    wait_for(lambda: requests.get(url + "/health", timeout=3).status_code == 200, 30, what="healthy")
    assert requests.get(url + "/jobs/anything", timeout=5).status_code == 401
    assert requests.get(url + "/health", timeout=5).status_code == 200  # stays open
    time.sleep(1.1)
    began = time.time()
    codes = [requests.post(url + "/jobs/check", timeout=5).status_code for _ in range(100)]
    seconds = time.time() - began
    assert set(codes) == {204}
    time.sleep(2)
    received = sum("posterx.poll[" in line and "received" in line for line in worker.output().splitlines())
    assert 1 <= received <= int(seconds) + 2, (received, seconds)


def test_no_secret_in_any_log_or_error(eng):
    """Runs last in this module: every process log of the run and every stored error."""
    assert ALL_LOGS, "no process logs were captured"
    leaks = []
    for path in ALL_LOGS:
        if Path(path).exists():
            text = Path(path).read_text(errors="replace")
            leaks += [f"{path.name}: {s}" for s in (ACCESS_KEY, DB_PASSWORD) if s in text]
    with eng.connect() as conn:
        for (error,) in conn.execute(
            sa.select(attempts_table().c.error).where(attempts_table().c.error.is_not(None))
        ):
            leaks += [f"attempt error: {s}" for s in (ACCESS_KEY, DB_PASSWORD) if s in error]
    assert not leaks, leaks


__all__ = ["db", "jobs"]


# 3. PostgreSQL stopped during a poll and during an upsert, then restarted.


@pytest.fixture
def private_pg():
    # Not under pytest's tmp dir: that is private to root, and the server runs as postgres.
    base = Path(tempfile.mkdtemp(prefix="posterx-pg-"))
    base.chmod(0o755)
    pg = PrivatePostgres(base / "cluster")
    reason = pg.usable()
    if reason:
        pytest.skip(f"cannot run a private PostgreSQL to stop and start: {reason}")
    try:
        pg.init()
        yield pg
    finally:
        pg.stop()
        shutil.rmtree(base, ignore_errors=True)


def test_postgres_restart_during_poll_and_upsert(
    private_pg, bunny, redis_server, sample_pdf, tmp_path, monkeypatch
):
    env = service_env(private_pg.url, redis_server.url, bunny)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    eng = sa.create_engine(db.driver_url(private_pg.url), pool_pre_ping=True)
    try:
        db.init_db(eng)
        procs = [
            Proc("worker", worker_cmd("pg"), {**env, "POSTERX_FAULT_SLEEP_SECONDS": "3"}, tmp_path),
            Proc("beat", beat_cmd(tmp_path / "beat"), env, tmp_path),
        ]
        wait_for(lambda: "ready." in procs[0].output(), 60, what="worker")
        # During polls: down for two beat ticks, then back; nothing is restarted.
        private_pg.stop()
        time.sleep(5)
        private_pg.start()
        first = new_job(eng, bunny, sample_pdf, "after-poll-outage.pdf")
        assert_completed_once(eng, first, procs)
        # During the extraction and its upsert: down from mid-run until past the end of the run.
        second = new_job(eng, bunny, sample_pdf, "during-upsert.pdf")
        wait_for(lambda: starts(eng, second) >= 1, 30, what="the extraction to start")
        private_pg.stop()
        struck = time.time()
        time.sleep(6)
        private_pg.start()
        assert_completed_once(eng, second, procs, timeout=120)
        print(f"\nFAULT postgres-restart: 2 jobs completed once; recovered {time.time() - struck:.1f} s "
              "after the outage began, with no process restarted")  # fmt: skip
        assert all(p.proc.poll() is None for p in procs)
    finally:
        for p in locals().get("procs", []):
            p.stop()
        eng.dispose()
