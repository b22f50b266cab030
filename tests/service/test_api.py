"""The Flask API against real PostgreSQL and Redis (in-process client, real services)."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from app.api import create_app
from app.db import poster
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


def test_api_key_guards_reads_and_thumbnails_but_not_polls(settings, redis_server, eng):
    """The frontend calls /jobs/check with no credentials: with API_KEY set, the poll routes stay
    open (they only wake the poller), while a job's details and thumbnails need the key."""
    client = create_app(replace(settings, api_key="k-123456")).test_client()
    r = redis_server.client()
    for path in ("/jobs/check", "/jobs/poll"):
        r.delete("poll", "posterx:poll-coalesce")
        resp = client.post(path)
        assert resp.status_code == 204 and resp.get_data() == b""
        assert r.llen("poll") == 1
    job_id, poster_id = add_job(eng)
    assert client.get(f"/jobs/{job_id}").status_code == 401
    assert client.get(f"/jobs/{job_id}", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get(f"/jobs/{job_id}", headers={"Authorization": "Bearer k-123456"}).status_code == 200
    assert client.get(f"/jobs/{job_id}", headers={"X-API-Key": "k-123456"}).status_code == 200
    body = {"pdf_path": f"uploads/{poster_id}/poster.pdf", "poster_id": poster_id}
    assert client.post("/thumbnails/generate", json=body).status_code == 401
    assert client.get("/health").status_code in (200, 503)
    assert client.get("/").status_code == 200
    r.delete("poll")


def test_job_status(client, eng):
    assert client.get("/jobs/nope").status_code == 404
    job_id, poster_id = add_job(eng)
    body = client.get(f"/jobs/{job_id}").get_json()
    assert body["status"] == "pending-extraction" and body["posterId"] == poster_id and body["attempts"] == 0


def test_cors_header(client):
    resp = client.get("/", headers={"Origin": "https://posters.science"})
    assert resp.headers.get("Access-Control-Allow-Origin") in ("*", "https://posters.science")


def test_thumbnail_request_takes_the_frontends_body(client, eng, redis_server):
    """The frontend's "Regenerate thumbnail" body, the older alias, and the refusals."""
    r = redis_server.client()
    r.delete("gpu")
    _, poster_id = add_job(eng)
    for body in (
        {"pdf_path": f"uploads/{poster_id}/poster.pdf", "poster_id": poster_id},
        {"filePath": f"uploads/{poster_id}/poster.pdf", "posterId": poster_id},
    ):
        resp = client.post("/thumbnails/generate", json=body)
        assert resp.status_code == 202, resp.get_json()
    queued = [json.loads(m) for m in r.lrange("gpu", 0, -1)]
    assert [m["headers"]["task"] for m in queued] == ["posterx.thumbnail"] * 2
    assert {m["headers"]["argsrepr"] for m in queued} == {f"[{poster_id}, 'uploads/{poster_id}/poster.pdf']"}
    r.delete("gpu")

    assert (
        client.post("/thumbnails/generate", json={"pdf_path": "a.pdf", "poster_id": 999999}).status_code
        == 404
    )
    with eng.begin() as conn:
        conn.execute(poster.update().where(poster.c.id == poster_id).values(status="published"))
    resp = client.post("/thumbnails/generate", json={"pdf_path": "a.pdf", "poster_id": poster_id})
    assert resp.status_code == 409 and "published" in resp.get_json()["error"]
    for bad in (
        {"poster_id": "7", "pdf_path": "a.pdf"},
        {"poster_id": 7},
        {"poster_id": 7, "pdf_path": "../x"},
        [],
    ):
        resp = client.post("/thumbnails/generate", json=bad)
        assert resp.status_code == 400 and resp.get_json()["error"], bad
    assert r.llen("gpu") == 0
