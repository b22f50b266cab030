"""Worker process set-up: engine warmed per process, heartbeat, queue declaration.

Settings are checked before any of this: celeryconfig.py builds Celery's configuration from
`get_or_exit()`, so a worker with a bad configuration stops at start with one line.

The heartbeat is a Redis key with a short TTL per pool process. The API reads these keys for
/health: whether anything consumes the gpu queue, and what the worker reports about CUDA, the
GPU and the JSON model (loaded in the pool process; the API never loads a model itself).

The queues a heartbeat names are the ones the worker's consumer really consumes (`-Q`, and any
`add_consumer`/`cancel_consumer` since): the main process reads them from its consumer and
shares them with its pool processes through a small shared-memory buffer made before the fork.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import socket
import threading
import time

from celery.signals import worker_init, worker_process_init, worker_ready

from app.broker import HEARTBEAT_PREFIX, declare_queues
from app.settings import get as get_settings

log = logging.getLogger("posterx.worker")
HEARTBEAT_EVERY = 5.0
HEARTBEAT_TTL = 20
_QUEUES_BYTES = 1024

# Comma-separated names of the queues the consumer consumes, written by the worker's main process
# and read by its pool processes (which inherit it at fork). None outside a worker.
_consumed: multiprocessing.sharedctypes.SynchronizedString | None = None  # type: ignore[name-defined]


@worker_init.connect
def _share_queues(**_: object) -> None:
    """Main process, before the pool forks: make the buffer the pool processes will inherit."""
    global _consumed
    _consumed = multiprocessing.Array("c", _QUEUES_BYTES)


@worker_ready.connect
def _watch_consumer(sender=None, **_: object) -> None:
    """Main process, once the consumer runs: keep the shared buffer equal to what it consumes."""
    consumer = sender

    def loop() -> None:
        while True:
            try:
                names = sorted(q.name for q in consumer.task_consumer.queues)
                _set_consumed(names)
            except Exception:  # the consumer is restarting (broker away): keep the last value
                pass
            time.sleep(1.0)

    threading.Thread(target=loop, name="queues-watch", daemon=True).start()


def _set_consumed(names: list[str]) -> None:
    if _consumed is None:
        return
    raw = ",".join(names).encode()[: _QUEUES_BYTES - 1]
    with _consumed.get_lock():
        _consumed.value = raw


def consumed_queues() -> list[str]:
    """The queues this worker's consumer consumes (empty until it has started consuming)."""
    if _consumed is None:
        return []
    with _consumed.get_lock():
        raw = _consumed.value.decode()
    return [n for n in raw.split(",") if n]


@worker_process_init.connect
def _per_process(**_: object) -> None:
    """Runs in each pool process after fork: the only place heavy state may be created."""
    from extraction import llm
    from extraction.api import warm_up

    settings = get_settings()
    try:
        warm_up()
    except Exception:
        log.warning("warming up the extraction engine failed; the first job will load it")
    if settings.extraction_engine != "layout" and hasattr(llm, "warm_up"):
        try:
            llm.warm_up(settings.extract_options())
        except Exception:
            log.warning("the JSON model could not be loaded; extraction falls back to the layout engine")
    threading.Thread(target=_heartbeat_loop, name="heartbeat", daemon=True).start()


def _heartbeat_loop() -> None:
    import redis

    from extraction import llm
    from tasks.celery import app
    from tasks.pipeline import busy

    settings = get_settings()
    options = settings.extract_options()
    client = redis.Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
    key = f"{HEARTBEAT_PREFIX}{socket.gethostname()}:{os.getpid()}"
    while True:
        try:
            report = {"host": socket.gethostname(), "pid": os.getpid(), "queues": consumed_queues(),
                      "engine": settings.extraction_engine, "busy": busy.is_set(), "ts": time.time(),
                      **llm.status(options)}  # fmt: skip
            client.set(key, json.dumps(report), ex=HEARTBEAT_TTL)
            declare_queues(app)  # what brings publishing back after a Redis flush
        except Exception:
            pass  # Redis away: /health will report it; keep trying
        time.sleep(HEARTBEAT_EVERY)
