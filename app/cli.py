"""The `posterx` console script: extraction commands plus the service's own (db, jobs)."""

from __future__ import annotations

import argparse
import json
import sys

from extraction.cli import add_commands as add_extraction_commands


def _settings():
    from app.settings import ConfigError, exit_on_config_error, get

    try:
        return get()
    except ConfigError as exc:
        exit_on_config_error(exc)


def db_init(_args: argparse.Namespace) -> int:
    from app import db

    _settings()
    created = db.init_db()
    print("created: " + ", ".join(created) if created else "database already initialised; nothing to do")
    return 0


def jobs_list(args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from app import db

    _settings()
    job = db.extraction_job
    query = sa.select(job.c.id, job.c.posterId, job.c.status, job.c.updated, job.c.error).order_by(
        job.c.updated.desc()
    )
    if args.status:
        query = query.where(job.c.status == args.status)
    with db.engine().connect() as conn:
        rows = conn.execute(query.limit(args.limit)).all()
    for r in rows:
        err = f"  {r.error[:80]}" if r.error else ""
        print(f"{r.id}\tposter {r.posterId}\t{r.status}\t{r.updated:%Y-%m-%d %H:%M:%S}{err}")
    return 0


def jobs_show(args: argparse.Namespace) -> int:
    from app import db, jobs

    _settings()
    info = jobs.status(db.engine(), args.id)
    if info is None:
        print(f"posterx: no job with id {args.id}", file=sys.stderr)
        return 1
    print(json.dumps(info, indent=2))
    return 0


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
    jp.add_argument("--status", help="only jobs with this status")
    jp.add_argument("--limit", type=int, default=20)
    jp.set_defaults(func=jobs_list)
    jsub = jp.add_subparsers(dest="jobs_command")
    show = jsub.add_parser("show", help="one job and its attempt history")
    show.add_argument("id")
    show.set_defaults(func=jobs_show)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
