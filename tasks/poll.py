"""The poll task: claim pending jobs and queue one download → extract → upsert chain each."""

from __future__ import annotations

import logging

from celery import chain

from app import db, jobs
from app.broker import GPU_QUEUE, POLL_TASK, declare_queues
from app.settings import get as get_settings
from tasks.celery import app
from tasks.pipeline import download, extract, upsert

log = logging.getLogger("posterx.poll")


@app.task(name=POLL_TASK, ignore_result=True, acks_late=False)
def poll() -> int:
    """Claims are committed before the chains are sent; if sending fails, the lease brings them back."""
    settings = get_settings()
    claims = jobs.claim(db.engine(), settings)
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
