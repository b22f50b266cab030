"""`POST /jobs/poll` (and `/jobs/check`, the path the frontend calls), `GET /jobs/<id>`.

Posting only asks for a poll: it returns 204 at once and never waits for an extraction.
The two poll routes stay open even with API_KEY set, because the frontend calls them with no
credentials at all: they take no input, return nothing, and bursts are coalesced to one poll a
second, so the worst an anonymous caller can do is wake the poller early. Reading a job (its
errors and history) needs the key.
"""

from __future__ import annotations

import hmac
import logging
from functools import wraps

from flask import Blueprint, current_app, jsonify, request

from app import broker, db, jobs

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
log = logging.getLogger("posterx.api")


def require_key(view):
    """With API_KEY set, callers must send it as `Authorization: Bearer <key>` or `X-API-Key`."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        key = current_app.config["POSTERX"].api_key
        if key:
            auth = request.headers.get("Authorization", "")
            given = auth[7:] if auth.startswith("Bearer ") else request.headers.get("X-API-Key", "")
            if not hmac.compare_digest(given.encode(), key.encode()):
                return jsonify({"error": "missing or wrong API key"}), 401
        return view(*args, **kwargs)

    return wrapped


@bp.post("/poll")
@bp.post("/check")
def poll():
    try:
        broker.request_poll(current_app.config["POSTERX"])
    except Exception as exc:  # the broker is down: beat will poll once it is back
        log.warning("could not request a poll: %s", type(exc).__name__)
    return "", 204


@bp.get("/<job_id>")
@require_key
def show(job_id: str):
    info = jobs.status(db.engine(current_app.config["POSTERX"].database_url), job_id)
    if info is None:
        return jsonify({"error": f"no job with id {job_id}"}), 404
    return jsonify(info)
