"""`POST /thumbnails/generate`: (re)make a poster's thumbnail in the background.

The frontend calls it to regenerate a thumbnail; the request only queues the work (202).
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify, request

from app import broker
from app.api.jobs import require_key
from app.storage import StorageError, object_path

bp = Blueprint("thumbnails", __name__, url_prefix="/thumbnails")
log = logging.getLogger("posterx.api")
TASK = "posterx.thumbnail"


@bp.post("/generate")
@require_key
def generate():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(
            {"error": 'send a JSON object: {"posterId": <int>, "filePath": "<path in the zone>"}'}
        ), 400
    poster_id, file_path = body.get("posterId"), body.get("filePath")
    if not isinstance(poster_id, int) or isinstance(poster_id, bool) or poster_id <= 0:
        return jsonify({"error": "posterId must be a positive integer"}), 400
    if not isinstance(file_path, str) or not file_path.strip():
        return jsonify({"error": "filePath must be a non-empty string"}), 400
    try:
        path = object_path(file_path, "")
    except StorageError as exc:
        return jsonify({"error": str(exc)}), 400
    try:
        broker.send_task(current_app.config["POSTERX"], TASK, [poster_id, path])
    except Exception as exc:
        log.warning("could not queue a thumbnail: %s", type(exc).__name__)
        return jsonify({"error": "the task queue is unavailable; try again shortly"}), 503
    return jsonify({"status": "accepted", "posterId": poster_id, "filePath": path}), 202
