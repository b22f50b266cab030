"""What operators and the frontend use around the pipeline, against one running stack (gunicorn
API with an API key, beat and a worker, all with LOG_FORMAT=json): thumbnails, the submit
client, job retry, /metrics, /openapi.json and structured logs."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from app.db import attempts_table, poster
from tests.editor_rules import frontend_object_path
from tests.service.conftest import add_job, job_row, upload
from tests.support import Proc, api_cmd, beat_cmd, free_port, wait_for, worker_cmd

pytestmark = pytest.mark.e2e
KEY = "ops-key-42"


@pytest.fixture(scope="module")
def stack(database_url, redis_server, bunny, tmp_path_factory):
    from tests.support import service_env

    logs = tmp_path_factory.mktemp("ops")
    port = free_port()
    env = service_env(database_url, redis_server.url, bunny, PORT=str(port), API_KEY=KEY, LOG_FORMAT="json")
    procs = {
        "api": Proc("api", api_cmd(port), env, logs),
        "beat": Proc("beat", beat_cmd(logs / "beat"), env, logs),
        "worker": Proc("worker", worker_cmd("ops"), env, logs),
    }
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(
            lambda: requests.get(url + "/health", timeout=3).status_code == 200, 60, what="a healthy stack"
        )
        yield {"url": url, "env": env, "procs": procs}
    finally:
        for p in procs.values():
            p.stop()


def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {KEY}"}


def run_job(stack, eng, bunny, data: bytes, name: str = "poster.pdf"):
    job_id, poster_id = add_job(eng, file_name=name)
    upload(bunny, poster_id, data, name)
    assert (
        requests.post(stack["url"] + "/jobs/check", timeout=5).status_code == 204
    )  # as the frontend: no key
    row = wait_for(
        lambda: (j := job_row(eng, job_id)).status in ("completed", "failed") and j, 60, what="job"
    )
    return job_id, poster_id, row


def jpeg_size(data: bytes) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "JPEG"
        return img.size


# Thumbnails


def test_completed_job_gets_a_thumbnail(stack, eng, bunny, sample_pdf, settings):
    job_id, poster_id, row = run_job(stack, eng, bunny, sample_pdf)
    assert row.status == "completed"
    with eng.connect() as conn:
        url = wait_for(lambda: conn.execute(sa.select(poster.c.imageUrl).where(poster.c.id == poster_id)).scalar(),
                       20, what="Poster.imageUrl")  # fmt: skip
        query = sa.select(attempts_table().c.thumbnail).where(attempts_table().c.job_id == job_id)
        note = wait_for(
            lambda: conn.execute(query).scalar(), 10, what="the thumbnail note"
        )  # set after the link
    # The frontend's rule (NUXT_BUNNY_PRIVATE_STORAGE defaults to the same {Bunny base}/{zone}):
    # imageUrl starts with it, and the rest names the object that was uploaded.
    private_storage = f"{bunny.url}/{bunny.zone}"
    assert settings.frontend_storage_url == private_storage
    path = frontend_object_path(url, private_storage)
    assert path == note and path in bunny.uploads
    assert path.startswith(f"thumbnails/{poster_id}/") and path.endswith(".jpeg")
    width, height = jpeg_size(bunny.uploads[path])
    assert (width, height) == (1200, 1600)  # the factory poster is 1200 x 1600 pt: width 1200


def test_pptx_job_completes_with_metadata_and_a_thumbnail(stack, eng, bunny, tmp_path):
    """A PowerPoint poster through the whole service: read natively, thumbnail by LibreOffice
    when the worker has it, else the file's embedded preview (and the attempt says which)."""
    from app.db import poster_metadata
    from extraction.backends.office import soffice_binary
    from tests.factories import PosterSpec
    from tests.factories_pptx import poster_pptx

    data = poster_pptx(tmp_path / "poster.pptx").read_bytes()
    job_id, poster_id, row = run_job(stack, eng, bunny, data, name="Poster (final) v2.pptx")
    assert row.status == "completed", row.error
    with eng.connect() as conn:
        url = wait_for(lambda: conn.execute(sa.select(poster.c.imageUrl).where(poster.c.id == poster_id)).scalar(),
                       30, what="Poster.imageUrl")  # fmt: skip
        query = sa.select(attempts_table().c.thumbnail).where(attempts_table().c.job_id == job_id)
        note = wait_for(lambda: conn.execute(query).scalar(), 10, what="the thumbnail note")
        title = conn.execute(sa.select(poster.c.title).where(poster.c.id == poster_id)).scalar()
        meta = conn.execute(sa.select(poster_metadata).where(poster_metadata.c.posterId == poster_id)).one()
    assert title == PosterSpec().title
    assert [c["familyName"] for c in meta.creators] == ["Lopez", "Smith", "Tanaka"]
    assert meta.format == "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    path = frontend_object_path(url, f"{bunny.url}/{bunny.zone}")  # imageUrl is the full URL
    assert path.startswith(f"thumbnails/{poster_id}/") and path.endswith(".jpeg") and path in bunny.uploads
    if soffice_binary() is not None:  # the worker runs on this machine, with this PATH
        assert note == path
        width, height = jpeg_size(bunny.uploads[path])  # the slide is 1200 x 1600 pt
        assert width == 1200 and abs(height - 1600) <= 1  # 1200 px wide; LibreOffice rounds to 0.01 mm
    else:
        assert note == f"{path} (the file's embedded preview; LibreOffice is not installed)"


def test_thumbnail_failure_never_fails_the_job(stack, eng, bunny, sample_pdf):
    # The thumbnail is published after the job is marked completed, so Bunny keeps failing
    # until the attempt's note is written, not just until the job ends.
    bunny.fail_puts = [500, 500, 500]
    try:
        job_id, poster_id, row = run_job(stack, eng, bunny, sample_pdf)
        with eng.connect() as conn:
            note = wait_for(
                lambda: conn.execute(sa.select(attempts_table().c.thumbnail).where(attempts_table().c.job_id == job_id))
                .scalar(), 20, what="the thumbnail note")  # fmt: skip
            image_url = conn.execute(sa.select(poster.c.imageUrl).where(poster.c.id == poster_id)).scalar()
    finally:
        bunny.fail_puts = []
    assert row.status == "completed" and row.error is None
    assert note.startswith("failed:") and "500" in note
    assert image_url == ""  # as the frontend created it
    shown = requests.get(f"{stack['url']}/jobs/{job_id}", headers=auth(), timeout=5).json()
    assert shown["history"][-1]["thumbnail"].startswith("failed:")


def test_thumbnails_generate_endpoint(stack, eng, bunny, sample_pdf):
    """The frontend's "Regenerate thumbnail" body; with API_KEY set, the key is needed."""
    _, poster_id = add_job(eng)
    upload(bunny, poster_id, sample_pdf)
    body = {"pdf_path": f"uploads/{poster_id}/poster.pdf", "poster_id": poster_id}
    assert requests.post(stack["url"] + "/thumbnails/generate", json=body, timeout=5).status_code == 401
    r = requests.post(stack["url"] + "/thumbnails/generate", json=body, headers=auth(), timeout=5)
    assert r.status_code == 202, r.text
    with eng.connect() as conn:
        url = wait_for(lambda: conn.execute(sa.select(poster.c.imageUrl).where(poster.c.id == poster_id)).scalar(),
                       30, what="the regenerated thumbnail")  # fmt: skip
    path = frontend_object_path(url, f"{bunny.url}/{bunny.zone}")
    assert jpeg_size(bunny.uploads[path])[0] == 1200


def test_regenerate_publishes_through_the_pipelines_outcome(settings, eng, bunny, sample_pdf):
    """`posterx.thumbnail` (its body, run in this process) and the pipeline share one publish
    function: a download failure is a failed outcome like any other, and a success says what was
    stored, linked and made from what."""
    from tasks.pipeline import thumbnail

    _, poster_id = add_job(eng)
    object_path = f"uploads/{poster_id}/poster.pdf"
    missing = thumbnail.run(poster_id, object_path)
    assert missing["ok"] is False and missing["trigger"] == "regenerate" and missing["url"] is None
    assert missing["record"].startswith(
        f"failed: could not download the poster (file not found in storage: {object_path}"
    )
    assert settings.bunny_access_key not in json.dumps(missing)
    upload(bunny, poster_id, sample_pdf)
    done = thumbnail.run(poster_id, object_path)
    assert done["ok"] is True and done["source"] == "pdf" and done["reason"] is None
    assert done["record"] == done["path"] and done["path"] in bunny.uploads
    with eng.connect() as conn:
        url = conn.execute(sa.select(poster.c.imageUrl).where(poster.c.id == poster_id)).scalar()
    assert url == done["url"] == f"{settings.frontend_storage_url}/{done['path']}"


# Submit client and job control


def posterx(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    exe = str(Path(sys.executable).parent / "posterx")
    return subprocess.run([exe, *args], capture_output=True, text=True, env=env, timeout=timeout)


def test_submit_plays_the_frontend_and_prints_the_stored_metadata(stack, eng, bunny, tmp_path, sample_pdf):
    f = tmp_path / "my poster (v2).pdf"
    f.write_bytes(sample_pdf)
    env = {**stack["env"], "API_URL": stack["url"]}
    res = posterx("submit", str(f), "--wait", "--timeout", "60", env=env)
    assert res.returncode == 0, res.stderr
    meta = json.loads(res.stdout)
    assert [c["familyName"] for c in meta["creators"]] == ["Lopez", "Smith", "Tanaka"]
    assert "completed" in res.stderr
    # The frontend's storage path, rows and owner.
    with eng.connect() as conn:
        job = conn.execute(sa.text('SELECT * FROM "ExtractionJob" WHERE "fileName" = :n'),
                           {"n": "my_poster__v2_.pdf"}).one()  # fmt: skip
        owner = conn.execute(sa.text('SELECT u.* FROM "User" u JOIN "Poster" p ON p."userId" = u.id '
                                     'WHERE p.id = :p'), {"p": job.posterId}).one()  # fmt: skip
    assert re.fullmatch(r"posters/d/[a-z][a-z0-9]{23}/my_poster__v2_\.pdf", job.filePath), job.filePath
    assert bunny.uploads[job.filePath] == sample_pdf
    assert re.fullmatch(r"[a-z][a-z0-9]{23}", job.id) and (job.status, job.completed) == ("completed", True)
    assert owner.emailAddress == "dev@posterx.invalid"


def test_submit_of_a_bad_file_exits_1_with_the_error(stack, tmp_path):
    f = tmp_path / "notes.pdf"
    f.write_text("<html><body>not a poster</body></html>")
    res = posterx(
        "submit", str(f), "--wait", "--timeout", "60", env={**stack["env"], "API_URL": stack["url"]}
    )
    assert res.returncode == 1
    assert "HTML web page" in res.stderr


def test_submit_times_out_with_exit_3(stack, tmp_path, sample_pdf):
    f = tmp_path / "p.pdf"
    f.write_bytes(sample_pdf)
    # Another pending status than the stack's: nothing will ever claim this job.
    env = {**stack["env"], "API_URL": stack["url"], "JOB_PENDING_STATUS": "held"}
    res = posterx("submit", str(f), "--wait", "--timeout", "2", env=env)
    assert res.returncode == 3
    assert "did not end within 2 s" in res.stderr


def test_jobs_retry_gives_a_failed_job_fresh_attempts(stack, eng, bunny, sample_pdf):
    job_id, poster_id, row = run_job(stack, eng, bunny, b"", "empty.pdf")
    assert row.status == "failed"
    env = stack["env"]
    upload(
        bunny, poster_id, sample_pdf, "empty.pdf"
    )  # the user fixed the file (before the retry: beat polls)
    res = posterx("jobs", "retry", job_id, env=env)
    assert res.returncode == 0, res.stderr
    assert posterx("jobs", "retry", "nope", env=env).returncode == 1
    requests.post(stack["url"] + "/jobs/poll", headers=auth(), timeout=5)
    row = wait_for(
        lambda: (j := job_row(eng, job_id)).status == "completed" and j, 60, what="the retried job"
    )
    shown = json.loads(posterx("jobs", "show", job_id, env=env).stdout)
    assert [h["retired"] for h in shown["history"]] == [True, False]
    listed = posterx("jobs", "--status", "completed", env=env).stdout
    assert job_id in listed
    assert posterx("jobs", "retry", job_id, env=env).returncode == 1  # completed: nothing to retry


# Metrics, OpenAPI, logs


def test_metrics(stack, eng, bunny, sample_pdf):
    run_job(stack, eng, bunny, sample_pdf)
    add_job(eng)  # one pending job, never uploaded: still pending when scraped... or claimed
    text = requests.get(stack["url"] + "/metrics", timeout=5).text
    assert 'posterx_up{component="database"} 1.0' in text
    assert 'posterx_up{component="broker"} 1.0' in text
    assert 'posterx_jobs{status="completed"}' in text
    assert "posterx_oldest_pending_job_age_seconds" in text
    assert 'posterx_extraction_seconds_bucket{le="+Inf"}' in text
    assert "posterx_extraction_seconds_count" in text
    assert 'posterx_attempts{state="completed"}' in text
    assert "posterx_download_bytes" in text
    assert "posterx_worker_heartbeat_age_seconds{" in text
    # Backlog visibility (issue 16): one job finished moments ago, so both rates are positive.
    values = dict(
        line.rsplit(" ", 1) for line in text.splitlines() if line.startswith("posterx_") and " " in line
    )
    assert float(values["posterx_claim_rate_per_minute"]) > 0
    assert float(values["posterx_drain_rate_per_minute"]) > 0
    assert (
        'posterx_queue_depth{state="queued"}' in values and 'posterx_queue_depth{state="running"}' in values
    )
    assert float(values["posterx_backlog_drain_seconds"]) >= 0


def test_openapi_matches_routes_and_codes(stack, settings):
    from app.api import create_app
    from app.api.openapi import SPEC

    app = create_app()
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = rule.rule.replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((path, method.lower()))
    documented = {(p, m) for p, ops in SPEC["paths"].items() for m in ops}
    assert routes == documented
    served = requests.get(stack["url"] + "/openapi.json", timeout=5).json()
    assert served["paths"].keys() == SPEC["paths"].keys()
    # Every code we can provoke is documented for that operation.
    url = stack["url"]
    calls = [
        ("/", "get", requests.get(url + "/", timeout=5)),
        ("/health", "get", requests.get(url + "/health", timeout=5)),
        ("/up", "get", requests.get(url + "/up", timeout=5)),
        ("/jobs/poll", "post", requests.post(url + "/jobs/poll", timeout=5)),
        ("/jobs/check", "post", requests.post(url + "/jobs/check", timeout=5)),
        ("/jobs/{job_id}", "get", requests.get(url + "/jobs/unknown", timeout=5)),
        ("/jobs/{job_id}", "get", requests.get(url + "/jobs/unknown", headers=auth(), timeout=5)),
        ("/thumbnails/generate", "post", requests.post(url + "/thumbnails/generate", json={}, headers=auth(),
                                                       timeout=5)),
        ("/thumbnails/generate", "post", requests.post(url + "/thumbnails/generate", headers=auth(), timeout=5,
                                                       json={"poster_id": 999999, "pdf_path": "a.pdf"})),
        ("/metrics", "get", requests.get(url + "/metrics", timeout=5)),
        ("/openapi.json", "get", requests.get(url + "/openapi.json", timeout=5)),
    ]  # fmt: skip
    for path, method, resp in calls:
        assert str(resp.status_code) in SPEC["paths"][path][method]["responses"], (
            path,
            method,
            resp.status_code,
        )


def test_json_logs_carry_job_and_poster_ids(stack, eng, bunny, sample_pdf):
    job_id, poster_id, _ = run_job(stack, eng, bunny, sample_pdf)
    worker = stack["procs"]["worker"]
    wait_for(lambda: job_id in worker.output(), 10, what="a log line naming the job")
    entries = []
    for line in worker.output().splitlines():
        if line.startswith("{"):
            entries.append(json.loads(line))
    assert entries, worker.output()[-2000:]
    mine = [e for e in entries if e.get("job_id") == job_id]
    assert mine and all(e["level"] and e["message"] and e["ts"] for e in mine)
    assert any(e.get("poster_id") == poster_id for e in entries)
    # The API logs JSON too (gunicorn's own logger included).
    api_lines = [ln for ln in stack["procs"]["api"].output().splitlines() if ln.strip()]
    assert api_lines and all(json.loads(ln)["process"] == "api" for ln in api_lines if ln.startswith("{"))
