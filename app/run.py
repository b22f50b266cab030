"""`make run`: initialise the database, then run api, beat, worker and flower in the foreground.

Each is a child process; Ctrl-C (or any child exiting) stops them all. Development defaults
come from `.env` when present (see `.env.example`); the children read the same settings
(app/settings.py), `.env` included.

Storage: when BUNNY_STORAGE_URL names this machine and nothing listens on its port, the
development storage (app/devstorage.py) is started too. When a server already listens there (a
devstorage left from another run, a MinIO-like look-alike, a test's), it is used as it is, and
one line says so: starting a second one would only die with "Address already in use".
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from app.settings import get_or_exit, is_loopback


def commands(settings, serve_storage: bool = False) -> dict[str, list[str]]:
    """What `make run` starts. Flower reads FLOWER_BASIC_AUTH from the environment it inherits
    (as in docker-compose.yml), so the password never shows in `ps`."""
    bin_dir = Path(sys.executable).parent
    var = Path("var")
    var.mkdir(exist_ok=True)
    celery = str(bin_dir / "celery")
    flower_cmd = [celery, "-A", "tasks", "flower", f"--port={settings.flower_port}", "--address=127.0.0.1"]
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
        **({"storage": [sys.executable, "-m", "app.devstorage"]} if serve_storage else {}),
    }


def local_storage(settings) -> bool:
    """BUNNY_STORAGE_URL on this machine (plain http): a development storage may be served there."""
    url = urlsplit(settings.bunny_storage_url)
    return url.scheme == "http" and is_loopback(url.hostname)


def listening(host: str, port: int, timeout: float = 0.5) -> bool:
    """Whether something accepts connections at host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def storage_plan(settings) -> tuple[bool, str]:
    """(serve the development storage?, the one line that says which storage is used)."""
    base = settings.bunny_base_url
    if not local_storage(settings):
        return False, f"posterx: storage is {base} (not on this machine: no development storage)"
    url = urlsplit(settings.bunny_storage_url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    if listening(host, port):
        return False, f"posterx: storage: a server already listens on {host}:{port}; using it ({base})"
    return True, f"posterx: storage: serving var/storage/ on {base} (app/devstorage.py)"


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
    settings = get_or_exit()
    from app import db

    ensure_database(settings.database_url)
    created = db.init_db()
    print(f"posterx: database ready ({', '.join(created) or 'nothing to create'})", flush=True)
    warning = db.coexistence_warning()
    if warning:
        print(f"posterx: {warning}", file=sys.stderr, flush=True)
    serve_storage, storage_line = storage_plan(settings)
    print(storage_line, flush=True)
    procs = {name: subprocess.Popen(cmd) for name, cmd in commands(settings, serve_storage).items()}
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
