"""Flask application factory (flaskr style): configuration loaded once, one blueprint per concern."""

from __future__ import annotations

from flask import Flask, jsonify
from flask_cors import CORS

from app.settings import Settings
from app.settings import get as get_settings


def create_app(settings: Settings | None = None) -> Flask:
    import logging

    from app import logs

    app = Flask(__name__)
    settings = settings or get_settings()
    logs.configure("api")
    logs.restyle(logging.getLogger("gunicorn.error"), "api")
    app.config["POSTERX"] = settings
    origins = [o.strip() for o in settings.cors_origins.split(",")] if settings.cors_origins != "*" else "*"
    CORS(app, origins=origins)

    from app.api import health, jobs, metrics, openapi, thumbnails

    for blueprint in (health.bp, jobs.bp, thumbnails.bp, metrics.bp, openapi.bp):
        app.register_blueprint(blueprint)

    @app.errorhandler(404)
    def not_found(_exc):  # JSON everywhere: the frontend never parses HTML
        return jsonify({"error": "not found"}), 404

    @app.errorhandler(405)
    def not_allowed(_exc):
        return jsonify({"error": "method not allowed"}), 405

    @app.errorhandler(500)
    def internal(_exc):
        return jsonify({"error": "internal error"}), 500

    return app
