"""`GET /`, `GET /health` (alias `/up`): is the service able to process jobs right now?

Each check has a sub-second timeout so the endpoint answers within 2 s even when Redis or
PostgreSQL is down. CUDA, GPU and model state come from the worker's heartbeat.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from app import broker, db
from app.settings import scrub

bp = Blueprint("health", __name__)


def _model_ok(state: object) -> bool:
    """A worker reports a loaded model as `ok (<format>, <dtype>)`, e.g. `ok (gguf model.gguf, float32)`."""
    return state == "ok" or str(state).startswith("ok (")


def _version() -> str:
    try:
        return version("posterx")
    except PackageNotFoundError:
        return "0.0.0"


@bp.get("/")
def index():
    return jsonify({"status": "ok", "service": "Poster Extraction API", "version": _version()})


def _check_db(url: str) -> str:
    try:
        with db.engine(url).connect() as conn:
            conn.execute(sa.text("SET LOCAL statement_timeout = 1000"))
            conn.execute(sa.text("SELECT 1"))
        return "ok"
    except Exception as exc:
        return "error: " + scrub(type(exc).__name__)


@bp.route("/health")
@bp.route("/up")
def health():
    settings = current_app.config["POSTERX"]
    checks: dict[str, str] = {"api": "ok", "database": _check_db(settings.database_url)}
    reports = []
    try:
        broker.redis_client(settings.redis_url).ping()
        checks["broker"] = "ok"
        reports = broker.worker_reports(settings)
    except Exception as exc:
        checks["broker"] = "error: " + type(exc).__name__
    gpu_workers = [r for r in reports if "gpu" in r.get("queues", [])]
    checks["worker"] = (
        f"ok ({len(gpu_workers)} on gpu)" if gpu_workers else "error: no worker consumes the gpu queue"
    )
    best = next(
        (r for r in gpu_workers if _model_ok(r.get("json_model"))), gpu_workers[0] if gpu_workers else {}
    )
    checks["cuda"] = str(best.get("cuda", "unknown"))
    checks["gpu"] = str(best.get("gpu", "unknown"))
    checks["json_model"] = str(best.get("json_model", "unknown"))

    unhealthy = any(checks[k] != "ok" for k in ("database", "broker")) or not gpu_workers
    if settings.extraction_engine == "hybrid" and gpu_workers and not _model_ok(checks["json_model"]):
        unhealthy = True  # the configured engine requires the model
    degraded = (
        not unhealthy and settings.extraction_engine == "auto" and checks["json_model"].startswith("error")
    )
    status = "unhealthy" if unhealthy else "degraded" if degraded else "healthy"
    body = {"status": status, "checks": {k: scrub(v, settings.secrets()) for k, v in checks.items()}}
    return jsonify(body), 503 if unhealthy else 200
