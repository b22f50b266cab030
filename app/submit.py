"""`posterx submit`: play the frontend's part, for operators, demos and smoke tests.

It does what the posters.science frontend's upload route does (server/api/upload/bunny.post.ts),
in the same order and with the same values, so that what works here works behind the frontend:

1. the file name is reduced to `[a-zA-Z0-9._-]` and the file is PUT to
   `posters/d/{cuid}/{safeName}` (`d`: the frontend's development folder);
2. one transaction inserts `Poster {title: safeName, description: "", imageUrl: "",
   status: "draft"}`, owned by a development user created when missing, and its
   `ExtractionJob {fileName: safeName, filePath, status: "pending-extraction"}`;
3. `POST /jobs/check` with no body, no headers and no credentials;
4. with `--wait`, it follows the job as the upload page does: `completed && status ==
   "completed"` is success, `failed` shows `error`, and only `pending-extraction` and
   `processing` keep it polling.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from app import db
from app.settings import Settings
from app.storage import BunnyStorage, StorageError

EXIT_COMPLETED, EXIT_FAILED, EXIT_TIMEOUT = 0, 1, 3
POLL_SECONDS = 3.0  # the frontend's upload page polls every 3 s
STORAGE_FOLDER = "posters/d"  # the frontend's folder outside production and staging
DEV_USER_ID = "posterx-dev-user"
DEV_USER_EMAIL = "dev@posterx.invalid"


class SubmitError(Exception):
    """Submission could not be made; the message says what to fix."""


def safe_name(name: str) -> str:
    """The frontend's rule: every character outside [a-zA-Z0-9._-] becomes '_'."""
    return re.sub(r"[^a-zA-Z0-9._-]", "_", name)


def new_id() -> str:
    """A cuid2, as the frontend (createId) and Prisma (`@default(cuid(2))`) make them."""
    from cuid2 import Cuid

    return Cuid().generate()


def dev_user(conn: sa.Connection) -> str:
    """The development user that owns submitted posters, created when missing.

    Its password is not a bcrypt hash, so nobody can log in as it.
    """
    user = db.user
    stmt = (
        pg_insert(user)
        .values(
            id=DEV_USER_ID,
            givenName="posterx",
            familyName="submit",
            emailAddress=DEV_USER_EMAIL,
            password="!",
            emailVerified=True,
            created=db.utcnow(),
            updated=db.utcnow(),
        )
        .on_conflict_do_nothing()
    )
    conn.execute(stmt)
    return conn.execute(sa.select(user.c.id).where(user.c.emailAddress == DEV_USER_EMAIL)).scalar_one()


def create_job(settings: Settings, eng: sa.Engine, file: Path) -> tuple[str, int]:
    """Upload `file`, then insert the rows in one transaction; returns (job id, poster id)."""
    if not file.is_file():
        raise SubmitError(f"no such file: {file}")
    name = safe_name(file.name)
    file_path = f"{STORAGE_FOLDER}/{new_id()}/{name}"
    try:
        BunnyStorage(settings).upload(file_path, file.read_bytes(), "application/octet-stream")
    except StorageError as exc:
        raise SubmitError(f"upload failed: {exc}") from exc
    job_id = new_id()
    with eng.begin() as conn:
        owner = dev_user(conn)
        poster_id = conn.execute(
            db.poster.insert()
            .values(
                userId=owner,
                title=name,
                description="",
                imageUrl="",
                status="draft",
                created=db.utcnow(),
                updated=db.utcnow(),
            )  # fmt: skip
            .returning(db.poster.c.id)
        ).scalar_one()
        conn.execute(
            db.extraction_job.insert().values(
                id=job_id,
                posterId=poster_id,
                fileName=name,
                filePath=file_path,
                status=settings.job_pending_status,
                completed=False,
                created=db.utcnow(),
                updated=db.utcnow(),
            )  # fmt: skip
        )
    return job_id, poster_id


def request_check(api_url: str) -> bool:
    """`POST /jobs/check` exactly as the frontend sends it: no body, no headers, no key."""
    try:
        return requests.post(f"{api_url.rstrip('/')}/jobs/check", timeout=5).ok
    except requests.RequestException:
        return False  # beat polls anyway; the job is not lost


def job_state(eng: sa.Engine, job_id: str) -> dict[str, Any] | None:
    """What the frontend's job route answers: status, completed, error."""
    job = db.extraction_job
    with eng.connect() as conn:
        row = conn.execute(
            sa.select(job.c.status, job.c.completed, job.c.error).where(job.c.id == job_id)
        ).first()
    return dict(row._mapping) if row else None


def wait(
    eng: sa.Engine, job_id: str, timeout: float, progress=None, pending: str = "pending-extraction"
) -> dict[str, Any] | None:
    """Follow the job with the upload page's rule; the final state, or None on timeout.

    `pending` is JOB_PENDING_STATUS, which keeps polling too when it is set to another value.
    """
    deadline = time.monotonic() + timeout
    last = None
    while True:
        info = job_state(eng, job_id)
        if info is None:
            return {
                "status": "failed",
                "completed": True,
                "error": "the job row disappeared (the poster was deleted)",
            }
        if progress and info["status"] != last:
            progress(info)
            last = info["status"]
        if info["completed"] and info["status"] == "completed":
            return info
        if info["status"] not in ("pending-extraction", "processing", pending):
            # failed, or a status the page does not know: it stops polling there too
            return info
        if time.monotonic() + POLL_SECONDS > deadline:
            return None
        time.sleep(POLL_SECONDS)


def stored_metadata(eng: sa.Engine, poster_id: int) -> dict[str, Any]:
    with eng.connect() as conn:
        row = conn.execute(
            sa.select(db.poster_metadata).where(db.poster_metadata.c.posterId == poster_id)
        ).first()
    return {k: v for k, v in row._mapping.items() if v not in (None, [], {})} if row else {}


def run(settings: Settings, file: Path, api_url: str, do_wait: bool, timeout: float) -> int:
    eng = db.engine()
    db.init_db(eng)
    try:
        job_id, poster_id = create_job(settings, eng, file)
    except SubmitError as exc:
        print(f"posterx submit: {exc}", file=sys.stderr)
        return EXIT_FAILED
    checked = request_check(api_url)
    print(f"submitted job {job_id} for poster {poster_id}"
          + ("" if checked else f" (the API at {api_url} did not answer; beat will pick it up)"), file=sys.stderr)  # fmt: skip
    if not do_wait:
        print(job_id)
        return EXIT_COMPLETED
    started = time.monotonic()

    def show(info: dict[str, Any]) -> None:
        print(f"  {time.monotonic() - started:6.1f} s  {info['status']}", file=sys.stderr)

    info = wait(eng, job_id, timeout, show, settings.job_pending_status)
    if info is None:
        print(f"posterx submit: job {job_id} did not end within {timeout:.0f} s", file=sys.stderr)
        return EXIT_TIMEOUT
    if not (info["completed"] and info["status"] == "completed"):
        print(f"posterx submit: job {job_id} {info['status']}: {info.get('error')}", file=sys.stderr)
        return EXIT_FAILED
    print(json.dumps(stored_metadata(eng, poster_id), indent=2, ensure_ascii=False, default=str))
    return EXIT_COMPLETED
