"""`posterx submit`: play the frontend's part, for operators, demos and smoke tests.

It does what the posters.science frontend does, in the same order: store the file in Bunny,
insert the `Poster` (unless given) and `ExtractionJob` rows, ask the API for a poll. With
`--wait` it follows the job until it ends and prints the stored metadata.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa

from app import db
from app.settings import Settings
from app.storage import BunnyStorage, StorageError

EXIT_COMPLETED, EXIT_FAILED, EXIT_TIMEOUT = 0, 1, 3


class SubmitError(Exception):
    """Submission could not be made; the message says what to fix."""


def create_job(
    settings: Settings, eng: sa.Engine, file: Path, poster_id: int | None = None
) -> tuple[str, int]:
    """Upload `file` and insert the rows; returns (job id, poster id)."""
    if not file.is_file():
        raise SubmitError(f"no such file: {file}")
    with eng.begin() as conn:
        if poster_id is None:
            poster_id = conn.execute(
                db.poster.insert().values(title=None, updated=sa.func.now()).returning(db.poster.c.id)
            ).scalar_one()
        elif conn.execute(sa.select(db.poster.c.id).where(db.poster.c.id == poster_id)).first() is None:
            raise SubmitError(f"no Poster with id {poster_id}; omit --poster-id to create one")
        file_path = f"uploads/{poster_id}"
        try:
            BunnyStorage(settings).upload(
                f"{file_path}/{file.name}", file.read_bytes(), "application/octet-stream"
            )
        except StorageError as exc:
            raise SubmitError(f"upload failed: {exc}") from exc
        job_id = f"submit-{uuid.uuid4().hex[:12]}"
        job = db.extraction_job
        # One job per poster (posterId is unique): a resubmission replaces the old job row.
        conn.execute(job.delete().where(job.c.posterId == poster_id))
        conn.execute(
            job.insert().values(
                id=job_id,
                posterId=poster_id,
                fileName=file.name,
                filePath=file_path,
                status=settings.job_pending_status,
                completed=False,
                created=sa.func.now(),
                updated=sa.func.now(),
            )  # fmt: skip
        )
    return job_id, poster_id


def request_poll(api_url: str, api_key: str) -> bool:
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        return (
            requests.post(f"{api_url.rstrip('/')}/jobs/poll", headers=headers, timeout=5).status_code == 204
        )
    except requests.RequestException:
        return False  # beat polls anyway; the job is not lost


def wait(eng: sa.Engine, job_id: str, timeout: float, progress=None) -> dict[str, Any] | None:
    """Follow the job until it ends; the final status dict, or None on timeout."""
    from app import jobs

    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        info = jobs.status(eng, job_id)
        if info is None:
            return {"status": "failed", "error": "the job row disappeared (the poster was deleted)"}
        if progress and info["status"] != last:
            progress(info)
            last = info["status"]
        if info["status"] in ("completed", "failed"):
            return info
        time.sleep(0.5)
    return None


def stored_metadata(eng: sa.Engine, poster_id: int) -> dict[str, Any]:
    with eng.connect() as conn:
        row = conn.execute(
            sa.select(db.poster_metadata).where(db.poster_metadata.c.posterId == poster_id)
        ).first()
    return {k: v for k, v in row._mapping.items() if v not in (None, [], {})} if row else {}


def run(
    settings: Settings, file: Path, poster_id: int | None, api_url: str, do_wait: bool, timeout: float
) -> int:
    eng = db.engine()
    db.init_db(eng)
    try:
        job_id, poster_id = create_job(settings, eng, file, poster_id)
    except SubmitError as exc:
        print(f"posterx submit: {exc}", file=sys.stderr)
        return EXIT_FAILED
    polled = request_poll(api_url, settings.api_key)
    print(f"submitted job {job_id} for poster {poster_id}"
          + ("" if polled else f" (the API at {api_url} did not answer; beat will pick it up)"), file=sys.stderr)  # fmt: skip
    if not do_wait:
        print(job_id)
        return EXIT_COMPLETED
    started = time.monotonic()

    def show(info: dict[str, Any]) -> None:
        print(f"  {time.monotonic() - started:6.1f} s  {info['status']}", file=sys.stderr)

    info = wait(eng, job_id, timeout, show)
    if info is None:
        print(f"posterx submit: job {job_id} did not end within {timeout:.0f} s", file=sys.stderr)
        return EXIT_TIMEOUT
    if info["status"] != "completed":
        print(f"posterx submit: job {job_id} failed: {info.get('error')}", file=sys.stderr)
        return EXIT_FAILED
    print(json.dumps(stored_metadata(eng, poster_id), indent=2, ensure_ascii=False, default=str))
    return EXIT_COMPLETED
