"""The poll task: claim pending jobs and queue one download → extract → upsert chain each.

Claiming is work-conserving: a poll claims the free capacity (live gpu worker processes ×
CLAIM_DEPTH, minus the attempts already queued or running, at most POLL_BATCH), and every chain
that ends while jobs are still pending asks for the next poll (`refill`). So each worker has its
next job waiting while a backlog lasts, never more than a few (their leases stay valid), and
beat and the frontend's trigger only start the flow.
"""

from __future__ import annotations

import logging

from celery import chain

from app import broker, db, jobs
from app.broker import GPU_QUEUE, POLL_TASK, declare_queues
from app.settings import get as get_settings
from tasks.celery import app
from tasks.pipeline import download, extract, upsert

log = logging.getLogger("posterx.poll")


@app.task(name=POLL_TASK, ignore_result=True, acks_late=False)
def poll() -> int:
    """Claims are committed before the chains are sent; if sending fails, the lease brings them back."""
    settings = get_settings()
    try:
        broker.clear_poll_pending(settings)  # this poll sees every job that finished before now
    except Exception:
        log.warning("could not clear the pending-poll flag; it expires by itself")
    slots = broker.gpu_slots(settings) * settings.claim_depth
    claims = jobs.claim(db.engine(), settings, slots=slots)
    if claims:
        declare_queues(app, (GPU_QUEUE,))
    for c in claims:
        chain(download.si(c.token), extract.s(), upsert.s()).apply_async(queue=GPU_QUEUE)
        log.info(
            "claimed job %s (poster %s)",
            c.job_id,
            c.poster_id,
            extra={"job_id": c.job_id, "poster_id": c.poster_id},
        )
    return len(claims)
