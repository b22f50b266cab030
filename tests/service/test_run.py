"""`make run`'s program (`python -m app.run`) on a fresh database: everything starts, a job
submitted the frontend's way completes through the local storage, and Ctrl-C stops it all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid

import pytest
import requests
import sqlalchemy as sa

from app.db import driver_url
from tests.support import DB_PASSWORD, PG_ADMIN_URL, free_port, wait_for

pytestmark = pytest.mark.e2e


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def test_run_starts_everything_and_ctrl_c_stops_it(redis_server, sample_pdf, tmp_path):
    name = f"posterx_run_{uuid.uuid4().hex[:8]}"  # does not exist yet: app.run creates it
    port, storage_port, flower_port = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTERX_", "CELERY"))}
    env.update(
        DATABASE_URL=f"postgresql://postgres:{DB_PASSWORD}@127.0.0.1:5432/{name}",
        REDIS_URL=redis_server.url,
        BUNNY_STORAGE_ZONE="dev",
        BUNNY_ACCESS_KEY="dev-key",
        BUNNY_STORAGE_URL=f"http://127.0.0.1:{storage_port}",
        PORT=str(port),
        HOST="127.0.0.1",
        FLOWER_PORT=str(flower_port),
        EXTRACTION_ENGINE="layout",
        PYTHONUNBUFFERED="1",
    )
    log = (tmp_path / "run.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "app.run"], cwd=tmp_path, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        wait_for(lambda: requests.get(url + "/health", timeout=3).json()["status"] == "healthy", 90,
                 what="a healthy service")  # fmt: skip
        wait_for(lambda: requests.get(f"http://127.0.0.1:{flower_port}/", timeout=3).ok, 30, what="flower")
        put = requests.put(f"http://127.0.0.1:{storage_port}/dev/uploads/7/poster.pdf", data=sample_pdf,
                           headers={"AccessKey": "dev-key"}, timeout=10)  # fmt: skip
        assert put.status_code == 201
        eng = sa.create_engine(driver_url(env["DATABASE_URL"]))
        with eng.begin() as conn:
            pid = conn.execute(sa.text('INSERT INTO "Poster"(title) VALUES (NULL) RETURNING id')).scalar_one()
            conn.execute(
                sa.text('INSERT INTO "ExtractionJob"(id, "posterId", "fileName", "filePath", status, completed, '
                        "created, updated) VALUES ('run-1', :p, 'poster.pdf', 'uploads/7', 'pending', false, "
                        "now(), now())"),
                {"p": pid},
            )  # fmt: skip
        assert requests.post(url + "/jobs/poll", timeout=5).status_code == 204
        job = wait_for(lambda: (j := requests.get(url + "/jobs/run-1", timeout=5).json())["status"] in
                       ("completed", "failed") and j, 60, what="the job")  # fmt: skip
        assert job["status"] == "completed", job
        eng.dispose()

        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        proc.wait(90)
        wait_for(lambda: not _group_alive(proc.pid), 30, what="every child to exit")
        assert proc.returncode == 0
    finally:
        if _group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                         {"n": name})  # fmt: skip
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
