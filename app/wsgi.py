"""WSGI entry point for gunicorn: `gunicorn app.wsgi:app`. Exits with one line if config is missing."""

from app.api import create_app
from app.settings import get_or_exit

app = create_app(get_or_exit(status=4))  # 4: gunicorn halts ("App failed to load")
