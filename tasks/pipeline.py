"""download → extract → upsert: the three steps of one job, each idempotent and retry-safe.

Messages carry only the attempt's token; what a step needs is read from, and what it
produces is written to, PostgreSQL. A step whose token no longer owns its job does nothing.
The downloaded file lives in a temporary path handed to the next step; if that step runs on
another host (or after a redelivery) and the file is gone, it downloads again.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app import broker, db, jobs
from app.settings import get as get_settings
from app.storage import BunnyStorage, StorageError, object_path, remove
from tasks.celery import app

log = logging.getLogger("posterx.pipeline")
WORKER = f"{socket.gethostname()}:{os.getpid()}"

# Fault-injection hooks for the test suite; inert unless these variables are set.
FAULT_SLEEP = "POSTERX_FAULT_SLEEP_SECONDS"
FAULT_KILL_ON = "POSTERX_FAULT_KILL_ON"

busy = threading.Event()


def _storage() -> BunnyStorage:
    return BunnyStorage(get_settings())


def _suffix(name: str) -> str:
    return Path(name).suffix[:10]


@app.task(name="posterx.download", ignore_result=True)
def download(token: str) -> dict[str, Any] | None:
    settings = get_settings()
    claim = jobs.begin(db.engine(), settings, token, WORKER)
    if claim is None:
        return None
    try:
        path = object_path(claim.file_path, claim.file_name)
        got = _storage().download(path, suffix=_suffix(path))
    except StorageError as exc:
        jobs.fail(db.engine(), settings, token, f"download failed: {exc}")
        log.warning("job %s failed: %s", claim.job_id, exc, extra={"job_id": claim.job_id})
        return None
    return {"token": token, "path": str(got.path), "bytes": got.size}


@contextmanager
def _lease_keeper(token: str):
    """Renew the lease while the extraction runs, from a thread, so a slow poster is not 'lost'."""
    settings = get_settings()
    stop = threading.Event()
    period = max(1.0, min(30.0, settings.lease_seconds / 4))

    def loop() -> None:
        while not stop.wait(period):
            try:
                jobs.renew(db.engine(), settings, token)
            except Exception:  # the database may be briefly away; the next tick tries again
                log.warning("could not renew the lease of attempt %s", token[:8])

    thread = threading.Thread(target=loop, name="lease-keeper", daemon=True)
    busy.set()
    thread.start()
    try:
        yield
    finally:
        stop.set()
        busy.clear()


@app.task(name="posterx.extract", ignore_result=True)
def extract(prev: dict[str, Any] | None) -> dict[str, Any] | None:
    if not prev:
        return None
    settings = get_settings()
    token = prev["token"]
    claim = jobs.start(db.engine(), settings, token, WORKER)
    if claim is None:
        remove(Path(prev["path"]))
        return None
    path = Path(prev["path"])
    size = prev.get("bytes")
    try:
        if not path.exists():
            got = _storage().download(object_path(claim.file_path, claim.file_name), suffix=path.suffix)
            path, size = got.path, got.size
        options = settings.extract_options()
        with _lease_keeper(token):
            _fault_hooks(claim.file_name)
            started = time.perf_counter()
            doc = _run_extraction(path, options)
            seconds = time.perf_counter() - started
        jobs.save_result(db.engine(), token, doc, seconds, size)
        log.info("extracted job %s in %.2f s", claim.job_id, seconds,
                 extra={"job_id": claim.job_id, "poster_id": claim.poster_id})  # fmt: skip
        with _lease_keeper(token):  # LibreOffice takes seconds: the attempt is still making progress
            from app.thumbnails import prepare

            thumbnail = prepare(path, options)  # rendered while the file is here, published after the upsert
        return {"token": token, "poster_id": claim.poster_id, "thumbnail": thumbnail}
    except StorageError as exc:
        jobs.fail(db.engine(), settings, token, f"download failed: {exc}")
    except Exception as exc:  # ExtractionError carries a user-facing message; anything else is ours
        from extraction.errors import ExtractionError

        if isinstance(exc, ExtractionError):
            message = f"the poster could not be read: {exc}"
        else:
            log.exception("unexpected error extracting job %s", claim.job_id, extra={"job_id": claim.job_id})
            message = f"internal error while extracting the poster ({type(exc).__name__}); the operators have the details"
        jobs.fail(db.engine(), settings, token, message)
    finally:
        remove(path)
    return None


def _run_extraction(path: Path, options) -> dict[str, Any]:
    from extraction import extract as run

    return run(path, options)


def _fault_hooks(file_name: str) -> None:
    delay = float(os.environ.get(FAULT_SLEEP, "0") or 0)
    if delay:
        time.sleep(delay)
    marker = os.environ.get(FAULT_KILL_ON, "")
    if marker and marker in file_name:
        os.kill(os.getpid(), signal.SIGKILL)


@app.task(name="posterx.upsert", ignore_result=True)
def upsert(prev: dict[str, Any] | None) -> str | None:
    """The chain's last step, whatever happened before it: the job is done, so ask for the next."""
    settings = get_settings()
    if not prev:
        _refill(settings)
        return None
    outcome = jobs.complete(db.engine(), settings, prev["token"])
    _refill(settings)
    log.info("attempt %s: %s", prev["token"][:8], outcome, extra={"poster_id": prev.get("poster_id")})
    handle = prev.get("thumbnail")
    if isinstance(handle, str):  # a message from before the handle was a dict (a rolling upgrade)
        failed = handle.startswith("failed: ")
        handle = {"error": handle.removeprefix("failed: ")} if failed else {"file": handle}
    if isinstance(handle, dict):
        try:
            if outcome == "completed":
                _publish_thumbnail(settings, prev["token"], prev["poster_id"], handle)
        finally:
            if handle.get("file"):
                remove(Path(handle["file"]))
    return outcome


def refill(settings) -> bool:
    """Ask for one poll when jobs are still pending and no poll is on its way; True when sent.

    This is what drains a backlog at the workers' speed: each finished chain frees a claim slot
    and the poll it requests fills it, instead of the backlog waiting for beat's next tick.
    """
    if not jobs.has_pending(db.engine(), settings) or not broker.mark_poll_pending(settings):
        return False
    try:
        app.send_task("posterx.poll", queue="poll", expires=broker.poll_expiry(settings))
    except Exception:
        broker.clear_poll_pending(settings)
        raise
    return True


def _refill(settings) -> None:
    try:
        refill(settings)
    except Exception as exc:  # Redis or PostgreSQL away: beat's next tick polls anyway
        log.warning("could not request the next poll (%s)", type(exc).__name__)


def _publish_thumbnail(settings, token: str, poster_id: int, handle: dict[str, Any]) -> None:
    from app.thumbnails import from_prepared, publish

    result = publish(settings, db.engine(), poster_id, lambda: from_prepared(handle), trigger="extraction")
    try:
        jobs.note_thumbnail(db.engine(), token, result.record)
    except Exception:
        log.warning("could not record the thumbnail outcome for poster %s", poster_id)


@app.task(name="posterx.thumbnail", ignore_result=True)
def thumbnail(poster_id: int, file_path: str) -> dict[str, Any]:
    """`POST /thumbnails/generate`: download, render, upload, link. Safe to run again."""
    from app.thumbnails import ThumbnailError, publish, render

    settings = get_settings()

    def produce():
        try:
            path = object_path(file_path, "")
            got = _storage().download(path, suffix=_suffix(path))
        except StorageError as exc:
            raise ThumbnailError(f"could not download the poster ({exc})") from exc
        try:
            return render(got.path, settings.extract_options())
        finally:
            remove(got.path)

    return publish(settings, db.engine(), poster_id, produce, trigger="regenerate").to_dict()
