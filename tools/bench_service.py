"""`make bench-service`: how fast does a running stack drain a backlog, against what its workers could do?

Why a tool of its own: the extraction bench (`posterx bench`) times the library on one core, but a
backlog drains at the speed of claiming as much as of extraction. This starts a whole stack on
private resources (a throw-away PostgreSQL database, a private redis-server, a local
Bunny-compatible store in a temporary folder, the API, beat and N workers `-c 1`), puts N jobs
of dev PDFs in the frontend's tables as uploads would, sends one `POST /jobs/check` (the
frontend's trigger), and times the drain. It never touches a real database, Redis or storage.

The extraction-bound rate is what the workers could do if they never waited for work: N jobs over
the sum of the per-job task times (download + extract + upsert, as each worker logged them),
divided among the workers. The ratio of the measured drain rate to it is the share of the
workers' time spent on jobs. It also checks the guarantees: every job completed exactly once,
one metadata write each, no lease expired.

    .venv/bin/python tools/bench_service.py --jobs 300 --workers 1
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import sqlalchemy as sa  # noqa: E402

PG_ADMIN_URL = os.environ.get("POSTERX_BENCH_PG", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
ZONE = "posters-bench"
ACCESS_KEY = "bench-access-key"
TASK_LINE = re.compile(r"Task (posterx\.\w+)\[[^\]]+\] succeeded in ([0-9.eE+-]+)s")
JOB_TASKS = ("posterx.download", "posterx.extract", "posterx.upsert")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with contextlib.suppress(Exception):
            if predicate():
                return
        time.sleep(interval)
    raise SystemExit(f"bench-service: timed out after {timeout:.0f} s waiting for {what}")


def corpus_pdfs(corpus: Path) -> list[Path]:
    pdfs = sorted(corpus.glob("*/*.pdf")) or sorted(corpus.glob("*.pdf"))
    if not pdfs:
        raise SystemExit(f"bench-service: no PDF found in {corpus} (expected <id>/<id>.pdf)")
    return pdfs


class Stack:
    """Every process and resource of one run; `close()` stops and removes them all."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.db_name = f"posterx_bench_{uuid.uuid4().hex[:10]}"
        self.database_url = ""
        self.redis: subprocess.Popen | None = None
        self.storage = None

    def start_database(self) -> str:
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{self.db_name}"'))
        admin.dispose()
        url = sa.engine.make_url(PG_ADMIN_URL).set(database=self.db_name, drivername="postgresql")
        self.database_url = url.render_as_string(hide_password=False)
        return self.database_url

    def start_redis(self) -> str:
        port = free_port()
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.redis = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(port=port, socket_connect_timeout=0.5)
        wait_for(client.ping, 10, "redis-server")
        return f"redis://127.0.0.1:{port}/0"

    def start_storage(self, root: Path) -> str:
        from app.devstorage import make_server

        port = free_port()
        self.storage = make_server(root, ZONE, ACCESS_KEY, "127.0.0.1", port)
        self.storage.daemon_threads = True
        threading.Thread(target=self.storage.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{port}"

    def spawn(self, name: str, cmd: list[str], env: dict[str, str]) -> None:
        log = self.workdir / f"{name}.log"
        self.logs[name] = log
        with log.open("wb") as out:
            self.procs[name] = subprocess.Popen(
                cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def output(self, name: str) -> str:
        return self.logs[name].read_text(errors="replace")

    def close(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        if self.redis and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(10)
        if self.storage is not None:
            self.storage.shutdown()
            self.storage.server_close()
        if self.database_url:
            from app import db

            db.engine.cache_clear()
            admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(
                    sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                    {"n": self.db_name},
                )
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.db_name}"'))
            admin.dispose()


def insert_jobs(eng: sa.Engine, root: Path, pdfs: list[Path], n: int, pending: str) -> None:
    """Do what n uploads do: the file in storage, then the Poster and its pending job."""
    from sqlalchemy.dialects.postgresql import insert

    from app.db import extraction_job, poster, user, utcnow

    with eng.begin() as conn:
        conn.execute(
            insert(user)
            .values(
                id="bench-user",
                givenName="Bench",
                familyName="User",
                emailAddress="bench@example.org",
                password="!",
                emailVerified=True,
                created=utcnow(),
                updated=utcnow(),
            )  # fmt: skip
            .on_conflict_do_nothing()
        )
        for i in range(n):
            pdf = pdfs[i % len(pdfs)]
            folder = f"posters/d/bench{i:05d}"
            (root / folder).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(pdf, root / folder / pdf.name)
            poster_id = conn.execute(
                poster.insert()
                .values(
                    userId="bench-user",
                    title=pdf.name,
                    description="",
                    imageUrl="",
                    status="draft",
                    created=utcnow(),
                    updated=utcnow(),
                )  # fmt: skip
                .returning(poster.c.id)
            ).scalar_one()
            conn.execute(
                extraction_job.insert().values(
                    id=f"bench{i:05d}",
                    posterId=poster_id,
                    fileName=pdf.name,
                    filePath=folder,
                    status=pending,
                    completed=False,
                    created=utcnow(),
                    updated=utcnow(),
                )  # fmt: skip
            )


def task_seconds(logs: list[str]) -> dict[str, tuple[int, float]]:
    """Per task name: how many ran and their summed run time, from the workers' own log lines."""
    out: dict[str, tuple[int, float]] = {}
    for text in logs:
        for name, seconds in TASK_LINE.findall(text):
            count, total = out.get(name, (0, 0.0))
            out[name] = (count + 1, total + float(seconds))
    return out


def run(args: argparse.Namespace) -> dict:
    import requests

    pdfs = corpus_pdfs(args.corpus)
    workdir = Path(tempfile.mkdtemp(prefix="posterx-bench-"))
    stack = Stack(workdir)
    try:
        database_url = stack.start_database()
        redis_url = stack.start_redis()
        storage_root = workdir / "storage"
        storage_root.mkdir()
        storage_url = stack.start_storage(storage_root)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTERX_", "CELERY", "POLL_"))}
        env.update(
            DATABASE_URL=database_url, REDIS_URL=redis_url, BUNNY_STORAGE_ZONE=ZONE, BUNNY_ACCESS_KEY=ACCESS_KEY,
            BUNNY_STORAGE_URL=storage_url, EXTRACTION_ENGINE="layout", PYTHONUNBUFFERED="1",
            PYTHONPATH=os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        )  # fmt: skip
        for name, value in args.env:
            env[name] = value
        os.environ.update(env)  # this process reads the same settings (init_db, the checks)
        from app import db, settings

        settings.get.cache_clear()
        db._service.cache_clear()
        db.engine.cache_clear()
        conf = settings.get()
        eng = db.engine()
        db.init_db(eng)

        bin_dir = Path(sys.executable).parent
        celery = str(bin_dir / "celery")
        api_port = free_port()
        stack.spawn(
            "api", [str(bin_dir / "gunicorn"), "-b", f"127.0.0.1:{api_port}", "-w", "1", "app.wsgi:app"], env
        )
        for w in range(args.workers):
            stack.spawn(f"worker{w}", [celery, "-A", "tasks", "worker", "-Q", "gpu,poll", "-c", "1", "-P", "prefork",
                                       "-E", "--loglevel=INFO", "-n", f"bench{w}@%h"], env)  # fmt: skip
        api = f"http://127.0.0.1:{api_port}"
        wait_for(lambda: requests.get(api + "/", timeout=1).ok, 60, "the API")
        for w in range(args.workers):
            wait_for(lambda w=w: "ready." in stack.output(f"worker{w}"), 120, f"worker {w}")
        stack.spawn(
            "beat",
            [celery, "-A", "tasks", "beat", "-s", str(workdir / "beat-schedule"), "--loglevel=INFO"],
            env,
        )

        insert_jobs(eng, storage_root, pdfs, args.jobs, conf.job_pending_status)
        load_before = os.getloadavg()
        with eng.connect() as conn:
            t0 = conn.execute(sa.text("SELECT now()")).scalar_one()
        requests.post(api + "/jobs/check", timeout=5)  # the frontend's trigger, once
        started = time.time()
        job = db.extraction_job
        final = sa.select(sa.func.count()).select_from(job).where(job.c.status.in_(("completed", "failed")))
        done = 0
        while done < args.jobs:
            if time.time() - started > args.timeout:
                raise SystemExit(f"bench-service: {done}/{args.jobs} jobs done after {args.timeout:.0f} s")
            time.sleep(0.25)
            with eng.connect() as conn:
                done = conn.execute(final).scalar_one()
        load_after = os.getloadavg()
        att = db.attempts_table()
        with eng.connect() as conn:
            last = conn.execute(sa.select(sa.func.max(att.c.finished_at))).scalar_one()
            statuses = dict(
                conn.execute(sa.select(job.c.status, sa.func.count()).group_by(job.c.status)).all()
            )
            per_job = conn.execute(
                sa.select(
                    att.c.job_id,
                    sa.func.count().filter(att.c.state == "completed"),
                    sa.func.count().filter(att.c.metadata_written),
                ).group_by(att.c.job_id)
            ).all()
            lost = conn.execute(sa.select(sa.func.count()).where(att.c.state == "lost")).scalar_one()
            metadata_rows = conn.execute(
                sa.select(sa.func.count()).select_from(db.poster_metadata)
            ).scalar_one()
            extract_seconds = conn.execute(
                sa.select(sa.func.coalesce(sa.func.sum(att.c.seconds), 0.0))
            ).scalar_one()
    finally:
        stack.close()
    times = task_seconds(
        [(workdir / f"worker{w}.log").read_text(errors="replace") for w in range(args.workers)]
    )
    shutil.rmtree(workdir, ignore_errors=True)
    drain = (last - t0).total_seconds()
    busy = sum(times.get(name, (0, 0.0))[1] for name in JOB_TASKS)
    rate = args.jobs / drain * 60
    bound = args.jobs / (busy / args.workers) * 60 if busy else float("nan")
    once = sum(1 for _, completed, written in per_job if completed == 1 and written == 1)
    return {
        "jobs": args.jobs,
        "workers": args.workers,
        "poll_interval": conf.poll_interval_seconds,
        "poll_batch": conf.poll_batch,
        "drain_seconds": round(drain, 1),
        "jobs_per_min": round(rate, 1),
        "task_seconds": round(busy, 1),
        "extraction_seconds": round(float(extract_seconds), 1),
        "bound_jobs_per_min": round(bound, 1),
        "ratio": round(rate / bound, 3),
        "statuses": statuses,
        "completed_once": once,
        "metadata_rows": metadata_rows,
        "metadata_writes": sum(written for _, _, written in per_job),
        "lease_expiries": lost,
        "polls": times.get("posterx.poll", (0, 0.0))[0],
        "poll_seconds": round(times.get("posterx.poll", (0, 0.0))[1], 1),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
    }


def report(r: dict) -> str:
    ok = (
        r["completed_once"] == r["jobs"]
        and r["metadata_writes"] == r["jobs"]
        and r["statuses"] == {"completed": r["jobs"]}
    )
    rows = [
        ("jobs", r["jobs"]),
        ("workers (-c 1)", r["workers"]),
        ("POLL_INTERVAL_SECONDS / POLL_BATCH", f"{r['poll_interval']:g} / {r['poll_batch']}"),
        ("drain seconds", r["drain_seconds"]),
        ("jobs/min", r["jobs_per_min"]),
        ("task seconds (download+extract+upsert)", r["task_seconds"]),
        ("extraction-bound jobs/min", r["bound_jobs_per_min"]),
        ("ratio", f"{r['ratio']:.1%}"),
        ("statuses", r["statuses"]),
        ("completed exactly once", f"{r['completed_once']}/{r['jobs']}"),
        ("metadata writes / rows", f"{r['metadata_writes']} / {r['metadata_rows']}"),
        ("exactly-once check", "ok" if ok else "FAILED"),
        ("lease expiries", r["lease_expiries"]),
        ("polls run (seconds)", f"{r['polls']} ({r['poll_seconds']})"),
        ("load average before / after", f"{r['load_before']} / {r['load_after']}"),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=300, help="backlog size (default 300)")
    parser.add_argument("--workers", type=int, default=1, help="workers, each -c 1 (default 1)")
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus" / "dev",
                        help="folder of <id>/<id>.pdf posters, cycled (default ../shared/corpus/dev)")  # fmt: skip
    parser.add_argument("--env", action="append", default=[], type=lambda s: tuple(s.split("=", 1)),
                        metavar="NAME=VALUE", help="a setting for the stack (default: the service's defaults)")  # fmt: skip
    parser.add_argument("--timeout", type=float, default=3600.0, help="give up after this many seconds")
    parser.add_argument("--json", type=Path, help="append the result as one JSON line to this file")
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.workers < 1:
        parser.error("--jobs and --workers must be at least 1")
    result = run(args)
    print(report(result))
    if args.json:
        with args.json.open("a") as out:
            out.write(json.dumps(result, default=str) + "\n")
    ok = result["completed_once"] == args.jobs and result["metadata_writes"] == args.jobs
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
