"""A real Celery worker delivers webhooks, and logs as JSON under the id of the request that queued them."""
from __future__ import annotations

import json
import time

import pytest

from app.calls import lifecycle
from app.core import logs
from app.extensions import db
from app.notifications import webhooks
from tests.app.test_webhooks import Receiver, verify
from tests.factories import CallFactory, officer_for

pytestmark = pytest.mark.redis


def _wait(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _json_lines(text: str) -> list[dict]:
    found = []
    for line in text.splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            found.append(value)
    return found


def test_the_worker_posts_the_signed_event_and_logs_json_lines_with_the_request_id(live_app, workers):
    worker = workers("webhooks", settings={"LOG_FORMAT": "json"})
    receiver = Receiver()
    try:
        call = CallFactory(phase="draft")
        officer = officer_for(call)
        _hook, secret = webhooks.register(call.programme, officer, receiver.url, ["call.published"])
        db.session.commit()
        token = logs.bind("req-webhook-42")
        try:
            lifecycle.publish(call, officer)
            db.session.commit()  # hands the delivery to the worker through Redis
        finally:
            logs.unbind(token)
        assert _wait(lambda: receiver.requests), worker.output()[-3000:]
        [req] = receiver.requests
        assert verify(secret, req["body"], req["headers"]["X-Gongmo-Signature"])
        assert json.loads(req["body"])["event"] == "call.published"
        assert _wait(lambda: any(line.get("request_id") == "req-webhook-42" and "succeeded" in line["message"]
                                 for line in _json_lines(worker.output())), 15), worker.output()[-3000:]
        line = next(line for line in _json_lines(worker.output()) if line.get("request_id") == "req-webhook-42")
        assert set(line) >= {"time", "level", "logger", "message", "request_id"}
    finally:
        receiver.stop()
