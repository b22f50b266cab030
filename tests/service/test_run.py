"""`make run`'s program (`python -m app.run`) on a fresh database: everything starts, a job
submitted with `posterx submit` (the frontend's way) completes through the local storage, and Ctrl-C stops it all."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

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
        # In a second terminal, as the README says: `posterx submit FILE --wait` plays the frontend
        # through the local storage.
        poster_file = tmp_path / "poster.pdf"
        poster_file.write_bytes(sample_pdf)
        exe = str(Path(sys.executable).parent / "posterx")
        res = subprocess.run([exe, "submit", str(poster_file), "--wait", "--timeout", "90"], cwd=tmp_path,
                             env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
        assert res.returncode == 0, res.stderr
        assert json.loads(res.stdout)["creators"]
        stored = list((tmp_path / "var" / "storage" / "posters" / "d").glob("*/poster.pdf"))
        assert [p.read_bytes() for p in stored] == [sample_pdf]
        thumbs = wait_for(lambda: list((tmp_path / "var" / "storage" / "thumbnails").glob("*/*.jpeg")), 20,
                          what="the thumbnail in the local storage")  # fmt: skip
        got = requests.get(f"{env['BUNNY_STORAGE_URL']}/dev/thumbnails/{thumbs[0].parent.name}/{thumbs[0].name}",
                           headers={"AccessKey": "dev-key"}, timeout=10)  # fmt: skip
        assert got.headers["Content-Type"] == "image/jpeg" and got.content[:3] == b"\xff\xd8\xff"

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


def test_run_uses_a_storage_server_already_listening(redis_server, database_url, bunny, tmp_path):
    """BUNNY_STORAGE_URL is local but a server already listens there (the Bunny look-alike): make
    run's launcher uses it, says so in one line, and does not die with "Address already in use"."""
    from tests.support import ACCESS_KEY

    port, flower_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTERX_", "CELERY"))}
    env.update(DATABASE_URL=database_url, REDIS_URL=redis_server.url, BUNNY_STORAGE_ZONE=bunny.zone,
               BUNNY_ACCESS_KEY=ACCESS_KEY, BUNNY_STORAGE_URL=bunny.url, PORT=str(port), HOST="127.0.0.1",
               FLOWER_PORT=str(flower_port), EXTRACTION_ENGINE="layout", PYTHONUNBUFFERED="1")  # fmt: skip
    log_path = tmp_path / "run.log"
    log = log_path.open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "app.run"], cwd=tmp_path, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        wait_for(lambda: proc.poll() is not None or "posterx: storage" in log_path.read_text(), 60,
                 what="the storage line")  # fmt: skip
        wait_for(lambda: proc.poll() is not None
                 or requests.get(f"http://127.0.0.1:{port}/health", timeout=3).ok, 90,
                 what="a healthy service")  # fmt: skip
        time.sleep(2)
        assert proc.poll() is None, log_path.read_text()
        out = log_path.read_text()
        port_of_bunny = bunny.url.rsplit(":", 1)[1]
        lines = [line for line in out.splitlines() if line.startswith("posterx: storage")]
        assert lines == [
            f"posterx: storage: a server already listens on 127.0.0.1:{port_of_bunny}; using it ({bunny.url})"
        ]
        assert "Address already in use" not in out
        assert not (tmp_path / "var" / "storage").exists()  # no development storage was started
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(90)
        assert proc.returncode == 0
    finally:
        if _group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
