"""`POST /thumbnails/generate`: (re)make a poster's thumbnail in the background.

The frontend's "Regenerate thumbnail" sends `{"pdf_path": <ExtractionJob.filePath>,
"poster_id": <Poster.id>}`; `{"posterId", "filePath"}` is accepted as an alias. The request
only queues the work (202). A published poster is refused (409): its thumbnail has been copied
to the CDN, and the frontend itself never regenerates one.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, request

from app import broker, db
from app.api.jobs import require_key
from app.storage import StorageError, object_path
from app.thumbnails import PUBLISHED

bp = Blueprint("thumbnails", __name__, url_prefix="/thumbnails")
log = logging.getLogger("posterx.api")
TASK = "posterx.thumbnail"
USAGE = 'send a JSON object: {"pdf_path": "<path in the storage zone>", "poster_id": <int>}'


@bp.post("/generate")
@require_key
def generate():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify({"error": USAGE}), 400
    poster_id = body.get("poster_id", body.get("posterId"))
    file_path = body.get("pdf_path", body.get("filePath"))
    if not isinstance(poster_id, int) or isinstance(poster_id, bool) or poster_id <= 0:
        return jsonify({"error": f"poster_id must be a positive integer; {USAGE}"}), 400
    if not isinstance(file_path, str) or not file_path.strip():
        return jsonify({"error": f"pdf_path must be a non-empty string; {USAGE}"}), 400
    try:
        path = object_path(file_path, "")
    except StorageError as exc:
        return jsonify({"error": str(exc)}), 400
    settings = current_app.config["POSTERX"]
    try:
        with db.engine(settings.database_url).connect() as conn:
            status = conn.execute(sa.select(db.poster.c.status).where(db.poster.c.id == poster_id)).first()
    except sa.exc.SQLAlchemyError as exc:
        log.warning("could not read poster %s: %s", poster_id, type(exc).__name__)
        return jsonify({"error": "the database is unavailable; try again shortly"}), 503
    if status is None:
        return jsonify({"error": f"no poster with id {poster_id}"}), 404
    if status[0] == PUBLISHED:
        return jsonify({"error": f"poster {poster_id} is published; its thumbnail can no longer change"}), 409
    try:
        broker.send_task(settings, TASK, [poster_id, path])
    except Exception as exc:
        log.warning("could not queue a thumbnail: %s", type(exc).__name__)
        return jsonify({"error": "the task queue is unavailable; try again shortly"}), 503
    return jsonify({"status": "accepted", "poster_id": poster_id, "pdf_path": path}), 202
