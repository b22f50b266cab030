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

from app.settings import Settings

POLL_TASK = "posterx.poll"
POLL_LOCK = "posterx:poll-coalesce"
POLL_COALESCE_MS = 1000
HEARTBEAT_PREFIX = "posterx:worker:"
POLL_PENDING = "posterx:poll-pending"


@lru_cache(maxsize=2)
def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5, retry_on_timeout=False)


@lru_cache(maxsize=2)
def celery_client(url: str) -> Celery:
    client = Celery("posterx-api", broker=url)
    client.conf.update(
        task_queues=__import__("celeryconfig").task_queues,
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
    import celeryconfig

    client = celery_client(settings.redis_url)
    with client.connection_for_write() as conn:
        next(q for q in celeryconfig.task_queues if q.name == "poll").bind(conn.default_channel).declare()
    client.send_task(POLL_TASK, queue="poll", expires=max(settings.poll_interval_seconds, 5), retry=False)
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


def send_task(settings: Settings, name: str, args: list[Any], queue: str = "gpu") -> None:
    """Send a task by name (the API never imports tasks/), re-declaring its queue first."""
    import celeryconfig

    client = celery_client(settings.redis_url)
    with client.connection_for_write() as conn:
        next(q for q in celeryconfig.task_queues if q.name == queue).bind(conn.default_channel).declare()
    client.send_task(name, args=args, queue=queue, retry=False)
