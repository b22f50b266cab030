"""The job lifecycle: claim, begin, start, complete, fail — each one short transaction.

States in "ExtractionJob".status: pending (JOB_PENDING_STATUS, the frontend's
`pending-extraction`) → processing → completed | failed. Every claim
creates an *attempt* (posterx.attempts) with a random token; the Celery messages carry only
that token, and every later step checks that its token still owns the job. So a stale or
duplicated message can never overwrite a newer result, and nothing is written twice.

Leases: an attempt must show progress before `lease_expires_at`. A running extraction
renews its own lease; while any extraction runs, queued attempts are renewed too (they are
waiting their turn, not lost). When no worker is making progress and a lease runs out, the
attempt is declared lost and the next poll claims the job again. Each time the extraction
step starts, the job's start count goes up; at MAX_ATTEMPTS the job fails instead.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from app import mapping
from app.db import attempts_table, extraction_job, poster, poster_metadata, utcnow
from app.settings import Settings, scrub

MAX_ERROR_CHARS = 10_000
LIVE = ("queued", "running")
CLAIM_LOCK = 7312  # pg_advisory_xact_lock key serialising capacity-bounded claims
RATE_WINDOW = 300  # seconds over which the claim and drain rates are measured


@dataclass(frozen=True)
class Claim:
    job_id: str
    poster_id: int
    token: str
    file_path: str
    file_name: str


def _now() -> sa.ColumnElement:
    """For the service's own timestamptz columns; the frontend's take `utcnow()` (Prisma's UTC)."""
    return sa.func.now()


def _lease(seconds: int) -> sa.ColumnElement:
    return sa.func.now() + sa.func.make_interval(0, 0, 0, 0, 0, 0, seconds)


def _error(message: str, settings: Settings) -> str:
    text = scrub(" ".join(message.split()) if "\n" not in message else message.strip(), settings.secrets())
    return text[:MAX_ERROR_CHARS]


def claim(
    eng: sa.Engine, settings: Settings, limit: int | None = None, slots: int | None = None
) -> list[Claim]:
    """Claim up to `limit` jobs, oldest first, in one transaction (FOR UPDATE SKIP LOCKED).

    With `slots` (the live gpu worker processes × CLAIM_DEPTH), claim only the free capacity:
    `slots` minus the attempts already queued or running. Why: a backlog must not be queued
    all at once (its leases would run out in the queue) yet no worker should wait for a beat
    tick. Pollers that count capacity take an advisory lock first, so two racing polls never
    both fill the same free slots.
    """
    att = attempts_table()
    job = extraction_job
    limit = limit or settings.poll_batch
    claims: list[Claim] = []
    with eng.begin() as conn:
        if slots is not None:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": CLAIM_LOCK})
        conn.execute(
            att.update()
            .where(att.c.state.in_(LIVE), att.c.lease_expires_at < _now())
            .values(
                state="lost",
                finished_at=_now(),
                error=f"no progress for {settings.lease_seconds} s: the task message or its worker was lost",
            )
        )
        if slots is not None:
            live_now = conn.execute(sa.select(sa.func.count()).where(att.c.state.in_(LIVE))).scalar_one()
            limit = min(limit, slots - live_now)
            if limit <= 0:
                return []
        live = sa.select(att.c.id).where(att.c.job_id == job.c.id, att.c.state.in_(LIVE)).exists()
        rows = conn.execute(
            sa.select(job.c.id, job.c.posterId, job.c.filePath, job.c.fileName)
            .where(
                job.c.completed.is_(False),
                sa.or_(
                    job.c.status == settings.job_pending_status,
                    sa.and_(job.c.status == "processing", ~live),
                ),
            )
            .order_by(job.c.created, job.c.id)
            .limit(limit)
            .with_for_update(of=job, skip_locked=True)
        ).all()
        for row in rows:
            if not _still_claimable(conn, row.id, settings):
                continue
            starts = conn.execute(
                sa.select(sa.func.coalesce(sa.func.sum(att.c.starts), 0)).where(
                    att.c.job_id == row.id, ~att.c.retired
                )
            ).scalar_one()
            if starts >= settings.max_attempts:
                _fail_job(conn, row.id, _gave_up(conn, row.id, starts), settings)
                continue
            token = uuid.uuid4().hex
            conn.execute(
                att.insert().values(
                    job_id=row.id,
                    poster_id=row.posterId,
                    token=token,
                    state="queued",
                    lease_expires_at=_lease(settings.lease_seconds),
                )
            )
            conn.execute(
                job.update()
                .where(job.c.id == row.id)
                .values(status="processing", error=None, updated=utcnow())
            )
            claims.append(Claim(row.id, row.posterId, token, row.filePath or "", row.fileName or ""))
    return claims


def _still_claimable(conn: sa.Connection, job_id: str, settings: Settings) -> bool:
    """Re-check a locked job with a fresh snapshot before claiming it.

    Why: under READ COMMITTED, a row locked just after another poller committed its claim is
    re-checked by PostgreSQL against the *new* job row but with the *old* snapshot for the
    `NOT EXISTS (live attempt)` subquery, so the other claim's attempt is invisible and the job
    would be claimed twice. A new statement sees the committed attempt; the row lock we hold
    keeps anyone else from claiming meanwhile.
    """
    att = attempts_table()
    job = extraction_job
    fresh = conn.execute(sa.select(job.c.status, job.c.completed).where(job.c.id == job_id)).first()
    if fresh is None or fresh.completed:
        return False
    if fresh.status == settings.job_pending_status:
        return True
    live = conn.execute(
        sa.select(att.c.id).where(att.c.job_id == job_id, att.c.state.in_(LIVE)).limit(1)
    ).first()
    return fresh.status == "processing" and live is None


def _gave_up(conn: sa.Connection, job_id: str, starts: int) -> str:
    att = attempts_table()
    last = conn.execute(
        sa.select(att.c.error)
        .where(att.c.job_id == job_id, att.c.error.is_not(None))
        .order_by(att.c.id.desc())
        .limit(1)
    ).scalar()
    reason = f"; last problem: {last}" if last else ""
    return (
        f"gave up after {starts} attempts (MAX_ATTEMPTS): the extraction never finished, "
        f"the worker was lost each time{reason}"
    )


def _owned(conn: sa.Connection, token: str) -> Any:
    """The attempt and its job, both locked, if this token still owns a live, unfinished job."""
    att = attempts_table()
    row = conn.execute(
        sa.select(
            att,
            extraction_job.c.status,
            extraction_job.c.completed,
            extraction_job.c.filePath,
            extraction_job.c.fileName,
        )  # fmt: skip
        .join(extraction_job, extraction_job.c.id == att.c.job_id)
        .where(att.c.token == token)
        .with_for_update(of=[att, extraction_job])
    ).first()
    if row is None or row.state not in LIVE or row.completed or row.status != "processing":
        return None
    return row


def _retire_stale(conn: sa.Connection, token: str) -> None:
    """An attempt that no longer owns its job (deleted, finished by another) stops counting as
    live at once, instead of holding a claim slot until its lease runs out."""
    att = attempts_table()
    conn.execute(att.update().where(att.c.token == token, att.c.state.in_(LIVE)).values(state="stale"))


def begin(eng: sa.Engine, settings: Settings, token: str, worker: str) -> Claim | None:
    """The download step starts: mark the attempt running and give it a fresh lease."""
    att = attempts_table()
    with eng.begin() as conn:
        row = _owned(conn, token)
        if row is None:
            _retire_stale(conn, token)
            return None
        conn.execute(
            att.update()
            .where(att.c.token == token)
            .values(state="running", worker=worker, lease_expires_at=_lease(settings.lease_seconds))
        )
        return Claim(row.job_id, row.poster_id, token, row.filePath or "", row.fileName or "")


def start(eng: sa.Engine, settings: Settings, token: str, worker: str) -> Claim | None:
    """The extraction step starts (again, if its worker was lost): count it against MAX_ATTEMPTS."""
    att = attempts_table()
    with eng.begin() as conn:
        row = _owned(conn, token)
        if row is None:
            _retire_stale(conn, token)
            return None
        starts = conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(att.c.starts), 0)).where(
                att.c.job_id == row.job_id, ~att.c.retired
            )
        ).scalar_one()
        if starts >= settings.max_attempts:
            conn.execute(att.update().where(att.c.token == token).values(state="failed", finished_at=_now()))
            _fail_job(conn, row.job_id, _gave_up(conn, row.job_id, starts), settings)
            return None
        conn.execute(
            att.update()
            .where(att.c.token == token)
            .values(
                state="running",
                starts=att.c.starts + 1,
                started_at=_now(),
                worker=worker,
                lease_expires_at=_lease(settings.lease_seconds),
            )
        )
        return Claim(row.job_id, row.poster_id, token, row.filePath or "", row.fileName or "")


def renew(eng: sa.Engine, settings: Settings, token: str) -> None:
    """Progress: extend this attempt's lease, and those of attempts queued behind it."""
    att = attempts_table()
    with eng.begin() as conn:
        conn.execute(
            att.update()
            .where(att.c.token == token, att.c.state == "running")
            .values(lease_expires_at=_lease(settings.lease_seconds))
        )
        conn.execute(
            att.update()
            .where(att.c.state == "queued")
            .values(lease_expires_at=sa.func.greatest(att.c.lease_expires_at, _lease(settings.lease_seconds)))
        )


def save_result(eng: sa.Engine, token: str, doc: dict[str, Any], seconds: float, size: int | None) -> bool:
    att = attempts_table()
    with eng.begin() as conn:
        res = conn.execute(
            att.update()
            .where(att.c.token == token, att.c.state == "running")
            .values(result=json.loads(json.dumps(doc)), seconds=seconds, download_bytes=size)
        )
        return res.rowcount == 1


def complete(eng: sa.Engine, settings: Settings, token: str) -> str:
    """Write the metadata and finish the job, all or nothing. Returns 'completed', 'stale' or 'failed'."""
    att = attempts_table()
    try:
        with eng.begin() as conn:
            row = _owned(conn, token)
            if row is None or row.result is None:
                conn.execute(
                    att.update().where(att.c.token == token, att.c.state.in_(LIVE)).values(state="stale")
                )
                return "stale"
            doc = row.result
            cols = mapping.to_columns(doc)
            values = {"posterId": row.poster_id, **cols, "created": utcnow(), "updated": utcnow()}
            stmt = pg_insert(poster_metadata).values(**values)
            update = {k: stmt.excluded[k] for k in cols} | {"updated": utcnow()}
            conn.execute(stmt.on_conflict_do_update(index_elements=["posterId"], set_=update))
            fields = mapping.poster_fields(doc)
            if fields:
                conn.execute(
                    poster.update().where(poster.c.id == row.poster_id).values(**fields, updated=utcnow())
                )
            conn.execute(
                extraction_job.update()
                .where(extraction_job.c.id == row.job_id)
                .values(status="completed", completed=True, error=None, updated=utcnow())
            )
            conn.execute(
                att.update()
                .where(att.c.token == token)
                .values(state="completed", finished_at=_now(), metadata_written=True, result=None)
            )
            return "completed"
    except sa.exc.IntegrityError:
        # The poster row vanished between claim and write (deleted by the frontend).
        fail(
            eng,
            settings,
            token,
            "the poster was deleted while its file was being processed; nothing was stored",
        )
        return "failed"


def fail(eng: sa.Engine, settings: Settings, token: str, message: str) -> bool:
    """Fail the job with a message a person can act on, if this attempt still owns it."""
    att = attempts_table()
    with eng.begin() as conn:
        row = _owned(conn, token)
        if row is None:
            conn.execute(
                att.update().where(att.c.token == token, att.c.state.in_(LIVE)).values(state="stale")
            )
            return False
        text = _error(message, settings)
        conn.execute(
            att.update().where(att.c.token == token).values(state="failed", finished_at=_now(), error=text)
        )
        _fail_job(conn, row.job_id, text, settings)
        return True


def _fail_job(conn: sa.Connection, job_id: str, message: str, settings: Settings) -> None:
    conn.execute(
        extraction_job.update()
        .where(extraction_job.c.id == job_id)
        .values(status="failed", completed=True, error=_error(message, settings), updated=utcnow())
    )


def status(eng: sa.Engine, job_id: str) -> dict[str, Any] | None:
    """What `GET /jobs/<id>` and `posterx jobs show` report."""
    att = attempts_table()
    job = extraction_job
    with eng.connect() as conn:
        row = conn.execute(
            sa.select(
                job.c.id,
                job.c.posterId,
                job.c.status,
                job.c.completed,
                job.c.error,
                job.c.created,
                job.c.updated,
            ).where(job.c.id == job_id)
        ).first()
        if row is None:
            return None
        history = conn.execute(
            sa.select(
                att.c.state,
                att.c.starts,
                att.c.claimed_at,
                att.c.started_at,
                att.c.finished_at,
                att.c.error,
                att.c.seconds,
                att.c.worker,
                att.c.thumbnail,
                att.c.retired,
            )  # fmt: skip
            .where(att.c.job_id == job_id)
            .order_by(att.c.id)
        ).all()
    iso = lambda v: v.isoformat() if v is not None else None  # noqa: E731
    return {
        "id": row.id,
        "posterId": row.posterId,
        "status": row.status,
        "completed": row.completed,
        "error": row.error,
        "attempts": sum(h.starts for h in history),
        "created": iso(row.created),
        "updated": iso(row.updated),
        "history": [
            {
                "state": h.state,
                "starts": h.starts,
                "claimed": iso(h.claimed_at),
                "started": iso(h.started_at),
                "finished": iso(h.finished_at),
                "error": h.error,
                "seconds": h.seconds,
                "worker": h.worker,
                "thumbnail": h.thumbnail,
                "retired": h.retired,
            }
            for h in history
        ],
    }


def note_thumbnail(eng: sa.Engine, token: str, note: str) -> None:
    """Record the thumbnail outcome in the attempt's history (path, or 'failed: …')."""
    att = attempts_table()
    with eng.begin() as conn:
        conn.execute(att.update().where(att.c.token == token).values(thumbnail=note[:500]))


def retry(eng: sa.Engine, settings: Settings, job_id: str) -> str | None:
    """Put a failed job back to pending with fresh attempts; None if it is unknown.

    Earlier attempts are kept for the history but marked `retired`, so they no longer count
    toward MAX_ATTEMPTS. Returns the job's status before the retry when it was not failed.
    """
    att = attempts_table()
    job = extraction_job
    with eng.begin() as conn:
        row = conn.execute(sa.select(job.c.status).where(job.c.id == job_id).with_for_update()).first()
        if row is None:
            return None
        if row.status != "failed":
            return row.status
        conn.execute(att.update().where(att.c.job_id == job_id).values(retired=True))
        conn.execute(
            job.update()
            .where(job.c.id == job_id)
            .values(status=settings.job_pending_status, completed=False, error=None, updated=utcnow())
        )
    return "failed"


@dataclass(frozen=True)
class Backlog:
    """The queue at a glance: what `/metrics` and `posterx jobs --status pending` report."""

    pending: int
    queued: int
    running: int
    oldest_pending_seconds: float
    claimed_per_minute: float  # attempts claimed, over the last RATE_WINDOW seconds
    finished_per_minute: float  # attempts that ended completed or failed, same window

    @property
    def eta_seconds(self) -> float | None:
        """Time to drain the jobs not yet finished at the recent rate; None when nothing drains."""
        left = self.pending + self.queued + self.running
        if left == 0:
            return 0.0
        if self.finished_per_minute <= 0:
            return None
        return left / self.finished_per_minute * 60


def backlog(conn: sa.Connection, settings: Settings) -> Backlog:
    att = attempts_table()
    job = extraction_job
    pending, oldest = conn.execute(
        sa.select(sa.func.count(), sa.func.extract("epoch", utcnow() - sa.func.min(job.c.created))).where(
            job.c.status == settings.job_pending_status, job.c.completed.is_(False)
        )
    ).one()
    since = sa.func.now() - sa.func.make_interval(0, 0, 0, 0, 0, 0, RATE_WINDOW)
    queued, running, claimed, finished = conn.execute(
        sa.select(
            sa.func.count().filter(att.c.state == "queued"),
            sa.func.count().filter(att.c.state == "running"),
            sa.func.count().filter(att.c.claimed_at >= since),
            sa.func.count().filter(att.c.state.in_(("completed", "failed")), att.c.finished_at >= since),
        )
    ).one()
    per_minute = 60 / RATE_WINDOW
    return Backlog(
        pending, queued, running, float(oldest or 0.0), claimed * per_minute, finished * per_minute
    )


def has_pending(eng: sa.Engine, settings: Settings) -> bool:
    """Is any job waiting to be claimed? (A cheap check a finishing chain makes.)"""
    job = extraction_job
    with eng.connect() as conn:
        return (
            conn.execute(
                sa.select(job.c.id)
                .where(job.c.status == settings.job_pending_status, job.c.completed.is_(False))
                .limit(1)
            ).first()
            is not None
        )
