"""The Celery application. Configuration lives in celeryconfig.py; tasks in modules by concern."""

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

app = Celery("posterx", include=["tasks.poll", "tasks.pipeline", "tasks.worker"])
app.config_from_object("celeryconfig")


@after_setup_logger.connect
@after_setup_task_logger.connect
def _log_format(logger, **_: object) -> None:
    """LOG_FORMAT=json for the worker and beat (both set up logging through Celery)."""
    import sys

    from app.logs import restyle

    restyle(logger, "beat" if "beat" in sys.argv else "worker")
