"""Claim, start, complete and fail against real PostgreSQL: ownership, races, limits, leases."""

from __future__ import annotations

import threading
from dataclasses import replace

import sqlalchemy as sa

from app import db, jobs
from app.db import attempts_table, poster, poster_metadata
from tests.service.conftest import add_job, job_row
from tests.support import ACCESS_KEY, DB_PASSWORD

DOC = {
    "titles": [{"title": "A Poster"}],
    "descriptions": [{"description": "What we found.", "descriptionType": "Abstract"}],
    "creators": [{"name": "Doe, Jane", "nameType": "Personal", "givenName": "Jane", "familyName": "Doe"}],
    "content": {"sections": [{"sectionTitle": "Intro", "sectionContent": "Text."}]},
    "imageCaptions": [{"id": "fig1", "caption": "Figure 1. A plot."}],
    "identifiers": [{"identifier": "10.1234/abc", "identifierType": "DOI"}],
    "subjects": [{"subject": "plots"}],
    "conference": {"conferenceName": "Test Conf", "conferenceYear": 2024},
    "formats": ["PDF"],
    "_extraction": {"engine": "layout"},
}


def run_to_result(eng, settings, token):
    assert jobs.begin(eng, settings, token, "t") is not None
    assert jobs.start(eng, settings, token, "t") is not None
    assert jobs.save_result(eng, token, DOC, 0.1, 10)


def test_db_init_is_idempotent(settings, eng):
    assert db.init_db(eng) == []
    assert db.init_db(eng) == []


def test_full_lifecycle_maps_columns(settings, eng):
    job_id, poster_id = add_job(eng)
    [c] = jobs.claim(eng, settings)
    assert job_row(eng, job_id).status == "processing"
    run_to_result(eng, settings, c.token)
    assert jobs.complete(eng, settings, c.token) == "completed"
    job = job_row(eng, job_id)
    assert (job.status, job.completed, job.error) == ("completed", True, None)
    with eng.connect() as conn:
        meta = conn.execute(sa.select(poster_metadata).where(poster_metadata.c.posterId == poster_id)).first()
        p = conn.execute(sa.select(poster).where(poster.c.id == poster_id)).first()
        writes = conn.execute(sa.select(sa.func.count()).where(attempts_table().c.metadata_written)).scalar()
    assert meta.doi == "10.1234/abc" and meta.subjects == ["plots"] and meta.format == "application/pdf"
    assert meta.posterContent == {"sections": [{"sectionTitle": "Intro", "sectionContent": "Text."}]}
    assert meta.conferenceName == "Test Conf" and meta.fundingReferences == []
    assert "_extraction" not in str(meta._mapping)
    assert (p.title, p.description) == ("A Poster", "What we found.")
    assert writes == 1
    # A second completion with the same (now finished) token writes nothing.
    assert jobs.complete(eng, settings, c.token) == "stale"


def test_pending_status_defaults_to_the_frontends_and_is_configurable(settings, eng):
    from app.settings import load

    env = {"DATABASE_URL": "postgresql://x@h/d", "BUNNY_STORAGE_ZONE": "z", "BUNNY_ACCESS_KEY": "k"}
    assert load(env).job_pending_status == "pending-extraction"
    add_job(eng, status="pending")
    assert jobs.claim(eng, settings) == []
    assert len(jobs.claim(eng, replace(settings, job_pending_status="pending"))) == 1


def test_two_pollers_never_claim_the_same_job(settings, eng):
    ids = {add_job(eng)[0] for _ in range(60)}
    results: list[list[str]] = [[], [], [], []]
    barrier = threading.Barrier(4)

    def poller(i: int) -> None:
        barrier.wait()
        while True:
            got = jobs.claim(eng, settings, limit=3)
            if not got:
                return
            results[i].extend(c.job_id for c in got)

    threads = [threading.Thread(target=poller, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    claimed = [j for r in results for j in r]
    assert sorted(claimed) == sorted(ids)  # every job once, none twice
    assert sum(1 for r in results if r) >= 2  # the pollers really raced


def test_stale_attempt_cannot_overwrite(settings, eng):
    job_id, _ = add_job(eng)
    [old] = jobs.claim(eng, settings)
    run_to_result(eng, settings, old.token)
    # The old attempt's lease runs out; the job is claimed again.
    with eng.begin() as conn:
        conn.execute(
            attempts_table().update().values(lease_expires_at=sa.func.now() - sa.text("interval '1 second'"))
        )
    [new] = jobs.claim(eng, settings)
    assert new.token != old.token
    assert jobs.complete(eng, settings, old.token) == "stale"
    assert jobs.fail(eng, settings, old.token, "late failure") is False
    assert job_row(eng, job_id).status == "processing"
    run_to_result(eng, settings, new.token)
    assert jobs.complete(eng, settings, new.token) == "completed"


def test_max_attempts_fails_with_a_message(settings, eng):
    job_id, _ = add_job(eng)
    s = replace(settings, max_attempts=2)
    for _ in range(2):
        [c] = jobs.claim(eng, s)
        jobs.begin(eng, s, c.token, "t")
        assert jobs.start(eng, s, c.token, "t") is not None
        with eng.begin() as conn:  # the worker dies: no progress, the lease runs out
            conn.execute(
                attempts_table().update().values(lease_expires_at=sa.func.now() - sa.text("interval '1 s'"))
            )
    assert jobs.claim(eng, s) == []
    job = job_row(eng, job_id)
    assert job.status == "failed" and job.completed
    assert "gave up after 2 attempts (MAX_ATTEMPTS)" in job.error


def test_redelivered_start_counts_attempts(settings, eng):
    job_id, _ = add_job(eng)
    s = replace(settings, max_attempts=3)
    [c] = jobs.claim(eng, s)
    jobs.begin(eng, s, c.token, "t")
    for _ in range(3):  # the same message redelivered after each worker loss
        assert jobs.start(eng, s, c.token, "t") is not None
    assert jobs.start(eng, s, c.token, "t") is None
    assert "gave up after 3 attempts" in job_row(eng, job_id).error


def test_queued_leases_are_renewed_while_work_progresses(settings, eng):
    add_job(eng)
    add_job(eng)
    s = replace(settings, lease_seconds=2)
    running, waiting = jobs.claim(eng, s)
    jobs.begin(eng, s, running.token, "t")
    jobs.start(eng, s, running.token, "t")
    with eng.begin() as conn:
        conn.execute(
            attempts_table().update().values(lease_expires_at=sa.func.now() + sa.text("interval '1 s'"))
        )
    jobs.renew(eng, s, running.token)
    with eng.connect() as conn:
        left = conn.execute(
            sa.select(attempts_table().c.lease_expires_at - sa.func.now()).where(
                attempts_table().c.token == waiting.token
            )
        ).scalar()
    assert left.total_seconds() > 1.5


def test_fail_message_is_scrubbed_and_capped(settings, eng):
    job_id, _ = add_job(eng)
    [c] = jobs.claim(eng, settings)
    jobs.begin(eng, settings, c.token, "t")
    secret_text = f"boom {ACCESS_KEY} postgresql://postgres:{DB_PASSWORD}@db/x " + "x" * 20000
    assert jobs.fail(eng, settings, c.token, secret_text)
    err = job_row(eng, job_id).error
    assert ACCESS_KEY not in err and DB_PASSWORD not in err
    assert len(err) == jobs.MAX_ERROR_CHARS


def test_deleted_poster_is_dropped_cleanly(settings, eng):
    job_id, poster_id = add_job(eng)
    [c] = jobs.claim(eng, settings)
    run_to_result(eng, settings, c.token)
    with eng.begin() as conn:
        conn.execute(poster.delete().where(poster.c.id == poster_id))
    assert jobs.complete(eng, settings, c.token) == "stale"
    assert job_row(eng, job_id) is None
    with eng.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(poster_metadata)).scalar() == 0
