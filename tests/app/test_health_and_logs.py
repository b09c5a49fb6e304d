"""The probes (/healthz, /readyz) and the JSON log lines with their request id."""
from __future__ import annotations

import io
import json
import logging

import pytest

from app.core import logs, storage
from config import ProductionConfig
from tests.factories import UserFactory
from tests.services import free_port
from tests.support import sign_in


@pytest.fixture
def json_lines():
    """The process's log as JSON lines into a buffer; the root logger put back afterwards."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    buf = io.StringIO()
    logs.configure_json(logging.INFO, stream=buf)

    def read() -> list[dict]:
        return [json.loads(line) for line in buf.getvalue().splitlines() if line.strip()]

    yield read
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


# --- probes ----------------------------------------------------------------------------

def test_healthz_answers_anyone_without_touching_the_database(client, count_queries):
    with count_queries() as q:
        resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.get_json() == {"status": "ok"}
    assert q.count == 0
    assert "Set-Cookie" not in resp.headers


def test_a_probe_names_a_host_of_the_site_like_any_request(app, client, monkeypatch):
    assert client.get("/healthz", headers={"Host": "10.1.2.3:8000"}).status_code == 400
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", [*app.config["TRUSTED_HOSTS"], "10.1.2.3"])
    assert client.get("/healthz", base_url="http://10.1.2.3:8000").status_code == 200


def test_readyz_checks_the_database_and_storage(app, client):
    resp = client.get("/readyz")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body["status"] == "ok" and body["failed"] == []
    assert set(body["checks"]) == {"database", "storage"}  # no REDIS_URL in the tests: not asked


def test_readyz_names_an_unreachable_redis_with_a_503(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    resp = client.get("/readyz")
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["failed"] == ["redis"] and body["checks"]["database"]["status"] == "ok"


def test_readyz_asks_a_live_redis(app, client, monkeypatch, redis_server):
    monkeypatch.setitem(app.config, "REDIS_URL", redis_server.url)
    resp = client.get("/readyz")
    assert resp.status_code == 200 and resp.get_json()["checks"]["redis"]["status"] == "ok"


def test_readyz_names_unreachable_storage_with_a_503(app, client, monkeypatch):
    store = storage.from_url("s3://gongmo-blobs/x", endpoint_url=f"http://127.0.0.1:{free_port()}")
    monkeypatch.setitem(app.extensions, "storage", store)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    resp = client.get("/readyz")
    assert resp.status_code == 503 and resp.get_json()["failed"] == ["storage"]


def test_readyz_asks_the_s3_bucket(app, client, monkeypatch, s3_server):
    import boto3

    boto3.client("s3", endpoint_url=s3_server.endpoint_url).create_bucket(Bucket="gongmo-readyz")
    present = storage.from_url("s3://gongmo-readyz/blobs", endpoint_url=s3_server.endpoint_url)
    monkeypatch.setitem(app.extensions, "storage", present)
    assert client.get("/readyz").status_code == 200
    missing = storage.from_url("s3://gongmo-no-such-bucket/blobs", endpoint_url=s3_server.endpoint_url)
    monkeypatch.setitem(app.extensions, "storage", missing)
    resp = client.get("/readyz")
    assert resp.status_code == 503 and resp.get_json()["failed"] == ["storage"]


# --- request ids and JSON lines --------------------------------------------------------

def test_a_sane_request_id_is_echoed_and_anything_else_replaced(client):
    assert client.get("/healthz", headers={"X-Request-ID": "lb-4f2a.77"}).headers["X-Request-ID"] == "lb-4f2a.77"
    for bad in ("has spaces", "x" * 200, '"quoted"'):
        echoed = client.get("/healthz", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert echoed != bad and logs.sane(echoed)
    first, second = (client.get("/healthz").headers["X-Request-ID"] for _ in range(2))
    assert first != second


def test_each_request_ends_with_one_json_line_and_the_apps_lines_carry_its_id(app, client, json_lines, monkeypatch):
    user = UserFactory()
    sign_in(client, user)
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")  # readyz warns about it
    resp = client.get("/readyz?x=1", headers={"X-Request-ID": "req-123"})
    assert resp.status_code == 503
    lines = json_lines()
    said = next(line for line in lines if line["message"].startswith("readiness check redis failed"))
    assert said["request_id"] == "req-123" and said["level"] == "WARNING"
    done = [line for line in lines if line["logger"] == "gongmo.request"]
    assert len(done) == 1 and done[0]["request_id"] == "req-123"
    assert done[0]["method"] == "GET" and done[0]["path"] == "/readyz" and done[0]["status"] == 503
    assert done[0]["user_id"] == user.id and done[0]["duration_ms"] >= 0
    assert set(done[0]) >= {"time", "level", "logger", "message"}


def test_an_anonymous_refused_request_is_logged_without_a_user(client, json_lines):
    client.get("/officer/", headers={"X-Request-ID": "req-anon"})
    done = [line for line in json_lines() if line["logger"] == "gongmo.request"]
    assert done and done[-1]["request_id"] == "req-anon" and "user_id" not in done[-1]


def test_production_logs_json_by_default_and_the_flag_installs_it(make_app):
    assert ProductionConfig.LOG_FORMAT == "json"
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        make_app(LOG_FORMAT="json")
        handlers = [h for h in root.handlers if isinstance(h.formatter, logs.JsonFormatter)]
        assert len(handlers) == 1
        make_app(LOG_FORMAT="json")  # a second app in the process does not write every line twice
        assert len([h for h in root.handlers if isinstance(h.formatter, logs.JsonFormatter)]) == 1
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


def test_a_task_queued_by_a_request_carries_its_request_id(app):
    sent = []

    class Client:
        def send_task(self, name, args=(), **options):
            sent.append(options)

    queue = app.extensions["tasks"]
    saved, queue._client = queue._client, Client()
    try:
        token = logs.bind("req-777")
        try:
            queue.send("gongmo.sweep_outbox")
        finally:
            logs.unbind(token)
        queue.send("gongmo.sweep_outbox")
    finally:
        queue._client = saved
    assert sent[0]["headers"][logs.TASK_HEADER] == "req-777" and "headers" not in sent[1]
