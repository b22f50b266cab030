"""WSGI entry point for gunicorn: `gunicorn app.wsgi:app`. Exits with one line if config is missing."""

from app.api import create_app
from app.settings import ConfigError, exit_on_config_error

try:
    app = create_app()
except ConfigError as exc:
    exit_on_config_error(exc)
