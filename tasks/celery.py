"""The Celery application. Configuration lives in celeryconfig.py; tasks in modules by concern."""

from celery import Celery

app = Celery("posterx", include=["tasks.poll", "tasks.pipeline", "tasks.worker"])
app.config_from_object("celeryconfig")
