"""Outbound webhooks against a real HTTP receiver on 127.0.0.1: signed, retried, exactly once per event."""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from app.calls import lifecycle
from app.extensions import db
from app.models import AuditEntry
from app.models.webhooks import DeliveryStatus, Webhook, WebhookDelivery
from app.notifications import reminders, webhook_delivery, webhooks
from app.selection import decisions, results, screening
from tests.app.builders import submitted_proposal, uniform_sheets
from tests.factories import CallFactory, closed_call, officer_for, other_agency_officer
from tests.support import sign_in

ALL_EVENTS = ["call.published", "call.closed", "results.announced"]


class Receiver:
    """A tiny threaded HTTP server: records every POST and answers the next queued status (200 after)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self) -> list[str]:
        return [json.loads(r["body"])["event"] for r in self.requests]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


def verify(secret: str, body: bytes, header: str) -> bool:
    """What the README shows a receiving system doing."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


def register(client, programme_id: int, url: str, events=ALL_EVENTS) -> str:
    resp = client.post(f"/officer/programmes/{programme_id}/webhooks",
                       data={"url": url, "description": "ERP", "events": events})
    assert resp.status_code == 201, resp.get_data(as_text=True)[:2000]
    return re.search(r"<code>(whsec_[^<]+)</code>", resp.get_data(as_text=True)).group(1)


def test_an_officer_registers_an_endpoint_whose_secret_is_shown_once_and_sealed(app, client, receiver):
    call = CallFactory(phase="draft")
    officer = officer_for(call)
    sign_in(client, officer)
    secret = register(client, call.programme_id, receiver.url)
    hook = db.session.scalar(select(Webhook))
    assert hook.url == receiver.url and hook.events == ALL_EVENTS and hook.active
    assert secret not in hook.secret_sealed and webhook_delivery.secret_of(hook) == secret
    page = client.get(f"/officer/programmes/{call.programme_id}/webhooks").get_data(as_text=True)
    assert receiver.url in page and secret not in page
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "webhook.created"))
    assert entry.actor_id == officer.id and entry.data["url"] == receiver.url
    assert secret not in json.dumps(entry.data)


@pytest.mark.parametrize("url, events, message", [
    ("ftp://example.org/hook", ALL_EVENTS, "http:// 또는 https://로 시작하는 주소를 입력하십시오."),
    ("https://user:pw@example.org/hook", ALL_EVENTS, "주소에 사용자 이름이나 비밀번호를 넣을 수 없습니다"),
    ("https://example.org/hook", [], "받을 이벤트를 하나 이상 고르십시오."),
    ("", ALL_EVENTS, "받을 주소를 입력하십시오."),
])
def test_a_bad_endpoint_is_refused_beside_its_field_and_nothing_is_stored(app, client, url, events, message):
    call = CallFactory(phase="draft")
    sign_in(client, officer_for(call))
    resp = client.post(f"/officer/programmes/{call.programme_id}/webhooks", data={"url": url, "events": events})
    assert resp.status_code == 422
    assert message in resp.get_data(as_text=True)
    assert db.session.scalar(select(Webhook)) is None


def test_production_accepts_only_https_endpoints(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_HTTPS_ONLY", True)
    call = CallFactory(phase="draft")
    sign_in(client, officer_for(call))
    resp = client.post(f"/officer/programmes/{call.programme_id}/webhooks",
                       data={"url": "http://erp.example.org/hook", "events": ALL_EVENTS})
    assert resp.status_code == 422 and "https://" in resp.get_data(as_text=True)


def test_another_agencys_officer_neither_sees_nor_adds_endpoints(app, client, receiver):
    call = CallFactory(phase="draft")
    sign_in(client, other_agency_officer())
    assert client.get(f"/officer/programmes/{call.programme_id}/webhooks").status_code == 404
    assert client.post(f"/officer/programmes/{call.programme_id}/webhooks",
                       data={"url": receiver.url, "events": ALL_EVENTS}).status_code == 404
    assert db.session.scalar(select(Webhook)) is None


def test_publishing_posts_a_signed_event_that_verifies(app, client, receiver):
    call = CallFactory(phase="draft")
    officer = officer_for(call)
    sign_in(client, officer)
    secret = register(client, call.programme_id, receiver.url)
    lifecycle.publish(call, officer)
    assert receiver.requests == []  # nothing before the commit
    db.session.commit()
    [req] = receiver.requests
    body = json.loads(req["body"])
    assert body["event"] == "call.published" and body["call"]["code"] == call.code
    assert body["occurred_at"] and body["delivery_id"] == req["headers"]["X-Gongmo-Delivery"]
    assert req["headers"]["X-Gongmo-Event"] == "call.published"
    assert req["headers"]["X-Gongmo-Timestamp"].isdigit()
    assert verify(secret, req["body"], req["headers"]["X-Gongmo-Signature"])
    assert not verify("whsec_wrong", req["body"], req["headers"]["X-Gongmo-Signature"])
    row = db.session.scalar(select(WebhookDelivery))
    assert row.status == DeliveryStatus.DELIVERED and row.last_status == 200 and row.attempts == 1
    page = client.get(f"/officer/programmes/{call.programme_id}/webhooks").get_data(as_text=True)
    assert row.delivery_id in page


def test_a_rolled_back_change_announces_nothing(app, client, receiver):
    call = CallFactory(phase="draft")
    officer = officer_for(call)
    sign_in(client, officer)
    register(client, call.programme_id, receiver.url)
    lifecycle.publish(call, officer)
    db.session.rollback()
    assert receiver.requests == [] and db.session.scalar(select(WebhookDelivery)) is None


def test_a_500_is_retried_after_the_backoff_with_the_same_delivery_and_signature(app, client, receiver, clock):
    call = CallFactory(phase="draft")
    officer = officer_for(call)
    sign_in(client, officer)
    secret = register(client, call.programme_id, receiver.url)
    receiver.statuses = [500]
    lifecycle.publish(call, officer)
    db.session.commit()
    row = db.session.scalar(select(WebhookDelivery))
    assert len(receiver.requests) == 1
    assert row.status == DeliveryStatus.PENDING and row.last_status == 500 and row.attempts == 1
    assert webhook_delivery.sweep() == 0  # not due before the backoff
    clock.shift(timedelta(seconds=31))
    assert webhook_delivery.sweep() == 1
    first, second = receiver.requests
    assert first["body"] == second["body"]
    assert first["headers"]["X-Gongmo-Delivery"] == second["headers"]["X-Gongmo-Delivery"]
    assert verify(secret, second["body"], second["headers"]["X-Gongmo-Signature"])
    db.session.expire_all()
    assert row.status == DeliveryStatus.DELIVERED and row.attempts == 2
    clock.shift(timedelta(hours=1))
    assert webhook_delivery.sweep() == 0 and len(receiver.requests) == 2


def test_without_a_broker_a_request_retries_a_delivery_that_is_due(make_app, _schema, receiver, clock):
    """`make run` alone (no Redis, no beat): the minute's clock work on a request retries webhooks too."""
    from app.web import main
    from tests.conftest import _truncate_all

    dev = make_app(TESTING=False, TASKS_EAGER=True)
    with dev.app_context():
        try:
            call = CallFactory(phase="draft")
            officer = officer_for(call)
            webhooks.register(call.programme, officer, receiver.url, ALL_EVENTS)
            db.session.commit()
            receiver.statuses = [503]
            lifecycle.publish(call, officer)
            db.session.commit()
            assert len(receiver.requests) == 1  # refused: to be retried after the backoff
            clock.shift(timedelta(seconds=31))
            main._last_tick = 0.0
            dev.test_client().get("/")
            assert receiver.events() == ["call.published", "call.published"]
            db.session.expire_all()
            assert db.session.scalar(select(WebhookDelivery)).status == DeliveryStatus.DELIVERED
        finally:
            db.session.remove()
            _truncate_all(db)


def test_an_endpoint_that_never_answers_2xx_is_given_up(app, client, receiver, clock, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 2)
    call = CallFactory(phase="draft")
    officer = officer_for(call)
    sign_in(client, officer)
    register(client, call.programme_id, receiver.url)
    receiver.statuses = [503, 302]  # a redirect is not followed: the registered address is the only one
    lifecycle.publish(call, officer)
    db.session.commit()
    clock.shift(timedelta(minutes=5))
    webhook_delivery.sweep()
    row = db.session.scalar(select(WebhookDelivery))
    assert row.status == DeliveryStatus.FAILED and row.last_status == 302 and len(receiver.requests) == 2


def test_the_clock_closes_a_call_once_and_the_announcement_is_sent_once(app, client, receiver, clock):
    call = CallFactory()
    officer = officer_for(call)
    sign_in(client, officer)
    register(client, call.programme_id, receiver.url)
    clock.shift(timedelta(days=31))
    reminders.run()
    reminders.run()
    assert webhook_delivery.sweep() == 0
    assert receiver.events() == ["call.closed"]
    # The same event announced again (a retried job, a second beat) queues nothing.
    assert webhooks.announce(call, "call.closed") == []


def test_results_announced_reaches_only_endpoints_that_want_it(app, client, receiver):
    call = closed_call()
    officer = officer_for(call)
    sign_in(client, officer)
    register(client, call.programme_id, receiver.url, events=["results.announced"])
    other = Receiver()
    try:
        register(client, call.programme_id, other.url, events=["call.published"])
        p = submitted_proposal(call, "창원")
        screening.decide(p, officer, "confirmed", "")
        lifecycle.start_review(call, officer)
        results.compute(call, officer, uniform_sheets(p, "27", "22", "9", "9"))
        decisions.decide(call, officer)
        decisions.announce(call, officer)
        db.session.commit()
        assert receiver.events() == ["results.announced"] and other.requests == []
    finally:
        other.stop()


def test_a_disabled_endpoint_is_told_nothing_and_the_change_is_audited(app, client, receiver):
    call = CallFactory(phase="draft")
    officer = officer_for(call)
    sign_in(client, officer)
    register(client, call.programme_id, receiver.url)
    hook = db.session.scalar(select(Webhook))
    resp = client.post(f"/officer/programmes/{call.programme_id}/webhooks/disable", data={"webhook_id": hook.id})
    assert resp.status_code == 303
    db.session.expire_all()
    assert not hook.active and hook.disabled_at is not None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "webhook.disabled")).actor_id == officer.id
    lifecycle.publish(call, officer)
    db.session.commit()
    assert receiver.requests == []


def test_another_programmes_endpoint_cannot_be_disabled_through_this_one(app, client, receiver):
    call, other_call = CallFactory(phase="draft"), CallFactory(phase="draft")
    sign_in(client, officer_for(other_call))
    register(client, other_call.programme_id, receiver.url)
    hook = db.session.scalar(select(Webhook))
    sign_in(client, officer_for(call))
    client.post(f"/officer/programmes/{call.programme_id}/webhooks/disable", data={"webhook_id": hook.id})
    db.session.expire_all()
    assert hook.active
