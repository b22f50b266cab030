"""Celery tasks: they wire the service core (app/) to the extraction library (extraction/)."""

from tasks.celery import app

__all__ = ["app"]
