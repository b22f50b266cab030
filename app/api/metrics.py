"""`GET /metrics`: Prometheus text, read from PostgreSQL and Redis at scrape time.

Why a scrape-time collector instead of counters in memory: the numbers are produced by worker
processes on other hosts, and the queue's health must be visible even when Celery is wedged.
PostgreSQL holds the truth (jobs, attempts, seconds, bytes); Redis holds worker heartbeats.
Each source has a short timeout; a source that is down is reported by `posterx_up`.
"""

from __future__ import annotations

import logging
import time

import sqlalchemy as sa
from flask import Blueprint, Response, current_app
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily

from app import broker, db
from app import jobs as jobs_module
from app.settings import Settings

bp = Blueprint("metrics", __name__)
log = logging.getLogger("posterx.api")
BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0)


class ServiceCollector:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def collect(self):
        up = GaugeMetricFamily("posterx_up", "Whether a backend answered this scrape", labels=["component"])
        try:
            yield from self._database()
            up.add_metric(["database"], 1)
        except Exception as exc:
            log.warning("metrics: database unavailable (%s)", type(exc).__name__)
            up.add_metric(["database"], 0)
        try:
            yield from self._workers()
            up.add_metric(["broker"], 1)
        except Exception as exc:
            log.warning("metrics: broker unavailable (%s)", type(exc).__name__)
            up.add_metric(["broker"], 0)
        yield up

    def _database(self):
        s = self.settings
        att = db.attempts_table()
        job = db.extraction_job
        with db.engine(s.database_url).connect() as conn:
            conn.execute(sa.text("SET LOCAL statement_timeout = 1500"))
            by_status = conn.execute(sa.select(job.c.status, sa.func.count()).group_by(job.c.status)).all()
            oldest = conn.execute(
                sa.select(sa.func.extract("epoch", db.utcnow() - sa.func.min(job.c.created))).where(
                    job.c.status == s.job_pending_status, job.c.completed.is_(False)
                )
            ).scalar()
            by_state = conn.execute(
                sa.select(
                    att.c.state, sa.func.count(), sa.func.coalesce(sa.func.sum(att.c.starts), 0)
                ).group_by(att.c.state)
            ).all()
            queue = jobs_module.backlog(conn, s)
            seconds = att.c.seconds
            row = conn.execute(
                sa.select(
                    sa.func.count(seconds),
                    sa.func.coalesce(sa.func.sum(seconds), 0.0),
                    sa.func.coalesce(sa.func.sum(att.c.download_bytes), 0),
                    *[sa.func.count().filter(seconds <= b) for b in BUCKETS],
                )
            ).one()
        jobs = GaugeMetricFamily("posterx_jobs", "Extraction jobs by status", labels=["status"])
        for status, count in by_status:
            jobs.add_metric([status or ""], count)
        yield jobs
        yield GaugeMetricFamily(
            "posterx_oldest_pending_job_age_seconds",
            "Age of the oldest pending job (0 when none is pending)",
            value=float(oldest or 0.0),
        )
        depth = GaugeMetricFamily(
            "posterx_queue_depth",
            "Claimed jobs waiting in the gpu queue or being processed",
            labels=["state"],
        )
        depth.add_metric(["queued"], queue.queued)
        depth.add_metric(["running"], queue.running)
        yield depth
        window = f"over the last {jobs_module.RATE_WINDOW} s"
        yield GaugeMetricFamily(
            "posterx_claim_rate_per_minute",
            f"Jobs claimed per minute, {window}",
            value=queue.claimed_per_minute,
        )
        yield GaugeMetricFamily(
            "posterx_drain_rate_per_minute",
            f"Jobs finished (completed or failed) per minute, {window}",
            value=queue.finished_per_minute,
        )
        eta = queue.eta_seconds
        yield GaugeMetricFamily(
            "posterx_backlog_drain_seconds",
            "Estimated seconds until the unfinished jobs are done at the drain rate (-1: not draining)",
            value=-1.0 if eta is None else eta,
        )
        attempts = GaugeMetricFamily("posterx_attempts", "Attempts by state", labels=["state"])
        starts = GaugeMetricFamily(
            "posterx_attempt_starts", "Extraction starts by attempt state", labels=["state"]
        )
        for state, count, n in by_state:
            attempts.add_metric([state], count)
            starts.add_metric([state], n)
        yield attempts
        yield starts
        count, total, download_bytes, *cumulative = row
        hist = HistogramMetricFamily("posterx_extraction_seconds", "Seconds spent extracting a poster")
        buckets = [(str(b), c) for b, c in zip(BUCKETS, cumulative, strict=True)] + [("+Inf", count)]
        hist.add_metric([], buckets, float(total))
        yield hist
        yield GaugeMetricFamily(
            "posterx_download_bytes",
            "Bytes downloaded from storage for extraction",
            value=float(download_bytes),
        )

    def _workers(self):
        reports = broker.worker_reports(self.settings)
        now = time.time()
        age = GaugeMetricFamily(
            "posterx_worker_heartbeat_age_seconds", "Seconds since each worker process's last heartbeat",
            labels=["worker", "queues"],
        )  # fmt: skip
        for r in reports:
            age.add_metric(
                [f"{r.get('host')}:{r.get('pid')}", ",".join(r.get("queues", []))], now - r.get("ts", 0)
            )
        yield age
        yield GaugeMetricFamily(
            "posterx_workers", "Worker processes with a live heartbeat", value=len(reports)
        )


@bp.get("/metrics")
def metrics():
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ServiceCollector(current_app.config["POSTERX"]))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
