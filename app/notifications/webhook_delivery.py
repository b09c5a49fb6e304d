"""Sending webhook deliveries: signed, claimed by one worker at a time, retried like mail.

The mechanics are the outbox's (app/notifications/outbox.py): a worker claims a due row with
one conditional UPDATE (pending -> sending, with a lease), POSTs it, and records the answer;
a failure waits the outbox's backoff and the last one gives up. The outbox's sweep task sends
what the hand-over missed. A receiver sees at most one delivery per event and endpoint, but
possibly more than one attempt of it (an answer lost on the way back): every attempt carries the
same body and delivery id, so it drops the repeat by ``X-Gongmo-Delivery``.
"""
from __future__ import annotations

import hashlib
import hmac
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, update
from sqlalchemy.orm import Session

from app.core import sealing, tasks
from app.core.clock import now
from app.extensions import db
from app.models.webhooks import DeliveryStatus, Webhook, WebhookDelivery
from app.notifications import outbox

SIGNATURE_HEADER = "X-Gongmo-Signature"
TIMESTAMP_HEADER = "X-Gongmo-Timestamp"
EVENT_HEADER = "X-Gongmo-Event"
DELIVERY_HEADER = "X-Gongmo-Delivery"
TIMEOUT_SECONDS = 10.0


# --- signing ---------------------------------------------------------------------------

def secret_context(webhook_id: int) -> str:
    # Bound to the row: a sealed secret copied onto another endpoint does not open.
    return f"webhook-secret:{webhook_id}"


def secret_of(webhook: Webhook) -> str:
    secret = sealing.unseal(webhook.secret_sealed, secret_context(webhook.id))
    if secret is None:
        raise RuntimeError(f"the secret of webhook {webhook.id} opens with no key of this installation")
    return secret


def signature(secret: str, body: bytes) -> str:
    """The value of the signature header: ``sha256=`` and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def headers(delivery: WebhookDelivery, secret: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Gongmo-Webhook/1",
        SIGNATURE_HEADER: signature(secret, delivery.body),
        TIMESTAMP_HEADER: str(int(now().timestamp())),
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: delivery.delivery_id,
    }


# --- hand-over -------------------------------------------------------------------------

def dispatch(ids: list[int]) -> None:
    if current_app.config.get("TASKS_EAGER"):
        for i in ids:
            attempt(i)
        return
    for i in ids:
        try:
            tasks.send(tasks.DELIVER_WEBHOOK, i)
        except Exception:  # noqa: BLE001 - broker down: the outbox sweep sends it
            current_app.logger.warning("broker unavailable; webhook delivery %s left for the sweep", i)
            return


# --- one attempt -----------------------------------------------------------------------

def _due(at: datetime):
    return or_(
        and_(WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.next_attempt_at <= at),
        and_(WebhookDelivery.status == DeliveryStatus.SENDING, WebhookDelivery.lease_until < at),
    )


def _claim(s: Session, row_id: int, at: datetime) -> bool:
    lease = timedelta(seconds=float(current_app.config.get("OUTBOX_LEASE_SECONDS", outbox.LEASE_SECONDS)))
    result = s.execute(
        update(WebhookDelivery).where(WebhookDelivery.id == row_id, _due(at))
        .values(status=DeliveryStatus.SENDING, lease_until=at + lease, attempts=WebhookDelivery.attempts + 1)
        .execution_options(synchronize_session=False))
    s.commit()
    return result.rowcount == 1


def _set(s: Session, row_id: int, **values) -> None:
    s.execute(update(WebhookDelivery).where(WebhookDelivery.id == row_id,
                                            WebhookDelivery.status == DeliveryStatus.SENDING)
              .values(**values).execution_options(synchronize_session=False))
    s.commit()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a delivery: the endpoint the officer registered is the only one."""

    def redirect_request(self, *args, **kwargs):
        return None


def post(url: str, body: bytes, head: dict[str, str]) -> int:
    """POST and return the status; raises when no answer came."""
    request = urllib.request.Request(url, data=body, headers=head, method="POST")
    timeout = float(current_app.config.get("WEBHOOK_TIMEOUT_SECONDS", TIMEOUT_SECONDS))
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as answer:
        return answer.code


def attempt(row_id: int) -> outbox.Outcome:
    """Send one delivery if it is due and no other worker holds it."""
    with Session(db.engine, expire_on_commit=False) as s:
        if not _claim(s, row_id, now()):
            return outbox.Outcome(outbox.Delivery.SKIPPED)
        row = s.get(WebhookDelivery, row_id)
        hook = s.get(Webhook, row.webhook_id)
        if not hook.active:
            _set(s, row.id, status=DeliveryStatus.FAILED, lease_until=None, last_error="endpoint disabled")
            return outbox.Outcome(outbox.Delivery.FAILED)
        status, error = None, ""
        try:
            status = post(hook.url, row.body, headers(row, secret_of(hook)))
        except Exception as exc:  # noqa: BLE001 - unreachable, timed out, refused: retried
            error = f"{type(exc).__name__}: {exc}"[:2000]
        if status is not None and 200 <= status < 300:
            _set(s, row.id, status=DeliveryStatus.DELIVERED, delivered_at=now(), lease_until=None,
                 last_status=status, last_error="")
            return outbox.Outcome(outbox.Delivery.SENT)
        return _failed(s, row, status, error)


def _failed(s: Session, row: WebhookDelivery, status: int | None, error: str) -> outbox.Outcome:
    """``error`` is what went wrong when no answer came; an answer's status is kept apart."""
    reason = error or f"HTTP {status}"
    max_attempts = int(current_app.config.get("OUTBOX_MAX_ATTEMPTS", outbox.MAX_ATTEMPTS))
    if row.attempts >= max_attempts:
        _set(s, row.id, status=DeliveryStatus.FAILED, lease_until=None, last_status=status, last_error=error)
        current_app.logger.error("webhook delivery %s failed after %s attempts: %s", row.id, row.attempts, reason)
        return outbox.Outcome(outbox.Delivery.FAILED)
    retry_at = now() + outbox.backoff(row.attempts)
    _set(s, row.id, status=DeliveryStatus.PENDING, lease_until=None, last_status=status, last_error=error,
         next_attempt_at=retry_at)
    current_app.logger.warning("webhook delivery %s attempt %s failed, retry at %s: %s",
                               row.id, row.attempts, retry_at, reason)
    return outbox.Outcome(outbox.Delivery.RETRY, retry_at)


def due_ids(limit: int = 200, at: datetime | None = None) -> list[int]:
    return outbox.due_rows(WebhookDelivery, _due(at or now()), limit)


def sweep(limit: int = 200, then=None) -> int:
    """Try every due delivery; returns how many were delivered (``then`` as in ``outbox.sweep``)."""
    return outbox.tried(due_ids(limit), attempt, then)
