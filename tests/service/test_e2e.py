"""End to end with real processes (gunicorn API, Celery beat and worker, PostgreSQL, a private
Redis and the Bunny look-alike), on tables made by the frontend's own DDL, doing exactly what
the posters.science frontend does (../shared/frontend/CONTRACT.md, and its source):

1. PUT the file to `posters/d/{cuid}/{safeName}` with the AccessKey, insert the Poster and its
   ExtractionJob in one transaction, and `POST /jobs/check` with no body, headers or key;
2. poll the job until `completed && status == "completed"`;
3. check the stored metadata against the editor's rules;
4. retry a failed job its way (reset the row, `POST /jobs/check`);
5. "Regenerate thumbnail" with its body `{pdf_path, poster_id}`;
6. check that `imageUrl` starts with the private-storage URL and names the uploaded object.
"""

from __future__ import annotations

import re
import time

import pytest
import requests
import sqlalchemy as sa

from app.db import attempts_table, extraction_job, poster, poster_metadata
from app.submit import new_id, safe_name
from tests.editor_rules import editor_missing, editor_problems, frontend_object_path
from tests.factories import PosterSpec, poster_pdf
from tests.service.conftest import USER_ID, add_poster, job_row
from tests.support import ACCESS_KEY, Proc, api_cmd, beat_cmd, free_port, wait_for, worker_cmd

pytestmark = pytest.mark.e2e


@pytest.fixture
def stack(env, settings, tmp_path):
    """api + beat + worker with their defaults (JOB_PENDING_STATUS, no API_KEY: the frontend's
    deployment on a private network); yields (api url, processes) and always stops them."""
    port = free_port()
    env = {**env, "PORT": str(port), "POLL_INTERVAL_SECONDS": "30"}
    env.pop("JOB_PENDING_STATUS", None)
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


def frontend_upload(
    eng, bunny, api: str, filename: str, data: bytes, lose_file: bool = False
) -> tuple[str, int, str]:
    """server/api/upload/bunny.post.ts: store, one transaction for both rows, then /jobs/check.
    `lose_file` removes the file from storage right after the upload, before any worker sees it."""
    name = safe_name(filename)
    file_path = f"posters/d/{new_id()}/{name}"
    put = requests.put(f"{bunny.url}/{bunny.zone}/{file_path}", data=data, timeout=10,
                       headers={"AccessKey": ACCESS_KEY, "Content-Type": "application/pdf"})  # fmt: skip
    assert put.ok
    if lose_file:
        del bunny.files[file_path]
    job_id = new_id()
    with eng.begin() as conn:  # prisma.poster.create({... extractionJob: {create: ...}})
        poster_id = add_poster(conn, title=name)
        conn.execute(
            sa.text('INSERT INTO "ExtractionJob" (id, "posterId", "fileName", "filePath", status, updated) '
                    "VALUES (:id, :p, :n, :f, 'pending-extraction', now() AT TIME ZONE 'UTC')"),
            {"id": job_id, "p": poster_id, "n": name, "f": file_path},
        )  # fmt: skip
    check(api)
    return job_id, poster_id, file_path


def check(api: str) -> None:
    """`fetch(`${posterExtractionApi}/jobs/check`, { method: "POST" })`: no body, no credentials."""
    r = requests.post(f"{api}/jobs/check", timeout=5)
    assert r.ok, f"the frontend records 'Extraction service returned {r.status_code}'"


def poll(eng, job_id: str, timeout: float = 90):
    """The upload page: success is completed && status == 'completed'; 'failed' shows the error;
    only pending-extraction and processing keep it polling."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        row = job_row(eng, job_id)
        if (row.completed and row.status == "completed") or row.status not in (
            "pending-extraction",
            "processing",
        ):
            return row
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} still {row.status} after {timeout} s")


def poster_spec() -> PosterSpec:
    """The factory poster, with a reference list (a cited DOI) and a licence line."""
    spec = PosterSpec()
    spec.sections = [
        *spec.sections[:3],
        ("Conclusions", "Graph matching makes reef monitoring cheaper. This poster is shared under CC BY 4.0."),
        ("References", "1. Hughes T. Coral reefs in the Anthropocene. Nature 546, 82-90 (2017). "
                       "doi:10.1038/nature22901"),
    ]  # fmt: skip
    return spec


def test_the_frontends_flow(stack, eng, bunny, settings, tmp_path):
    url, procs = stack
    pdf = poster_pdf(tmp_path / "poster.pdf", poster_spec()).read_bytes()

    # 1-2. Upload, then poll as the upload page does.
    started = time.time()
    job_id, poster_id, file_path = frontend_upload(eng, bunny, url, "My poster (final).pdf", pdf)
    assert file_path.endswith("/My_poster__final_.pdf")
    row = poll(eng, job_id)
    logs = "\n".join(p.output() for p in procs)
    assert (row.status, row.completed, row.error) == ("completed", True, None), f"{row.error}\n{logs[-3000:]}"
    print(f"\nupload to completed: {time.time() - started:.1f} s")

    # 3. The metadata the editor loads passes its rules.
    with eng.connect() as conn:
        meta = dict(
            conn.execute(sa.select(poster_metadata).where(poster_metadata.c.posterId == poster_id))
            .one()
            ._mapping
        )
        p = conn.execute(sa.select(poster).where(poster.c.id == poster_id)).one()
        writes = conn.execute(
            sa.select(sa.func.count()).select_from(attempts_table()).where(
                attempts_table().c.job_id == job_id, attempts_table().c.metadata_written.is_(True))
        ).scalar_one()  # fmt: skip
    assert editor_problems(meta) == []
    print("the editor will ask for:", editor_missing(meta, {"title": p.title, "description": p.description}))
    assert (p.title, p.userId, p.status) == (PosterSpec().title, USER_ID, "draft")
    assert p.description.startswith("We describe")
    assert [c["familyName"] for c in meta["creators"]] == ["Lopez", "Smith", "Tanaka"]
    assert len(meta["posterContent"]["sections"]) >= 4 and meta["imageCaptions"][0]["id"] == "fig1"
    assert meta["format"] == "application/pdf" and meta["license"] == "CC-BY-4.0"
    assert meta["doi"] == "10.5281/zenodo.1234567"  # printed apart in the footer: the poster's own
    assert {"relatedIdentifier": "10.1038/nature22901", "relatedIdentifierType": "DOI",
            "relationType": "Cites"} in meta["relatedIdentifiers"]  # fmt: skip
    assert writes == 1

    # 4. A job whose file is not in storage fails; the user fixes it and retries the frontend's way.
    name = "retry me.pdf"
    job2, poster2, path2 = frontend_upload(eng, bunny, url, name, pdf, lose_file=True)
    row = poll(eng, job2)
    assert row.status == "failed" and row.completed is True
    assert row.error == f"download failed: file not found in storage: {path2}"
    bunny.files[path2] = pdf
    with eng.begin() as conn:  # server/api/poster/job/[id]/retry.post.ts
        conn.execute(
            extraction_job.update().where(extraction_job.c.id == job2)
            .values(status="pending-extraction", completed=False, error=None)
        )  # fmt: skip
    check(url)
    row = poll(eng, job2)
    assert (row.status, row.completed, row.error) == ("completed", True, None)

    # 5. "Regenerate thumbnail": the frontend's body, Content-Type only.
    with eng.connect() as conn:
        before = conn.execute(sa.select(poster.c.imageUrl).where(poster.c.id == poster_id)).scalar()
    assert before, "the extraction made a thumbnail"
    r = requests.post(f"{url}/thumbnails/generate", json={"pdf_path": file_path, "poster_id": poster_id},
                      headers={"Content-Type": "application/json"}, timeout=5)  # fmt: skip
    assert r.ok, r.text
    with eng.connect() as conn:
        image_url = wait_for(
            lambda: (u := conn.execute(sa.select(poster.c.imageUrl).where(poster.c.id == poster_id)).scalar())
            != before and u, 30, what="the regenerated thumbnail")  # fmt: skip

    # 6. imageUrl is the private-storage URL (NUXT_BUNNY_PRIVATE_STORAGE) plus the uploaded object.
    private_storage = f"{bunny.url}/{bunny.zone}"
    assert image_url.startswith(private_storage + "/thumbnails/")
    path = frontend_object_path(image_url, private_storage)
    assert re.fullmatch(rf"thumbnails/{poster_id}/[0-9a-f-]{{36}}\.jpeg", path) and path in bunny.uploads
    got = requests.get(image_url, headers={"AccessKey": ACCESS_KEY}, timeout=5)  # thumbnail.get.ts
    assert got.headers["Content-Type"] == "image/jpeg" and got.content == bunny.uploads[path]
