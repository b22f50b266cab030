"""Real services for the tests: a private Redis, a throw-away PostgreSQL database, a Bunny
look-alike HTTP server that can be told to fail, and helpers to run service processes.

Nothing here touches the system Redis's data or another test run's database: every run gets
its own Redis process on a free port and its own uniquely named database.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get("POSTERX_TEST_PG", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
ACCESS_KEY = "test-access-key-Zk93"
DB_PASSWORD = "s3cr3t-db-pw"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except Exception as exc:  # noqa: BLE001 - keep polling until the deadline
            last = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


class RedisServer:
    """A private redis-server; `restart()` and `flush()` serve the fault tests."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        wait_for(client.ping, 10, what="redis-server")
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def client(self):
        import redis

        return redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=2)


SHARED = REPO.parent / "shared"
SHARED_SCHEMA = SHARED / "frontend" / "schema.sql"
VENDORED_SCHEMA = REPO / "app" / "frontend_schema.sql"


def frontend_schema() -> Path:
    """The frontend's DDL: ../shared/frontend/schema.sql itself when this clone has it, else the
    vendored copy (tests/service/test_frontend_tables.py proves the two equal)."""
    return SHARED_SCHEMA if SHARED_SCHEMA.is_file() else VENDORED_SCHEMA


def apply_sql(url: str, path: Path) -> None:
    """Run a SQL file as is, the way `psql -f` would (one multi-statement string)."""
    from app.db import driver_url

    eng = sa.create_engine(driver_url(url))
    try:
        with eng.begin() as conn:
            conn.exec_driver_sql(path.read_text(encoding="utf-8"))
    finally:
        eng.dispose()


@contextmanager
def temp_database() -> Iterator[str]:
    """A fresh database on the local PostgreSQL; the URL carries a password to test scrubbing
    (trust auth ignores it)."""
    name = f"posterx_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql://postgres:{DB_PASSWORD}@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def content_type(path: str) -> str:
    """What Bunny answers as Content-Type: the type of the object's extension."""
    import mimetypes

    return mimetypes.MimeTypes(filenames=()).guess_type(path)[0] or "application/octet-stream"


class BunnyServer:
    """Serves `files` at /{zone}/{path} like Bunny Edge Storage, with scripted failures.

    `fail[path]` is a list of actions consumed one per request: an HTTP status (503, 404, 401),
    "stall:<seconds>" (send nothing, then answer), or "cut" (promise more bytes than sent).
    GET answers the Content-Type of the object's extension; DELETE removes a file, or a folder
    when the path ends with '/' (the frontend cleans up that way).
    """

    def __init__(self, zone: str = "posters") -> None:
        self.zone = zone
        self.files: dict[str, bytes] = {}
        self.fail: dict[str, list] = {}
        self.requests: list[tuple[str, str]] = []
        self.uploads: dict[str, bytes] = {}
        self.fail_puts: list[int] = []  # statuses answered to the next PUTs, one each
        # A PUT whose path contains one of these is answered 201 but lands in `lost`, not in
        # `files`, once per entry: a file lost from storage right after its upload.
        self.lose_puts: list[str] = []
        self.lost: dict[str, bytes] = {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_):
                pass

            def _path(self) -> str | None:
                parts = urlsplit(self.path).path.lstrip("/").split("/", 1)
                if len(parts) != 2 or unquote(parts[0]) != server.zone:
                    return None
                return unquote(parts[1])

            def _auth(self) -> bool:
                if self.headers.get("AccessKey") != ACCESS_KEY:
                    self.send_response(401)
                    self.end_headers()
                    self.wfile.write(b'{"HttpCode":401,"Message":"Unauthorized"}')
                    return False
                return True

            def do_GET(self):  # noqa: N802
                path = self._path()
                server.requests.append(("GET", path or self.path))
                if not self._auth():
                    return
                actions = server.fail.get(path or "", [])
                action = actions.pop(0) if actions else None
                if isinstance(action, str) and action.startswith("stall:"):
                    time.sleep(float(action.split(":")[1]))
                    action = None
                if isinstance(action, int):
                    self.send_response(action)
                    self.end_headers()
                    return
                if path not in server.files:
                    self.send_response(404)
                    self.end_headers()
                    return
                body = server.files[path]
                self.send_response(200)
                self.send_header("Content-Type", content_type(path))
                self.send_header("Content-Length", str(len(body) + (1000 if action == "cut" else 0)))
                self.end_headers()
                self.wfile.write(body)
                if action == "cut":
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)

            def do_PUT(self):  # noqa: N802
                path = self._path()
                server.requests.append(("PUT", path or self.path))
                if not self._auth():
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if server.fail_puts:
                    self.send_response(server.fail_puts.pop(0))
                    self.end_headers()
                    return
                marker = next((m for m in server.lose_puts if m in (path or "")), None)
                if marker is not None:
                    server.lose_puts.remove(marker)
                    server.lost[path or ""] = body
                    self.send_response(201)
                    self.end_headers()
                    return
                server.uploads[path or ""] = body
                server.files[path or ""] = body  # readable back, as on Bunny
                self.send_response(201)
                self.end_headers()

            def do_DELETE(self):  # noqa: N802 - the frontend cleans up a failed version upload
                path = self._path() or ""
                server.requests.append(("DELETE", path))
                if not self._auth():
                    return
                gone = [p for p in server.files if p == path or (path.endswith("/") and p.startswith(path))]
                for p in gone:
                    del server.files[p]
                self.send_response(200 if gone else 404)
                self.end_headers()

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):  # a client hanging up mid-body is expected
                pass

        self.httpd = Server(("127.0.0.1", self.port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> BunnyServer:
        self.thread.start()
        return self

    def restore(self, path: str) -> None:
        """Put a lost file back where it was uploaded."""
        self.files[path] = self.lost.pop(path)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def service_env(database_url: str, redis_url: str, bunny: BunnyServer, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTERX_", "CELERY"))}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        BUNNY_STORAGE_ZONE=bunny.zone,
        BUNNY_ACCESS_KEY=ACCESS_KEY,
        BUNNY_STORAGE_URL=bunny.url,
        EXTRACTION_ENGINE="layout",
        POLL_INTERVAL_SECONDS="2",
        LEASE_SECONDS="8",
        DOWNLOAD_READ_TIMEOUT="2",
        DOWNLOAD_RETRIES="2",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


ALL_LOGS: list[Path] = []  # every process log of this run, searched for leaked secrets


class Proc:
    """A service process (worker, beat, api) with its output captured to a log file."""

    def __init__(
        self, name: str, cmd: list[str], env: dict[str, str], log_dir: Path, cwd: Path = REPO
    ) -> None:
        self.name = name
        self.log_path = log_dir / f"{name}-{uuid.uuid4().hex[:6]}.log"
        ALL_LOGS.append(self.log_path)
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def output(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
        if self.proc.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self._log.close()


def bin_path(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def worker_cmd(name: str = "w1", queues: str = "gpu,poll") -> list[str]:
    return [bin_path("celery"), "-A", "tasks", "worker", "-Q", queues, "-c", "1", "-P", "prefork", "-E",
            "--without-mingle", "--without-gossip", "--loglevel=INFO", "-n", f"{name}@%h"]  # fmt: skip


def beat_cmd(schedule: Path) -> list[str]:
    return [bin_path("celery"), "-A", "tasks", "beat", "-s", str(schedule), "--loglevel=INFO"]


def api_cmd(port: int) -> list[str]:
    return [bin_path("gunicorn"), "-b", f"127.0.0.1:{port}", "-w", "1", "app.wsgi:app"]


class PrivatePostgres:
    """A throw-away PostgreSQL cluster this test run may stop and start (the shared one it may not)."""

    def __init__(self, base: Path) -> None:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        self.bin = found[-1].parent if found else None
        self.base = base
        self.data = base / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres:{DB_PASSWORD}@127.0.0.1:{self.port}/postgres"

    def usable(self) -> str | None:
        """Why this cluster cannot run here, or None."""
        if self.bin is None:
            return "PostgreSQL server binaries (initdb) are not installed"
        if os.geteuid() == 0 and not shutil.which("runuser"):
            return "running as root without runuser to drop to the postgres user"
        return None

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)

    def init(self) -> PrivatePostgres:
        self.base.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres")
        return self.start()

    def start(self) -> PrivatePostgres:
        opts = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.base / "log"), "-w", "start")
        return self

    def stop(self) -> None:
        with suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
