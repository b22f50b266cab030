"""Celery configuration (Celery's "proj" layout: the app in tasks/celery.py reads this module).

Every value comes from the one `Settings` object (app/settings.py), built once here: so beat, the
workers and `celery inspect` read the environment and `./.env` exactly as the API and the CLI do,
and a bad configuration stops them with the same one line. Nothing here reads os.environ.

Reliability settings and why:
- acks_late + reject_on_worker_lost: a message is acknowledged only after its task finished,
  so a pool process killed mid-extraction gives the message back instead of losing it.
- visibility_timeout above the hard time limit: Redis re-delivers an unacknowledged message
  only after this long, so a long extraction is never handed to a second worker.
- prefetch 1: a busy worker holds no extra messages hostage.
- poll messages expire after one poll interval: while the worker is busy they are dropped
  instead of piling up (the next beat tick sends a fresh one).
"""

from app.broker import GPU_QUEUE, POLL_QUEUE, POLL_TASK, QUEUES
from app.settings import get_or_exit

_settings = get_or_exit()
_interval = _settings.poll_interval_seconds
_hard_limit = _settings.extract_time_limit

broker_url = _settings.redis_url
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
task_soft_time_limit = max(_hard_limit - 30, min(10, _hard_limit - 1), 1)

# Declared explicitly, and re-declared by the workers and the API (app/broker.py, declare_queues).
task_queues = QUEUES
task_default_queue = GPU_QUEUE
task_routes = {POLL_TASK: {"queue": POLL_QUEUE}}
task_serializer = "json"
accept_content = ["json"]

worker_send_task_events = True
task_send_sent_event = True
worker_hijack_root_logger = False

beat_schedule = {
    "poll-pending-jobs": {
        "task": POLL_TASK,
        "schedule": _interval,
        "options": {"queue": POLL_QUEUE, "expires": _interval},
    }
}
