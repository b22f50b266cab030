"""The API's side of the broker: send tasks by name, read worker heartbeats, coalesce polls.

The API never imports `tasks/`: it sends "posterx.poll" by name through a bare Celery client,
so the web process loads no extraction code and no model.
"""

from __future__ import annotations

import json
import math
import time
from functools import lru_cache
from typing import Any

import redis
from celery import Celery
from kombu import Exchange, Queue

from app.settings import Settings

# The service's queues, declared explicitly: on Redis a queue's binding is a key, and a flushed or
# restarted Redis would otherwise silently drop every message published to it. celeryconfig.py
# (task_queues), the workers (tasks/worker.py) and the API (below) all declare them through
# `declare_queues`, so there is one definition.
GPU_QUEUE = "gpu"
POLL_QUEUE = "poll"
QUEUES = tuple(
    Queue(name, Exchange(name, type="direct"), routing_key=name) for name in (GPU_QUEUE, POLL_QUEUE)
)

POLL_TASK = "posterx.poll"
POLL_LOCK = "posterx:poll-coalesce"
POLL_COALESCE_MS = 1000
HEARTBEAT_PREFIX = "posterx:worker:"
POLL_PENDING = "posterx:poll-pending"


@lru_cache(maxsize=2)
def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5, retry_on_timeout=False)


def declare_queues(celery_app: Celery, names: tuple[str, ...] | None = None) -> None:
    """(Re-)declare our queues' bindings (all, or `names`) on the broker of `celery_app`.

    Cheap and idempotent: what brings publishing back after a Redis flush or restart.
    """
    wanted = [q for q in QUEUES if names is None or q.name in names]
    unknown = set(names or ()) - {q.name for q in QUEUES}
    if unknown:
        raise ValueError(f"unknown queue(s): {', '.join(sorted(unknown))}")
    with celery_app.connection_for_write() as conn:
        channel = conn.default_channel
        for queue in wanted:
            queue.bind(channel).declare()


@lru_cache(maxsize=2)
def celery_client(url: str) -> Celery:
    client = Celery("posterx-api", broker=url)
    client.conf.update(
        task_queues=QUEUES,
        broker_connection_retry=False,
        broker_connection_max_retries=0,
        broker_transport_options={"max_retries": 0, "socket_timeout": 1, "socket_connect_timeout": 1},
        task_ignore_result=True,
    )
    return client


def request_poll(settings: Settings) -> bool:
    """Send one poll unless one was sent in the last second; True when a task was sent.

    A burst of frontend calls becomes at most one poll per second: the lock is a Redis key set
    with NX and a 1 s expiry, so it needs no clean-up.
    """
    r = redis_client(settings.redis_url)
    if not r.set(POLL_LOCK, "1", nx=True, px=POLL_COALESCE_MS):
        return False
    client = celery_client(settings.redis_url)
    declare_queues(client, (POLL_QUEUE,))
    client.send_task(POLL_TASK, queue=POLL_QUEUE, expires=max(settings.poll_interval_seconds, 5), retry=False)
    return True


def worker_reports(settings: Settings) -> list[dict[str, Any]]:
    r = redis_client(settings.redis_url)
    reports = []
    for key in r.scan_iter(match=f"{HEARTBEAT_PREFIX}*", count=100):
        raw = r.get(key)
        if raw:
            try:
                reports.append(json.loads(raw))
            except ValueError:
                continue
    now = time.time()
    return [rep for rep in reports if now - rep.get("ts", 0) < 60]


def gpu_slots(settings: Settings) -> int:
    """Worker processes that consume `gpu`, from their live heartbeats (one per pool process).

    Read conservatively: a report counts only when it names the `gpu` queue, and at least one
    process is assumed, so a poll still claims something when heartbeats are late or unreadable.
    """
    try:
        reports = worker_reports(settings)
    except Exception:
        return 1
    return max(1, sum(1 for r in reports if "gpu" in (r.get("queues") or [])))


def mark_poll_pending(settings: Settings) -> bool:
    """Take the one 'a refill poll is on its way' flag; False when a poll is already pending.

    Why not the API's one-second coalescing: jobs can finish faster than that, and a poll
    skipped by a time window could leave the worker with nothing queued until beat. A poll that
    is pending has not started yet, so it will see every job that finished before it runs.
    The flag lives as long as the poll message may (it expires after one poll interval), and
    the poll task clears it when it starts.
    """
    r = redis_client(settings.redis_url)
    return bool(r.set(POLL_PENDING, "1", nx=True, ex=poll_expiry(settings)))


def poll_expiry(settings: Settings) -> int:
    """Seconds a poll message (and its pending flag) may wait: one poll interval, at least 5."""
    return max(5, math.ceil(settings.poll_interval_seconds))


def clear_poll_pending(settings: Settings) -> None:
    redis_client(settings.redis_url).delete(POLL_PENDING)


def send_task(settings: Settings, name: str, args: list[Any], queue: str = GPU_QUEUE) -> None:
    """Send a task by name (the API never imports tasks/), re-declaring its queue first."""
    client = celery_client(settings.redis_url)
    declare_queues(client, (queue,))
    client.send_task(name, args=args, queue=queue, retry=False)
