"""The `posterx` console script: extraction commands plus the service's own (db, jobs)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from extraction.cli import add_commands as add_extraction_commands


def _settings():
    from app.settings import get_or_exit

    return get_or_exit()


def db_init(_args: argparse.Namespace) -> int:
    from app import db

    _settings()
    created = db.init_db()
    print("created: " + ", ".join(created) if created else "database already initialised; nothing to do")
    warning = db.coexistence_warning()
    if warning:
        print(f"posterx: {warning}", file=sys.stderr)
    return 0


def jobs_list(args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from app import db, jobs

    settings = _settings()
    job = db.extraction_job
    status = settings.job_pending_status if args.status == "pending" else args.status
    pending = status == settings.job_pending_status
    query = sa.select(job.c.id, job.c.posterId, job.c.status, job.c.updated, job.c.error)
    # The backlog is listed in claim order (oldest first); any other listing, newest first.
    query = query.order_by(job.c.created, job.c.id) if pending else query.order_by(job.c.updated.desc())
    if status:
        query = query.where(job.c.status == status)
    with db.engine().connect() as conn:
        rows = conn.execute(query.limit(args.limit)).all()
        queue = jobs.backlog(conn, settings) if pending else None
    for r in rows:
        err = f"  {r.error[:80]}" if r.error else ""
        print(f"{r.id}\tposter {r.posterId}\t{r.status}\t{r.updated:%Y-%m-%d %H:%M:%S}{err}")
    if queue is not None:
        print(backlog_line(queue))
    return 0


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def backlog_line(queue) -> str:
    """One line under the pending list: how big the backlog is and when it should be gone."""
    from app.jobs import RATE_WINDOW

    head = f"backlog: {queue.pending} pending, {queue.queued} queued, {queue.running} running" + (
        f"; oldest waiting {_duration(queue.oldest_pending_seconds)}" if queue.pending else ""
    )
    eta = queue.eta_seconds
    if eta == 0:
        return head + "; nothing to drain"
    if eta is None:
        return (
            head + f"; no job finished in the last {RATE_WINDOW // 60} min, so no estimate (are workers up?)"
        )
    return (
        head + f"; draining at {queue.finished_per_minute:.1f} jobs/min (last {RATE_WINDOW // 60} min), "
        f"about {_duration(eta)} to drain"
    )


def jobs_show(args: argparse.Namespace) -> int:
    from app import db, jobs

    _settings()
    info = jobs.status(db.engine(), args.id)
    if info is None:
        print(f"posterx: no job with id {args.id}", file=sys.stderr)
        return 1
    print(json.dumps(info, indent=2))
    return 0


def jobs_retry(args: argparse.Namespace) -> int:
    from app import db, jobs

    settings = _settings()
    before = jobs.retry(db.engine(), settings, args.id)
    if before is None:
        print(f"posterx: no job with id {args.id}", file=sys.stderr)
        return 1
    if before != "failed":
        print(f"posterx: job {args.id} is {before}, not failed; nothing to retry", file=sys.stderr)
        return 1
    print(f"job {args.id} is {settings.job_pending_status} again, with fresh attempts")
    return 0


def submit(args: argparse.Namespace) -> int:
    from app import submit as client

    settings = _settings()
    api_url = args.api_url or settings.api_url or f"http://localhost:{settings.port}"
    return client.run(settings, args.file, api_url, args.wait, args.timeout)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="posterx", description="posterx: scientific posters to metadata.")
    sub = parser.add_subparsers(dest="command", required=True)
    add_extraction_commands(sub)

    dbp = sub.add_parser("db", help="database set-up")
    dbsub = dbp.add_subparsers(dest="db_command", required=True)
    dbsub.add_parser(
        "init", help="create the service's tables (and the frontend's, where missing)"
    ).set_defaults(func=db_init)

    jp = sub.add_parser("jobs", help="list and inspect extraction jobs")
    jp.add_argument(
        "--status", help="only jobs with this status; 'pending' (JOB_PENDING_STATUS) adds the time to drain"
    )
    jp.add_argument("--limit", type=int, default=20)
    jp.set_defaults(func=jobs_list)
    jsub = jp.add_subparsers(dest="jobs_command")
    show = jsub.add_parser("show", help="one job and its attempt history")
    show.add_argument("id")
    show.set_defaults(func=jobs_show)
    retry = jsub.add_parser("retry", help="put a failed job back to JOB_PENDING_STATUS with fresh attempts")
    retry.add_argument("id")
    retry.set_defaults(func=jobs_retry)

    sp = sub.add_parser("submit", help="do the frontend's part: upload a poster, insert its job, poll")
    sp.add_argument("file", type=Path, metavar="FILE")
    sp.add_argument("--wait", action="store_true", help="follow the job and print the stored metadata")
    sp.add_argument("--timeout", type=float, default=300.0, help="seconds to wait (default 300)")
    sp.add_argument("--api-url", help="the API (default: $API_URL, else http://localhost:$PORT)")
    sp.set_defaults(func=submit)
    return parser


def main(argv: list[str] | None = None) -> int:
    import logging

    from app import logs

    args = build_parser().parse_args(argv)
    logs.configure("cli", logging.WARNING)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
