"""Work-conserving claiming (issue 16): a backlog drains at the workers' speed, not beat's.

A poll claims only the free capacity (live gpu worker processes × CLAIM_DEPTH, minus what is
queued or running), and each chain that ends while jobs are pending asks for the next poll.
These tests check the bound, the racing pollers, the refill decision, the reporting, and a
real stack draining a backlog larger than POLL_BATCH from one trigger, with beat far away.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import broker, jobs
from app.db import attempts_table, extraction_job
from tests.service.conftest import add_job, job_row, upload
from tests.support import Proc, beat_cmd, wait_for, worker_cmd


def finish(eng, token: str) -> None:
    """What a completed chain leaves: the attempt completed and its job done."""
    att = attempts_table()
    with eng.begin() as conn:
        job_id = conn.execute(
            att.update().where(att.c.token == token).values(state="completed", finished_at=sa.func.now())
            .returning(att.c.job_id)
        ).scalar_one()  # fmt: skip
        conn.execute(
            extraction_job.update()
            .where(extraction_job.c.id == job_id)
            .values(status="completed", completed=True)
        )


def test_claim_takes_only_the_free_capacity(eng, settings):
    for i in range(6):
        add_job(eng, file_name=f"c{i}.pdf")
    first = jobs.claim(eng, settings, slots=2)
    assert len(first) == 2
    assert jobs.claim(eng, settings, slots=2) == []  # both slots are taken by queued attempts
    assert len(jobs.claim(eng, settings, slots=3)) == 1
    finish(eng, first[0].token)
    assert len(jobs.claim(eng, settings, slots=3)) == 1  # a finished job frees its slot
    assert len(jobs.claim(eng, settings, limit=1, slots=50)) == 1  # POLL_BATCH still caps a poll
    assert len(jobs.claim(eng, settings)) == 1  # without slots: as before, up to POLL_BATCH


def test_expired_leases_free_their_slots(eng, settings):
    for i in range(3):
        add_job(eng, file_name=f"e{i}.pdf")
    (lost,) = jobs.claim(eng, settings, slots=1)
    att = attempts_table()
    with eng.begin() as conn:
        conn.execute(
            att.update()
            .where(att.c.token == lost.token)
            .values(lease_expires_at=sa.func.now() - sa.text("interval '1 s'"))
        )
    got = jobs.claim(eng, settings, slots=1)
    assert len(got) == 1
    with eng.connect() as conn:
        assert conn.execute(sa.select(att.c.state).where(att.c.token == lost.token)).scalar_one() == "lost"


def test_racing_polls_never_overfill_and_never_claim_twice(eng, settings):
    for i in range(20):
        add_job(eng, file_name=f"r{i}.pdf")
    barrier = threading.Barrier(6)
    got: list[jobs.Claim] = []
    lock = threading.Lock()

    def poller() -> None:
        barrier.wait()
        for _ in range(3):
            claims = jobs.claim(eng, settings, slots=4)
            with lock:
                got.extend(claims)

    threads = [threading.Thread(target=poller) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(got) == 4, [c.job_id for c in got]
    assert len({c.job_id for c in got}) == 4


def test_a_stale_attempt_gives_its_slot_back_at_once(eng, settings):
    job_id, _ = add_job(eng)
    (c,) = jobs.claim(eng, settings, slots=1)
    with eng.begin() as conn:  # the frontend deletes the job while its chain waits in the queue
        conn.execute(extraction_job.delete().where(extraction_job.c.id == job_id))
    assert jobs.begin(eng, settings, c.token, "w") is None
    add_job(eng, file_name="next.pdf")
    assert len(jobs.claim(eng, settings, slots=1)) == 1


def test_gpu_slots_count_live_gpu_heartbeats(settings, redis_server):
    r = redis_server.client()
    for key in r.scan_iter(match=f"{broker.HEARTBEAT_PREFIX}*"):
        r.delete(key)
    assert broker.gpu_slots(settings) == 1  # none reported: still claim for one process
    now = time.time()
    reports = {
        "a:1": {"queues": ["gpu", "poll"], "ts": now},
        "a:2": {"queues": ["gpu"], "ts": now},
        "b:1": {"queues": ["poll"], "ts": now},  # a poll-only worker takes no job
        "c:1": {"queues": ["gpu"], "ts": now - 600},  # stale
        "d:1": {"ts": now},  # says nothing about its queues: not counted
    }
    for name, report in reports.items():
        r.set(f"{broker.HEARTBEAT_PREFIX}{name}", json.dumps(report), ex=20)
    try:
        assert broker.gpu_slots(settings) == 2
    finally:
        for name in reports:
            r.delete(f"{broker.HEARTBEAT_PREFIX}{name}")


def test_refill_asks_for_one_poll_only_while_jobs_are_pending(eng, settings, redis_server, monkeypatch):
    from tasks import pipeline

    sent: list[dict] = []
    monkeypatch.setattr(pipeline.app, "send_task", lambda name, **kw: sent.append({"name": name, **kw}))
    broker.clear_poll_pending(settings)
    assert pipeline.refill(settings) is False and sent == []  # nothing pending: no poll
    add_job(eng)
    assert pipeline.refill(settings) is True
    assert pipeline.refill(settings) is False  # one is on its way: coalesced
    assert [s["name"] for s in sent] == ["posterx.poll"]
    assert sent[0]["queue"] == "poll" and sent[0]["expires"] == broker.poll_expiry(settings)
    ttl = redis_server.client().ttl(broker.POLL_PENDING)
    assert 0 < ttl <= broker.poll_expiry(settings)  # a lost poll cannot block refills for long
    broker.clear_poll_pending(settings)  # what the poll does when it starts
    assert pipeline.refill(settings) is True and len(sent) == 2
    broker.clear_poll_pending(settings)


def test_backlog_eta():
    b = jobs.Backlog(pending=90, queued=2, running=1, oldest_pending_seconds=5, claimed_per_minute=30,
                     finished_per_minute=31)  # fmt: skip
    assert b.eta_seconds == pytest.approx(93 / 31 * 60)
    assert jobs.Backlog(5, 0, 0, 1, 0, 0).eta_seconds is None
    assert jobs.Backlog(0, 0, 0, 0, 0, 4).eta_seconds == 0


def test_jobs_pending_prints_the_backlog_and_time_to_drain(eng, settings, env):
    ids = [add_job(eng, file_name=f"b{i}.pdf")[0] for i in range(5)]
    posterx = [str(Path(sys.executable).parent / "posterx"), "jobs", "--status", "pending"]
    out = subprocess.run(posterx, capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert [line.split("\t")[0] for line in out.stdout.splitlines()[:5]] == ids  # claim order
    assert "backlog: 5 pending, 0 queued, 0 running" in out.stdout
    assert "no estimate" in out.stdout
    for c in jobs.claim(eng, settings, limit=2):  # two finished in the last minutes: 0.4 jobs/min
        finish(eng, c.token)
    out = subprocess.run(posterx, capture_output=True, text=True, env=env, timeout=60)
    assert "backlog: 3 pending" in out.stdout
    assert "draining at 0.4 jobs/min" in out.stdout and "about 7 min 30 s to drain" in out.stdout, out.stdout


@pytest.mark.faults
def test_backlog_larger_than_poll_batch_drains_without_beat_ticks(env, eng, bunny, sample_pdf, settings,
                                                                   redis_server, tmp_path):  # fmt: skip
    """POLL_BATCH 2, beat every 300 s, 14 jobs and one trigger: all done long before a 2nd tick."""
    r = redis_server.client()
    for key in r.scan_iter(match=f"{broker.HEARTBEAT_PREFIX}*"):  # earlier tests' workers
        r.delete(key)
    n = 14
    ids = []
    for i in range(n):
        job_id, poster_id = add_job(eng, file_name=f"backlog-{i}.pdf")
        upload(bunny, poster_id, sample_pdf, f"backlog-{i}.pdf")
        ids.append(job_id)
    slow = {**env, "POLL_INTERVAL_SECONDS": "300", "POLL_BATCH": "2"}
    worker = Proc("worker", worker_cmd("backlog"), slow, tmp_path)
    beat = Proc("beat", beat_cmd(tmp_path / "beat"), slow, tmp_path)
    try:
        wait_for(lambda: "ready." in worker.output(), 60, what="the worker to be ready")
        time.sleep(1.5)  # beat's start-up tick, if any, has been sent
        started = time.time()
        assert broker.request_poll(settings)  # the frontend's one trigger
        wait_for(lambda: all(job_row(eng, j).status in ("completed", "failed") for j in ids), 120,
                 interval=0.5, what=f"the backlog to drain\n{worker.output()[-3000:]}")  # fmt: skip
        elapsed = time.time() - started
        ticks = beat.output().count("Sending due task")
        polls = sum("posterx.poll[" in line and "succeeded" in line for line in worker.output().splitlines())
    finally:
        worker.stop()
        beat.stop()
    att = attempts_table()
    with eng.connect() as conn:
        rows = conn.execute(sa.select(att).where(att.c.job_id.in_(ids)).order_by(att.c.id)).all()
    assert {job_row(eng, j).status for j in ids} == {"completed"}
    assert sorted(r.job_id for r in rows if r.metadata_written) == sorted(ids)  # once each
    assert [r.state for r in rows] == ["completed"] * n  # no lease expired, nothing stale
    assert ticks <= 1, f"beat sent {ticks} polls: the drain waited for beat"
    assert elapsed < 120
    # Never more than CLAIM_DEPTH (2) claimed for the one worker process at any instant.
    events = sorted([(r.claimed_at, 1) for r in rows] + [(r.finished_at, -1) for r in rows],
                    key=lambda e: (e[0], e[1]))  # fmt: skip
    live = peak = 0
    for _, step in events:
        live += step
        peak = max(peak, live)
    assert peak <= 2, peak
    print(f"\nBACKLOG {n} jobs, POLL_BATCH 2, one trigger: drained in {elapsed:.1f} s, {polls} polls, "
          f"{ticks} beat tick(s), at most {peak} claimed at once")  # fmt: skip
