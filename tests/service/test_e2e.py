"""End to end with real processes: gunicorn API, Celery beat, a Celery worker, PostgreSQL,
a private Redis and the Bunny look-alike. Rows are inserted the way the frontend does."""

from __future__ import annotations

import time

import pytest
import requests
import sqlalchemy as sa

from app.db import attempts_table, poster, poster_metadata
from tests.factories import PosterSpec
from tests.service.conftest import add_job, job_row, upload
from tests.support import Proc, api_cmd, beat_cmd, free_port, wait_for, worker_cmd

pytestmark = pytest.mark.e2e


@pytest.fixture
def stack(env, settings, tmp_path):
    """api + beat + worker; yields (api url, processes) and always stops them."""
    port = free_port()
    env = {**env, "PORT": str(port), "POLL_INTERVAL_SECONDS": "30"}
    procs = [
        Proc("api", api_cmd(port), env, tmp_path),
        Proc("beat", beat_cmd(tmp_path / "beat-schedule"), env, tmp_path),
        Proc("worker", worker_cmd("e2e"), env, tmp_path),
    ]
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: requests.get(f"{url}/", timeout=1).ok, 30, what="api")
        wait_for(lambda: requests.get(f"{url}/health", timeout=3).json()["checks"]["worker"].startswith("ok"), 60,
                 what="a worker heartbeat")  # fmt: skip
        yield url, procs
    finally:
        for p in procs:
            p.stop()


def test_frontend_flow_completes_with_metadata_and_title(stack, eng, bunny, sample_pdf):
    url, procs = stack
    job_id, poster_id = add_job(eng, file_name="My poster (final).pdf")
    upload(bunny, poster_id, sample_pdf, "My poster (final).pdf")

    started = time.time()
    r = requests.post(f"{url}/jobs/check", timeout=5)
    assert r.status_code == 204, r.text
    assert time.time() - started < 2, "the API must not wait for the extraction"

    row = wait_for(lambda: (j := job_row(eng, job_id)).status in ("completed", "failed") and j, 60,
                   what="the job to end")  # fmt: skip
    logs = "\n".join(p.output() for p in procs)
    assert row.status == "completed", f"{row.error}\n{logs[-3000:]}"
    assert row.completed is True and row.error is None

    with eng.connect() as conn:
        meta = conn.execute(sa.select(poster_metadata).where(poster_metadata.c.posterId == poster_id)).one()
        p = conn.execute(sa.select(poster).where(poster.c.id == poster_id)).one()
        writes = conn.execute(
            sa.select(sa.func.count()).select_from(attempts_table()).where(
                attempts_table().c.job_id == job_id, attempts_table().c.metadata_written.is_(True))
        ).scalar_one()  # fmt: skip
    assert p.title == PosterSpec().title
    assert p.description and p.description.startswith("We describe")
    assert len(meta.creators) == 3
    assert meta.posterContent and len(meta.posterContent["sections"]) >= 3
    assert meta.imageCaptions and meta.imageCaptions[0]["id"] == "fig1"
    assert meta.format and "pdf" in meta.format.lower()
    assert writes == 1

    status = requests.get(f"{url}/jobs/{job_id}", timeout=5).json()
    assert status["status"] == "completed"
    assert status["attempts"] >= 1
