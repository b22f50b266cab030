"""`GET /openapi.json`: the API described for the frontend and for tooling.

Kept by hand next to the routes (the API is small); tests/service/test_openapi.py checks that it
lists exactly the app's routes and the status codes they return.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from app.api.health import _version

bp = Blueprint("openapi", __name__)

_ERROR = {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
_JSON_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_UNAUTHORISED = {"description": "API_KEY is set and the request lacks it", "content": _JSON_ERROR}
_SECURED = [{"bearer": []}, {"apiKey": []}]


def _health_op(summary: str) -> dict:
    return {
        "summary": summary,
        "responses": {
            "200": {"description": "healthy or degraded", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}},
            "503": {"description": "unhealthy: database or broker unreachable, no gpu worker, or the engine's model missing",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}},
        },
    }  # fmt: skip


def _poll_op(summary: str) -> dict:
    return {
        "summary": summary + " (open even with API_KEY set: it takes nothing and returns nothing)",
        "security": [],
        "responses": {"204": {"description": "a poll was requested (bursts coalesce)"}},
    }


SPEC: dict = {
    "openapi": "3.0.3",
    "info": {"title": "Poster Extraction API", "version": _version()},
    "paths": {
        "/": {"get": {"summary": "Service identity", "responses": {"200": {"description": "status, service, version"}}}},
        "/health": {"get": _health_op("Can the service process jobs right now?")},
        "/up": {"get": _health_op("Alias of /health")},
        "/jobs/poll": {"post": _poll_op("Ask for a poll of pending jobs; never waits for an extraction")},
        "/jobs/check": {"post": _poll_op("Same as /jobs/poll (the path the frontend calls)")},
        "/jobs/{job_id}": {
            "get": {
                "summary": "A job's status, error, attempts, timestamps and attempt history",
                "security": _SECURED,
                "parameters": [{"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {
                    "200": {"description": "the job", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}},
                    "401": _UNAUTHORISED,
                    "404": {"description": "no such job", "content": _JSON_ERROR},
                },
            }
        },
        "/thumbnails/generate": {
            "post": {
                "summary": "(Re)make a poster's thumbnail in the background",
                "description": "The frontend's body is {pdf_path, poster_id}; {filePath, posterId} is an alias.",
                "security": _SECURED,
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": [
                    {"type": "object", "required": ["poster_id", "pdf_path"],
                     "properties": {"poster_id": {"type": "integer", "minimum": 1}, "pdf_path": {"type": "string"}}},
                    {"type": "object", "required": ["posterId", "filePath"],
                     "properties": {"posterId": {"type": "integer", "minimum": 1}, "filePath": {"type": "string"}}},
                ]}}}},
                "responses": {
                    "202": {"description": "queued"},
                    "400": {"description": "invalid body or storage path", "content": _JSON_ERROR},
                    "401": _UNAUTHORISED,
                    "404": {"description": "no such poster", "content": _JSON_ERROR},
                    "409": {"description": "the poster is published: its thumbnail is on the CDN", "content": _JSON_ERROR},
                    "503": {"description": "the database or the task queue is unavailable", "content": _JSON_ERROR},
                },
            }
        },
        "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "text exposition format",
                     "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
        "/openapi.json": {"get": {"summary": "This description", "responses": {"200": {"description": "OpenAPI 3 document"}}}},
    },
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        },
        "schemas": {
            "Error": _ERROR,
            "Health": {"type": "object", "properties": {
                "status": {"type": "string", "enum": ["healthy", "degraded", "unhealthy"]},
                "checks": {"type": "object", "additionalProperties": {"type": "string"}}}},
            "Job": {"type": "object", "properties": {
                "id": {"type": "string"}, "posterId": {"type": "integer"}, "status": {"type": "string"},
                "completed": {"type": "boolean"}, "error": {"type": "string", "nullable": True},
                "attempts": {"type": "integer"}, "created": {"type": "string"}, "updated": {"type": "string"},
                "history": {"type": "array", "items": {"type": "object"}}}},
        },
    },
}  # fmt: skip


@bp.get("/openapi.json")
def openapi():
    return jsonify(SPEC)
