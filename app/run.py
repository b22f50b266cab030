"""`make run`: initialise the database, then run api, beat, worker and flower in the foreground.

Each is a child process; Ctrl-C (or any child exiting) stops them all. Development defaults
come from `.env` when present (see `.env.example`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.settings import ConfigError, exit_on_config_error
from app.settings import get as get_settings


def commands(settings) -> dict[str, list[str]]:
    bin_dir = Path(sys.executable).parent
    var = Path("var")
    var.mkdir(exist_ok=True)
    celery = str(bin_dir / "celery")
    flower_cmd = [celery, "-A", "tasks", "flower", f"--port={settings.flower_port}", "--address=127.0.0.1"]
    if os.environ.get("FLOWER_BASIC_AUTH"):
        flower_cmd.append(f"--basic-auth={os.environ['FLOWER_BASIC_AUTH']}")
    return {
        "api": [
            str(bin_dir / "gunicorn"),
            "-b",
            f"{settings.host}:{settings.port}",
            "-w",
            "2",
            "--timeout",
            "30",
            "app.wsgi:app",
        ],  # fmt: skip
        "beat": [celery, "-A", "tasks", "beat", "-s", str(var / "celerybeat-schedule"), "--loglevel=INFO"],
        "worker": [
            celery,
            "-A",
            "tasks",
            "worker",
            "-Q",
            "gpu,poll",
            "-c",
            "1",
            "-P",
            "prefork",
            "-E",
            "--loglevel=INFO",
            "-n",
            "gpu@%h",
        ],  # fmt: skip
        "flower": flower_cmd,
        **({"storage": [sys.executable, "-m", "app.devstorage"]} if local_storage(settings) else {}),
    }


def local_storage(settings) -> bool:
    """BUNNY_STORAGE_URL on this machine means: serve it ourselves (app.devstorage)."""
    from urllib.parse import urlsplit

    url = urlsplit(settings.bunny_storage_url)
    return url.scheme == "http" and url.hostname in ("127.0.0.1", "localhost")


def ensure_database(url: str) -> None:
    """Development convenience: create the configured database when the server lacks it."""
    import sqlalchemy as sa

    from app.db import driver_url

    target = sa.engine.make_url(driver_url(url))
    try:
        with sa.create_engine(target).connect():
            return
    except sa.exc.OperationalError as exc:
        if "does not exist" not in str(exc):
            return  # another problem (server down, auth): db init reports it clearly
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    print(f"posterx: created database {target.database}", flush=True)


def main() -> int:
    try:
        settings = get_settings()
    except ConfigError as exc:
        exit_on_config_error(exc)
    from app import db

    ensure_database(settings.database_url)
    created = db.init_db()
    print(f"posterx: database ready ({', '.join(created) or 'nothing to create'})", flush=True)
    warning = db.coexistence_warning()
    if warning:
        print(f"posterx: {warning}", file=sys.stderr, flush=True)
    procs = {name: subprocess.Popen(cmd) for name, cmd in commands(settings).items()}
    print(
        f"posterx: api on http://{settings.host}:{settings.port}, flower on :{settings.flower_port}",
        flush=True,
    )
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping and all(p.poll() is None for p in procs.values()):
            time.sleep(0.5)
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        # The worker may be finishing an extraction: give it time. Flower sometimes ignores
        # signals while its event thread is connected; nothing of value is lost by killing it.
        started = time.time()
        for name, p in procs.items():
            grace = 60 if name == "worker" else 10
            try:
                p.wait(timeout=max(0.1, started + grace - time.time()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
    failed = [n for n, p in procs.items() if p.returncode not in (0, -signal.SIGTERM, None)]
    return 1 if failed and not stopping else 0


if __name__ == "__main__":
    sys.exit(main())
