"""Worker process set-up: settings checked at start, engine warmed per process, heartbeat.

The heartbeat is a Redis key with a short TTL per worker process. The API reads these keys
for /health: whether anything consumes the gpu queue, and what the worker reports about CUDA,
the GPU and the JSON model. The API never loads a model itself.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time

from celery.signals import worker_init, worker_process_init

from app.settings import ConfigError, exit_on_config_error
from app.settings import get as get_settings

log = logging.getLogger("posterx.worker")
HEARTBEAT_PREFIX = "posterx:worker:"
HEARTBEAT_EVERY = 5.0
HEARTBEAT_TTL = 20


@worker_init.connect
def _check_settings(**_: object) -> None:
    try:
        get_settings()
    except ConfigError as exc:
        exit_on_config_error(exc)


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


def declare_queues() -> None:
    """Re-declare our queues' bindings; cheap, and what brings publishing back after a Redis flush."""
    import celeryconfig
    from tasks.celery import app

    with app.connection_for_write() as conn:
        channel = conn.default_channel
        for queue in celeryconfig.task_queues:
            queue.bind(channel).declare()


def _heartbeat_loop() -> None:
    import redis

    from extraction import llm
    from tasks.pipeline import busy

    settings = get_settings()
    options = settings.extract_options()
    client = redis.Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
    key = f"{HEARTBEAT_PREFIX}{socket.gethostname()}:{os.getpid()}"
    while True:
        try:
            report = {"host": socket.gethostname(), "pid": os.getpid(), "queues": ["gpu", "poll"],
                      "engine": settings.extraction_engine, "busy": busy.is_set(), "ts": time.time(),
                      **llm.status(options)}  # fmt: skip
            client.set(key, json.dumps(report), ex=HEARTBEAT_TTL)
            declare_queues()
        except Exception:
            pass  # Redis away: /health will report it; keep trying
        time.sleep(HEARTBEAT_EVERY)
