"""`/health` reads the model's state from worker heartbeats: a loaded model says its format.

Workers report `json_model` as `ok (<format>, <dtype>)` (extraction.llm.status), for example
`ok (gguf SmolLM2-135M-Instruct.Q4_1.gguf, float32)`. With EXTRACTION_ENGINE=hybrid that must
count as a usable model, and anything else as not.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest

from app import broker
from app.api import create_app


@pytest.mark.parametrize(
    ("json_model", "code", "status"),
    [
        ("ok (gguf SmolLM2-135M-Instruct.Q4_1.gguf, float32)", 200, "healthy"),
        ("ok (safetensors, 4bit)", 200, "healthy"),
        ("configured (not loaded, gguf model.gguf)", 503, "unhealthy"),
        ("error: JSON_MODEL_PATH /models/json-model does not exist", 503, "unhealthy"),
    ],
)
def test_hybrid_health_follows_the_reported_model(settings, redis_server, json_model, code, status):
    client = create_app(replace(settings, extraction_engine="hybrid")).test_client()
    report = {"queues": ["gpu", "poll"], "ts": time.time(), "cuda": "available", "gpu": "NVIDIA L4",
              "json_model": json_model}  # fmt: skip
    client_redis = redis_server.client()
    # Heartbeats of workers that earlier tests started live on for their TTL: only this one may count.
    for key in client_redis.scan_iter(match=f"{broker.HEARTBEAT_PREFIX}*"):
        client_redis.delete(key)
    client_redis.set(f"{broker.HEARTBEAT_PREFIX}test:model", json.dumps(report), ex=20)
    try:
        resp = client.get("/health")
        assert (resp.status_code, resp.get_json()["status"]) == (code, status)
        assert resp.get_json()["checks"]["json_model"] == json_model
    finally:
        client_redis.delete(f"{broker.HEARTBEAT_PREFIX}test:model")
