"""Celery configuration (Celery's "proj" layout: the app in tasks/celery.py reads this module).

Reliability settings and why:
- acks_late + reject_on_worker_lost: a message is acknowledged only after its task finished,
  so a pool process killed mid-extraction gives the message back instead of losing it.
- visibility_timeout above the hard time limit: Redis re-delivers an unacknowledged message
  only after this long, so a long extraction is never handed to a second worker.
- prefetch 1: a busy worker holds no extra messages hostage.
- poll messages expire after one poll interval: while the worker is busy they are dropped
  instead of piling up (the next beat tick sends a fresh one).
"""

import os

from kombu import Exchange, Queue

_interval = float(os.environ.get("POLL_INTERVAL_SECONDS", "30") or 30)
_hard_limit = int(os.environ.get("EXTRACT_TIME_LIMIT", "900") or 900)

broker_url = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
result_backend = broker_url
task_ignore_result = True
broker_connection_retry_on_startup = True
broker_transport_options = {"visibility_timeout": _hard_limit + 600}
result_backend_transport_options = {"visibility_timeout": _hard_limit + 600}
broker_pool_limit = 4

task_acks_late = True
task_reject_on_worker_lost = True
worker_prefetch_multiplier = 1
task_time_limit = _hard_limit
task_soft_time_limit = max(_hard_limit - 30, 10)

# Declared explicitly (and re-declared by workers and the API, see tasks/worker.py): on Redis a
# queue's binding is a key, and a flushed or restarted Redis would otherwise silently drop
# every message published to it.
task_queues = (
    Queue("gpu", Exchange("gpu", type="direct"), routing_key="gpu"),
    Queue("poll", Exchange("poll", type="direct"), routing_key="poll"),
)
task_default_queue = "gpu"
task_routes = {"posterx.poll": {"queue": "poll"}}
task_serializer = "json"
accept_content = ["json"]

worker_send_task_events = True
task_send_sent_event = True
worker_hijack_root_logger = False

beat_schedule = {
    "poll-pending-jobs": {
        "task": "posterx.poll",
        "schedule": _interval,
        "options": {"queue": "poll", "expires": _interval},
    }
}
