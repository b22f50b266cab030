"""The Flask API against real PostgreSQL and Redis (in-process client, real services)."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from app.api import create_app
from tests.service.conftest import add_job
from tests.support import ACCESS_KEY, DB_PASSWORD, free_port


@pytest.fixture
def client(settings):
    return create_app(settings).test_client()


def test_index(client):
    body = client.get("/").get_json()
    assert body == {"status": "ok", "service": "Poster Extraction API", "version": "1.0.0"}


def test_health_unhealthy_without_worker(client):
    resp = client.get("/health")
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["database"] == "ok" and body["checks"]["broker"] == "ok"
    assert body["checks"]["worker"].startswith("error")
    assert set(body["checks"]) == {"api", "database", "broker", "worker", "cuda", "gpu", "json_model"}


def test_health_healthy_with_a_worker_heartbeat(client, settings, redis_server):
    report = {"queues": ["gpu", "poll"], "ts": time.time(), "cuda": "unavailable", "gpu": "none",
              "json_model": "not configured"}  # fmt: skip
    redis_server.client().set("posterx:worker:test:1", json.dumps(report), ex=20)
    try:
        resp = client.get("/up")
        assert resp.status_code == 200
        assert resp.get_json()["status"] == "healthy"
        assert resp.get_json()["checks"]["json_model"] == "not configured"
    finally:
        redis_server.client().delete("posterx:worker:test:1")


def test_health_answers_fast_when_redis_and_postgres_are_down(settings):
    dead = replace(
        settings,
        redis_url=f"redis://127.0.0.1:{free_port()}/0",
        database_url=f"postgresql://postgres:{DB_PASSWORD}@127.0.0.1:{free_port()}/x",
    )
    client = create_app(dead).test_client()
    started = time.time()
    resp = client.get("/health")
    assert time.time() - started < 2.0
    assert resp.status_code == 503
    text = resp.get_data(as_text=True)
    assert DB_PASSWORD not in text and ACCESS_KEY not in text
    body = resp.get_json()
    assert body["checks"]["broker"].startswith("error") and body["checks"]["database"].startswith("error")


def test_poll_returns_204_and_sends_one_task(client, redis_server):
    r = redis_server.client()
    r.delete("poll", "posterx:poll-coalesce")
    assert client.post("/jobs/poll").status_code == 204
    assert r.llen("poll") == 1
    message = json.loads(r.lindex("poll", 0))
    assert message["headers"]["task"] == "posterx.poll"
    r.delete("poll", "posterx:poll-coalesce")
    assert client.post("/jobs/check").status_code == 204
    assert r.llen("poll") == 1
    r.delete("poll")


def test_poll_coalesces_bursts(settings, redis_server):
    r = redis_server.client()
    r.delete("poll", "posterx:poll-coalesce")
    app = create_app(settings)

    def call(_):
        return app.test_client().post("/jobs/poll").status_code

    started = time.time()
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(call, range(100)))
    elapsed = time.time() - started
    assert codes == [204] * 100
    assert 1 <= r.llen("poll") <= 1 + int(elapsed) + 1
    r.delete("poll")


def test_api_key_required_when_set(settings, redis_server):
    client = create_app(replace(settings, api_key="k-123456")).test_client()
    assert client.post("/jobs/poll").status_code == 401
    assert client.post("/jobs/poll", headers={"Authorization": "Bearer wrong"}).status_code == 401
    redis_server.client().delete("posterx:poll-coalesce")
    assert client.post("/jobs/poll", headers={"Authorization": "Bearer k-123456"}).status_code == 204
    assert client.post("/jobs/check", headers={"X-API-Key": "k-123456"}).status_code == 204
    assert client.get("/health").status_code in (200, 503)
    assert client.get("/").status_code == 200
    redis_server.client().delete("poll")


def test_job_status(client, eng):
    assert client.get("/jobs/nope").status_code == 404
    job_id, poster_id = add_job(eng)
    body = client.get(f"/jobs/{job_id}").get_json()
    assert body["status"] == "pending" and body["posterId"] == poster_id and body["attempts"] == 0


def test_cors_header(client):
    resp = client.get("/", headers={"Origin": "https://posters.science"})
    assert resp.headers.get("Access-Control-Allow-Origin") in ("*", "https://posters.science")
